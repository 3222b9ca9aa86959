/*
 * multiboot2.c: turns GRUB's multiboot2 information into struct boot_info.
 *
 * boot/entry.S calls multiboot2_main() in 64-bit mode with the magic value
 * GRUB left in EAX and the physical address of the information block
 * (identity mapped below 4 GiB). The block is a list of tags, each 8-byte
 * aligned: {u32 type, u32 size, payload}. We copy out what the kernel needs,
 * because the block sits in memory the kernel will later reuse, and then we
 * never look at multiboot2 again.
 */
#include <stdint.h>
#include <string.h>

#include "boot/boot.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MMAP = 6,           /* e820-style map */
	MB2_TAG_EFI32 = 11,         /* EFI 32-bit system table pointer */
	MB2_TAG_EFI64 = 12,         /* EFI 64-bit system table pointer */
	MB2_TAG_ACPI_OLD = 14,      /* copy of an ACPI 1.0 RSDP */
	MB2_TAG_ACPI_NEW = 15,      /* copy of an ACPI 2.0+ RSDP */
	MB2_TAG_EFI_MMAP = 17,      /* the final UEFI memory map */
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;              /* bytes, including this header */
};

struct mb2_tag_mmap {               /* type 6 and type 17 share this start */
	uint32_t type;
	uint32_t size;
	uint32_t entry_size;        /* bytes from one entry to the next */
	uint32_t entry_version;
	uint8_t entries[];
};

static void copy_mmap(const struct mb2_tag_mmap *t, uint32_t format)
{
	uint32_t bytes = t->size - (uint32_t)sizeof(*t);

	boot_info.mmap_format = format;
	boot_info.mmap_desc_size = t->entry_size;
	boot_info.mmap_desc_version = t->entry_version;
	boot_info.mmap_truncated = bytes > BOOT_MMAP_MAX;
	if (bytes > BOOT_MMAP_MAX)
		bytes = BOOT_MMAP_MAX;
	boot_info.mmap_bytes = bytes;
	memcpy(boot_info.mmap, t->entries, bytes);
}

static void copy_rsdp(const struct mb2_tag *t)
{
	uint32_t len = t->size - (uint32_t)sizeof(*t);

	if (len > sizeof(boot_info.rsdp))
		len = sizeof(boot_info.rsdp);
	memcpy(boot_info.rsdp, t + 1, len);
	boot_info.rsdp_len = len;
}

void multiboot2_main(uint32_t magic, uint64_t info_phys)
{
	const uint8_t *info = (const uint8_t *)(uintptr_t)info_phys;
	const struct mb2_tag_mmap *efi_mmap = NULL, *e820_mmap = NULL;
	const struct mb2_tag *acpi_new = NULL, *acpi_old = NULL;
	int efi = 0;
	uint32_t total, off;

	boot_copy_string(boot_info.loader, BOOT_NAME_MAX, "grub-multiboot2", BOOT_NAME_MAX);
	boot_info_common();
	if (magic != MB2_BOOTLOADER_MAGIC || info_phys == 0 || (info_phys & 7)) {
		boot_copy_string(boot_info.error, sizeof(boot_info.error),
				 "not started by a multiboot2 loader (bad magic or info)", 96);
		boot_copy_string(boot_info.firmware, BOOT_NAME_MAX, "unknown", 8);
		kmain(&boot_info);
	}

	total = *(const uint32_t *)info;
	boot_add_region(info_phys, info_phys + total, "mb2-info");
	/* Tags start after {u32 total_size, u32 reserved}; stop at the end tag. */
	for (off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const void *)(info + off);

		if (t->type == MB2_TAG_END || t->size < sizeof(*t) || off + t->size > total)
			break;
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			boot_copy_string(boot_info.cmdline, BOOT_CMDLINE_MAX,
					 (const char *)(t + 1), t->size - sizeof(*t));
			break;
		case MB2_TAG_MMAP:
			if (t->size >= sizeof(struct mb2_tag_mmap))
				e820_mmap = (const void *)t;
			break;
		case MB2_TAG_EFI_MMAP:
			if (t->size >= sizeof(struct mb2_tag_mmap))
				efi_mmap = (const void *)t;
			efi = 1;
			break;
		case MB2_TAG_EFI32:
			efi = 1;
			break;
		case MB2_TAG_EFI64:
			efi = 1;
			if (t->size >= sizeof(*t) + 8)
				boot_info.efi_system_table = *(const uint64_t *)(t + 1);
			break;
		case MB2_TAG_ACPI_OLD:
			acpi_old = t;
			break;
		case MB2_TAG_ACPI_NEW:
			acpi_new = t;
			break;
		}
		off += (t->size + 7) & ~7u;
	}

	boot_copy_string(boot_info.firmware, BOOT_NAME_MAX, efi ? "uefi" : "bios", 8);
	/* The UEFI map has more types than the e820 view of it: prefer it. */
	if (efi_mmap)
		copy_mmap(efi_mmap, BOOT_MMAP_EFI);
	else if (e820_mmap)
		copy_mmap(e820_mmap, BOOT_MMAP_E820);
	if (acpi_new)
		copy_rsdp(acpi_new);
	else if (acpi_old)
		copy_rsdp(acpi_old);
	kmain(&boot_info);
}
