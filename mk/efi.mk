# mk/efi.mk: the GNU-EFI boot path (boot/efi/, docs/boot-paths.md).
#
#   make esp        $(B)/dynflags-esp.img: a FAT image holding
#                   EFI/BOOT/BOOTX64.EFI (the loader) and kernel.elf
#   make run BOOT=efi   boot that image under OVMF (the Makefile's run target)
#
# The loader is a gnu-efi application: compiled position independent with
# 2-byte wchar_t, linked as a shared object over gnu-efi's crt0 and linker
# script (crt0 relocates the image and calls efi_main), then converted to
# a PE32+ EFI application (subsystem 10) by objcopy. Its sources stay out
# of the kernel: the Makefile compiles boot/*.c, not boot/efi/*.c.

EFI_INC      := /usr/include/efi
EFI_LIB      := /usr/lib
EFI_SRCS     := boot/efi/loader.c boot/efi/elf.c boot/efi/text.c boot/efi/iso9660.c
EFI_OBJS     := $(patsubst %.c,$(B)/efi/%.o,$(EFI_SRCS))
EFI_HEADERS  := $(wildcard boot/efi/*.h) kernel/boot_info.h
EFI_CFLAGS   := -std=gnu11 -O2 -Wall -Wextra -Werror \
	-ffreestanding -fno-stack-protector -fno-strict-aliasing \
	-fpic -fshort-wchar -mno-red-zone -mgeneral-regs-only \
	-DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64 -I.
EFI_SECTIONS := .text .sdata .data .dynamic .dynsym .rel .rela .reloc

$(B)/efi/%.o: %.c $(EFI_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -c -o $@ $<

$(B)/efi/loader.so: $(EFI_OBJS)
	ld -nostdlib -znocombreloc -shared -Bsymbolic \
		-T $(EFI_LIB)/elf_x86_64_efi.lds $(EFI_LIB)/crt0-efi-x86_64.o \
		$(EFI_OBJS) -L$(EFI_LIB) -lefi -lgnuefi -o $@

$(B)/BOOTX64.EFI: $(B)/efi/loader.so
	objcopy $(addprefix -j ,$(EFI_SECTIONS)) \
		--target=efi-app-x86_64 --subsystem=10 $< $@

# $(call efi_esp,IMAGE,KERNEL): a FAT image with the loader and KERNEL as
# \kernel.elf, sized to fit (a whole number of MiB, 2 MiB to spare).
define efi_esp
	@rm -f $(1).tmp
	truncate -s $$(( ($$(stat -c %s $(2)) + $$(stat -c %s $(B)/BOOTX64.EFI)) / 1048576 + 2 ))M $(1).tmp
	mformat -i $(1).tmp ::
	mmd -i $(1).tmp ::/EFI ::/EFI/BOOT
	mcopy -i $(1).tmp $(B)/BOOTX64.EFI ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i $(1).tmp $(2) ::/kernel.elf
	@mv $(1).tmp $(1)
endef

.PHONY: esp
esp: $(B)/dynflags-esp.img

$(B)/dynflags-esp.img: $(B)/BOOTX64.EFI $(B)/kernel.elf
	$(call efi_esp,$@,$(B)/kernel.elf)

# The ISO carries the loader too, so that GRUB can chainload it (UEFI
# only): the loader then finds /boot/kernel.elf through ISO 9660, since its
# device is the whole CD. The menu entry lives in boot/grub.cfg; see
# docs/boot-paths.md.
ISO_EXTRA      += $(B)/BOOTX64.EFI
ISO_EXTRA_CMDS += cp $(B)/BOOTX64.EFI $(B)/iso/boot/efi-loader.efi;

# A copy of the ISO whose default entry chainloads the loader with load
# options, for tests/boot/efi-chain.t.
EFI_CHAIN_ENTRY := dynflags (GNU-EFI loader, test options)
$(B)/efi-chain.iso: $(B)/dynflags.iso
	rm -rf $(B)/efi-chain && cp -r $(B)/iso $(B)/efi-chain
	{ cat boot/grub.cfg; \
	  printf 'menuentry "%s" {\n\tchainloader /boot/efi-loader.efi ktest=none efi_test=stale_map_key\n\tboot\n}\n' '$(EFI_CHAIN_ENTRY)'; \
	  printf 'set default="%s"\n' '$(EFI_CHAIN_ENTRY)'; \
	} > $(B)/efi-chain/boot/grub/grub.cfg
	$(call grub_iso,$@,$(B)/efi-chain)

# Deliberately broken kernels (tests/fixtures/mkbad.pl), each on its own
# ESP: $(B)/efi-bad-KIND.img for KIND in magic, machine, truncated,
# overlap. tests/boot/efi-errors.t boots the ones in EFI_BAD_BOOTED; the
# host tests cover every header error.
EFI_BAD_KINDS  := magic machine truncated overlap
EFI_BAD_BOOTED := magic overlap
EFI_BAD_ELFS   := $(patsubst %,$(B)/fixtures/bad-%.elf,$(EFI_BAD_KINDS))
.SECONDARY: $(EFI_BAD_ELFS)

$(B)/fixtures/bad-%.elf: $(B)/kernel.elf tests/fixtures/mkbad.pl
	@mkdir -p $(dir $@)
	perl tests/fixtures/mkbad.pl $* $< $@

$(B)/efi-bad-%.img: $(B)/fixtures/bad-%.elf $(B)/BOOTX64.EFI
	$(call efi_esp,$@,$<)

BOOT_TEST_DEPS += $(B)/dynflags-esp.img $(B)/efi-chain.iso \
	$(patsubst %,$(B)/efi-bad-%.img,$(EFI_BAD_BOOTED))

# Host tests of the loader's portable parts (ELF checks, text, ISO 9660).
$(eval $(call host_test,efi_loader,boot/efi/elf_test.c boot/efi/elf.c boot/efi/text_test.c boot/efi/text.c \
	boot/efi/iso9660_test.c boot/efi/iso9660.c))
$(B)/host/efi_loader: $(EFI_HEADERS)

# libFuzzer over the loader's ELF checks and ISO 9660 lookup (docs/fuzzing.md).
$(eval $(call fuzz_target,elf_fuzz,tests/fuzz/elf_fuzz.c boot/efi/elf.c))
$(eval $(call fuzz_target,iso9660_fuzz,tests/fuzz/iso9660_fuzz.c boot/efi/iso9660.c))
