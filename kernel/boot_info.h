/*
 * boot_info.h: the one structure every loader fills in before kmain().
 *
 * Each boot path (GRUB multiboot2 in boot/multiboot2.c, the GNU-EFI loader in
 * boot/efi/) translates what its loader knows into a struct boot_info and
 * then calls kmain(&boot_info). Nothing after kmain() parses multiboot2 or
 * calls UEFI; the only trace of the loader is the `loader` name.
 *
 * This header is portable: it includes only freestanding standard headers,
 * so host tests may build boot_info values by hand.
 *
 * All addresses are physical byte addresses. The kernel runs identity
 * mapped, so a physical address below the mapped limit is also a pointer.
 */
#ifndef DYNFLAGS_BOOT_INFO_H
#define DYNFLAGS_BOOT_INFO_H

#include <stdint.h>

#define BOOT_CMDLINE_MAX   1024    /* bytes, including the final NUL */
#define BOOT_MMAP_MAX      16384   /* bytes of raw firmware map kept */
#define BOOT_REGIONS_MAX   8       /* loader regions the kernel must not reuse */
#define BOOT_NAME_MAX      32

/* The format of the raw firmware memory map in boot_info.mmap. */
enum boot_mmap_format {
	BOOT_MMAP_NONE = 0,
	BOOT_MMAP_EFI  = 1,  /* EFI_MEMORY_DESCRIPTORs, mmap_desc_size bytes apart */
	BOOT_MMAP_E820 = 2,  /* e820 entries {u64 addr, u64 len, u32 type, u32 pad},
	                        mmap_desc_size bytes apart */
};

/* A physical byte range [start, end) that some boot stage still occupies. */
struct boot_region {
	uint64_t start;
	uint64_t end;
	char what[BOOT_NAME_MAX];   /* "mb2-info", "efi-loader", ... */
};

struct boot_info {
	char loader[BOOT_NAME_MAX];    /* "grub-multiboot2" or "gnu-efi" */
	char firmware[BOOT_NAME_MAX];  /* "uefi" or "bios" */
	char cmdline[BOOT_CMDLINE_MAX];/* loader command line, NUL-terminated */
	char error[96];                /* a problem the boot path found, or "" */

	/*
	 * The raw firmware memory map, copied aside byte for byte. Walk it by
	 * mmap_desc_size, never by sizeof(): firmware descriptors may be larger
	 * than the structures that describe them.
	 */
	uint32_t mmap_format;          /* enum boot_mmap_format */
	uint32_t mmap_desc_size;       /* bytes from one entry to the next */
	uint32_t mmap_desc_version;    /* EFI descriptor version (EFI only) */
	uint32_t mmap_bytes;           /* valid bytes in mmap[] */
	uint32_t mmap_truncated;       /* 1 if the firmware map did not fit */
	uint8_t  mmap[BOOT_MMAP_MAX] __attribute__((aligned(8)));

	/*
	 * A copy of the ACPI RSDP (20 bytes for revision 0, 36 for 2.0+).
	 * rsdp_len is 0 when the loader found none. The tables it points to
	 * stay in firmware memory (acpi-reclaim), which the kernel never reuses.
	 */
	uint32_t rsdp_len;
	uint8_t  rsdp[36];
	uint64_t efi_system_table;     /* physical address, 0 under BIOS */

	uint64_t kernel_start;         /* the kernel image, [start, end) bytes */
	uint64_t kernel_end;

	uint32_t nr_regions;
	struct boot_region regions[BOOT_REGIONS_MAX];
};

#endif
