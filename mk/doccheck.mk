# mk/doccheck.mk: the docs checked against the kernel (tools/doccheck).
#
#   make doccheck   boot every boot the docs declare, once, two at a time,
#                   and compare every marked exercise and excerpt; check the
#                   links between the docs. Fails on any difference.
#   make docs       the same boots, then rewrite every marked block (and the
#                   values an expect= binds in prose) from this build
#
# docs/README.md explains the markup. `make test` runs the check through
# tests/boot/doccheck.t; tests/host/doccheck.t tests the checker on a saved
# log, without booting.

HOST_TESTS += tests/host/doccheck.t

# What the declared boots need: the ISO, the GNU-EFI image (tour step 1),
# and the host memmap test program (tour step 13).
DOCCHECK_DEPS := $(B)/dynflags.iso $(B)/dynflags-esp.img $(B)/host/memmap
BOOT_TEST_DEPS += $(DOCCHECK_DEPS)

.PHONY: doccheck docs
doccheck: $(DOCCHECK_DEPS)
	tools/doccheck --check --build $(B)

docs: $(DOCCHECK_DEPS)
	tools/doccheck --refresh --build $(B)
