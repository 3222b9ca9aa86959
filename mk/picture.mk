# mk/picture.mk: pictures of physical memory drawn from the serial report.
#
#   make picture                  boot the 6 GiB shape, draw $(B)/memory.svg (+ .png)
#   make picture SHAPE=maxmem     boot -m 1G,slots=2,maxmem=8G, draw $(B)/memory-maxmem.svg
#   make picture-maxmem           the same
#   make picture SHAPE=dimm       the maxmem shape with a 1 GiB DIMM cold-plugged
#   make picture LOG=saved.log    draw a saved serial log instead of booting
#
# tools/picture writes a PNG next to the SVG when rsvg-convert (librsvg2-bin)
# is installed. tests/host/picture.t checks the drawing on tests/fixtures/.

HOST_TESTS += tests/host/picture.t

SHAPE ?= 6g
PICTURE_CMDLINE ?= ktest=none
PICTURE_SHAPE_6g     := --mem 6G
PICTURE_SHAPE_maxmem := --mem 1G --slots 2 --maxmem 8G
PICTURE_SHAPE_dimm   := --mem 1G --slots 2 --maxmem 8G --dimm 1G
PICTURE_TITLE_6g     := q35 with 6 GiB under OVMF
PICTURE_TITLE_maxmem := q35 with -m 1G,slots=2,maxmem=8G under OVMF
PICTURE_TITLE_dimm   := q35 with -m 1G,slots=2,maxmem=8G and a 1 GiB DIMM under OVMF
PICTURE_SVG := $(if $(filter 6g,$(SHAPE)),$(B)/memory.svg,$(B)/memory-$(SHAPE).svg)

.PHONY: picture picture-maxmem

# Both ways first install what is missing (perl, librsvg2-bin, QEMU...).
ifdef LOG
picture:
	@tools/deps.sh --quiet
	@mkdir -p $(B)
	tools/picture -o $(PICTURE_SVG) --title "$(notdir $(LOG))" $(LOG)
else
picture:
	$(if $(PICTURE_SHAPE_$(SHAPE)),,$(error SHAPE=$(SHAPE) is unknown: use 6g, maxmem or dimm))
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory iso
	@echo "picture: booting the $(SHAPE) shape ($(PICTURE_SHAPE_$(SHAPE))), serial log in $(B)/picture-$(SHAPE).log"
	@st=0; tools/run-qemu --image $(B)/dynflags.iso $(PICTURE_SHAPE_$(SHAPE)) \
		--cmdline "$(PICTURE_CMDLINE)" > $(B)/picture-$(SHAPE).log || st=$$?; \
	[ $$st -eq 33 ] || echo "picture: warning: QEMU exit status $$st (33 = pass); drawing what the log holds"
	tools/picture -o $(PICTURE_SVG) --title "$(PICTURE_TITLE_$(SHAPE))" $(B)/picture-$(SHAPE).log
endif

picture-maxmem:
	$(MAKE) picture SHAPE=maxmem
