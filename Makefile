# Makefile: every target of dynflags.
#
#   make            build the kernel and the bootable ISO (build/dynflags.iso)
#   make run        boot the ISO under OVMF in QEMU and show the serial report
#   make test       host unit tests, fuzz smoke runs and boot tests (prove)
#   make bench      host benchmarks
#   make deps       install the Debian packages that are missing (tools/deps.sh)
#   make fuzz       longer fuzzing runs (FUZZ_TIME seconds per target)
#   make gdb        boot halted under QEMU's gdbstub and attach gdb
#   make clean
#
# Each part of the project that has host tests, fuzz targets or benchmarks
# describes them in a fragment mk/NAME.mk, using the helpers defined below.
# BUILD may be set to build into another directory (parallel work trees).
#
# run, test, bench and picture first install what is missing, once, with
# `tools/deps.sh --quiet` (silent when nothing is), then build in a sub-make.
# Every other target, `make kernel` and `make iso` among them, only builds:
# it needs the tools, from Debian or elsewhere, and never asks dpkg.

BUILD    ?= build
B        := $(BUILD)

# Options for `make run` (see tools/run-qemu --help): e.g.
#   make run MEM=6G CMDLINE="ktest=none"   make run FIRMWARE=bios   make run BOOT=efi
MEM      ?= 1G
FIRMWARE ?= uefi
# BOOT=grub boots the ISO (GRUB, multiboot2); BOOT=efi the GNU-EFI ESP image.
BOOT     ?= grub
CMDLINE  ?=
RUN_ARGS ?=
FUZZ_TIME ?= 120
PROVE_JOBS ?= 2

CC       := gcc
HOST_CC  := gcc
FUZZ_CC  := clang

# ---------------------------------------------------------------- kernel ---
# The kernel is freestanding: no libc headers (kernel/libc supplies the few
# it needs), no red zone (interrupts use the same stack), no SSE registers
# (the exception path does not save them), linked at 1 MiB by linker.ld.
KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include 2>/dev/null) \
	-Ikernel/libc -I. -DDYNFLAGS_KERNEL
KASFLAGS := -g -I. -DDYNFLAGS_KERNEL

# What goes into the kernel, folder by folder (docs/design.md explains the
# layers). Link order is the order the KTAP suites run in.
BOOT_SRCS     := boot/entry.S boot/multiboot2.c boot/efi_entry.c boot/common.c
KERNEL_GLUE   := kernel/kmain.c kernel/console.c kernel/string.c kernel/trap.c \
	kernel/timing.c \
	kernel/trap_entry.S kernel/idle.c kernel/cpu.c kernel/fwcfg.c kernel/options.c \
	kernel/memory_boot.c kernel/frame.c kernel/paging.c kernel/sections_boot.c \
	kernel/pageflags_boot.c kernel/snapshot_boot.c kernel/shell.c kernel/ktest.c \
	kernel/hotplug.c \
	kernel/pci.c kernel/virtio_blk.c kernel/hibernate.c kernel/hibernate_asm.S
PORTABLE_SRCS := kernel/portable/cmdline.c kernel/portable/memmap.c \
	kernel/portable/acpi.c kernel/portable/sections.c kernel/portable/crc32c.c \
	kernel/portable/snapimg.c kernel/portable/hibimg.c pageflags/pageflags.c
# Suites: tests/unit/ run on the host too; tests/kernel/ only in the kernel.
UNIT_SUITES   := tests/unit/cmdline_test.c tests/unit/memmap_test.c \
	tests/unit/acpi_test.c tests/unit/sections_test.c tests/unit/crc32c_test.c \
	tests/unit/snapimg_test.c tests/unit/hibimg_test.c tests/unit/pageflags_test.c
KERNEL_SUITES := tests/kernel/cpu_ktest.c tests/kernel/memory_ktest.c \
	tests/kernel/frame_ktest.c tests/kernel/paging_ktest.c \
	tests/kernel/sections_boot_ktest.c tests/kernel/flags_boot_ktest.c \
	tests/kernel/snapshot_ktest.c
KERNEL_SRCS := $(BOOT_SRCS) $(KERNEL_GLUE) $(PORTABLE_SRCS) $(UNIT_SUITES) \
	$(KERNEL_SUITES) tests/ktest.c
KERNEL_OBJS := $(patsubst %,$(B)/k/%.o,$(KERNEL_SRCS))

# -------------------------------------------------------------- host side ---
# Host programs test the portable code under AddressSanitizer and UBSan.
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I. \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
HOST_HEADERS := $(wildcard */*.h */*/*.h)
HOST_TESTS   := tests/host/run-qemu.t
FUZZ_TARGETS :=
BENCH_TARGETS :=

# $(call host_test,NAME,SOURCES): a ktest-based host test program
# $(B)/host/NAME built from SOURCES (test files plus the modules they test)
# and the TAP runner. `make test` runs it under prove.
define host_test
HOST_TESTS += $(B)/host/$(1)
$(B)/host/$(1): $(2) tests/ktest.c tests/host/ktest_host.c $(HOST_HEADERS)
	@mkdir -p $$(dir $$@)
	$$(HOST_CC) $$(HOST_CFLAGS) -o $$@ $(2) tests/ktest.c tests/host/ktest_host.c $(3)
endef

# $(call fuzz_target,NAME,SOURCES): a libFuzzer program $(B)/fuzz/NAME.
# `make test` runs each for FUZZ_SMOKE_RUNS inputs, `make fuzz` for FUZZ_TIME s.
# Both start from the committed seed corpus tests/fuzz/corpus/NAME (inputs
# that reach deep paths, kept small with -merge=1) and write what they find
# to $(B)/fuzz/NAME.corpus, never into the tree (the smoke run empties it
# first, so that it is the same run every time). To refresh the seeds after
# a long run: $(B)/fuzz/NAME -merge=1 tests/fuzz/corpus/NAME $(B)/fuzz/NAME.corpus
FUZZ_SMOKE_RUNS ?= 10000
define fuzz_target
FUZZ_TARGETS += $(B)/fuzz/$(1)
$(B)/fuzz/$(1): $(2) $(HOST_HEADERS)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) -std=gnu11 -O1 -g -I. -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $$@ $(2)
endef

# $(call bench_target,NAME,SOURCES,LIBS): an optimised benchmark program.
# BENCH_ALIGN: docs/performance.md ("Code placement") says why.
BENCH_ALIGN := -falign-loops=64
define bench_target
BENCH_TARGETS += $(B)/bench/$(1)
$(B)/bench/$(1): $(2) $(HOST_HEADERS)
	@mkdir -p $$(dir $$@)
	$$(HOST_CC) -std=gnu11 -O2 $(BENCH_ALIGN) -g -Wall -Wextra -Werror -I. -o $$@ $(2) $(3)
endef

# ------------------------------------------------------------------- ISO ---
# $(call grub_iso,ISO,DIR): the one ISO recipe. grub-mkrescue makes ISO
# from the tree DIR, bootable under UEFI (x86_64-efi) and BIOS (i386-pc)
# alike; its messages go to ISO.log, shown when it fails. The modules are
# compressed with xz (xz-utils).
GRUB_MODULES := multiboot2 normal serial terminal all_video iso9660 fat chain echo test \
	configfile part_acorn part_amiga part_apple part_bsd part_dfly part_dvh \
	part_gpt part_msdos part_plan part_sun part_sunpc
define grub_iso
	grub-mkrescue -o $(1) --install-modules="$(GRUB_MODULES)" \
		--locales= --fonts= --themes= --compress=xz $(2) 2>$(1).log \
		|| { cat $(1).log; exit 1; }
endef

include $(sort $(wildcard mk/*.mk))

# ----------------------------------------------------------------- rules ---
.PHONY: all kernel iso run test test-programs check-host check-fuzz check-boot bench fuzz gdb deps clean

all: iso

deps:
	@tools/deps.sh

kernel: $(B)/kernel.elf
iso: $(B)/dynflags.iso

$(B)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c -o $@ $<

$(B)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -MMD -MP -c -o $@ $<

$(B)/kernel.elf: $(KERNEL_OBJS) linker.ld
	$(CC) -nostdlib -static -no-pie -Wl,-T,linker.ld -Wl,-z,max-page-size=0x1000 \
		-Wl,--build-id=none -o $@ $(KERNEL_OBJS) -lgcc

-include $(KERNEL_OBJS:.o=.d)

$(B)/dynflags.iso: $(B)/kernel.elf boot/grub.cfg $(ISO_EXTRA)
	rm -rf $(B)/iso && mkdir -p $(B)/iso/boot/grub
	cp $(B)/kernel.elf $(B)/iso/boot/kernel.elf
	cp boot/grub.cfg $(B)/iso/boot/grub/grub.cfg
	$(ISO_EXTRA_CMDS)
	$(call grub_iso,$@,$(B)/iso)

RUN_IMAGE := $(if $(filter efi,$(BOOT)),$(B)/dynflags-esp.img,$(B)/dynflags.iso)
run:
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory $(RUN_IMAGE)
	@st=0; tools/run-qemu --image $(RUN_IMAGE) --mem $(MEM) --stdin \
		--firmware $(FIRMWARE) --cmdline "$(CMDLINE)" $(RUN_ARGS) || st=$$?; \
	echo "make run: QEMU exit status $$st (33 = all tests passed; see README)"; \
	[ $$st -eq 33 ]

check-host: $(HOST_TESTS)
	DYNFLAGS_BUILD=$(B) prove -j$(PROVE_JOBS) --exec '' $(HOST_TESTS)

# One smoke run per fuzz target, each its own (phony) target so that
# `make -j` runs them side by side: the committed corpus replayed, then
# FUZZ_SMOKE_RUNS new inputs from a fixed seed.
FUZZ_SMOKES := $(FUZZ_TARGETS:=.smoke)
.PHONY: $(FUZZ_SMOKES)
check-fuzz: $(FUZZ_SMOKES)
$(FUZZ_SMOKES): %.smoke: %
	@n=$$(basename $<); rm -rf $<.corpus; mkdir -p $<.corpus; \
	echo "fuzz smoke: $< ($(FUZZ_SMOKE_RUNS) runs from $$(ls tests/fuzz/corpus/$$n | wc -l) seeds)"; \
	$< -runs=$(FUZZ_SMOKE_RUNS) -seed=1 $<.corpus tests/fuzz/corpus/$$n \
		2>$<.log || { tail -40 $<.log; exit 1; }

# The longest boot tests start first, so that two at a time finish
# together rather than one running alone at the end.
BOOT_TESTS_SLOW := $(addprefix tests/boot/,linux.t efi.t doccheck.t hibernate.t hibernate-fail-alloc.t)
BOOT_TESTS := $(BOOT_TESTS_SLOW) $(filter-out $(BOOT_TESTS_SLOW),$(sort $(wildcard tests/boot/*.t)))
check-boot: iso $(BOOT_TEST_DEPS)
	DYNFLAGS_BUILD=$(B) prove -j$(PROVE_JOBS) $(BOOT_TESTS)

# Everything the three checks run, built first with one job per core: the
# checks themselves then only run.
test-programs: $(HOST_TESTS) $(FUZZ_TARGETS) iso $(BOOT_TEST_DEPS)

test:
	@tools/deps.sh --quiet
	$(MAKE) -j$(PROVE_JOBS) test-programs
	$(MAKE) check-host
	$(MAKE) -j$(PROVE_JOBS) check-fuzz
	$(MAKE) check-boot

bench:
	@tools/deps.sh --quiet
	@$(MAKE) --no-print-directory $(BENCH_TARGETS)
	@for b in $(BENCH_TARGETS); do $$b || exit 1; done

fuzz: $(FUZZ_TARGETS)
	@for f in $(FUZZ_TARGETS); do \
		n=$$(basename $$f); mkdir -p $$f.corpus; \
		echo "fuzz: $$f for $(FUZZ_TIME) s"; \
		$$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			$$f.corpus tests/fuzz/corpus/$$n || exit 1; \
	done

gdb: iso
	tools/gdb.sh $(B)

clean:
	rm -rf $(B)
