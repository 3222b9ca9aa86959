/*
 * memmap_test.c: unit tests for the firmware memory map normaliser
 * (kernel/portable/memmap.c). Runs on the host (make check-host) and in the kernel.
 *
 * Each case builds a raw firmware map by hand, in UEFI or e820 form, with a
 * chosen descriptor size, normalises it and checks the ranges. The raw
 * buffer and the map are static: they are far too big for a kernel stack.
 */
#include <stdint.h>
#include <string.h>

#include "tests/ktest.h"
#include "kernel/portable/memmap.h"

/* UEFI memory types and attribute used below. */
enum {
	EFI_RESERVED = 0, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE,
	EFI_BS_DATA, EFI_RT_CODE, EFI_RT_DATA, EFI_CONVENTIONAL, EFI_UNUSABLE,
	EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO, EFI_MMIO_PORT, EFI_PAL_CODE,
	EFI_PERSISTENT,
};
#define WB 0x8ULL

static uint8_t raw[BOOT_MMAP_MAX] __attribute__((aligned(8)));
static uint32_t raw_len;     /* bytes used in raw[] */
static uint32_t desc_size;   /* bytes from one descriptor to the next */
static uint32_t format;
static struct memmap map;

/* Start a new raw map; padding bytes are filled with junk on purpose. */
static void begin(uint32_t fmt, uint32_t size)
{
	memset(raw, 0xa5, sizeof(raw));
	raw_len = 0;
	format = fmt;
	desc_size = size;
}

static void put(uint32_t offset, const void *v, uint32_t len)
{
	memcpy(raw + raw_len + offset, v, len);
}

static void efi_add_attr(uint32_t type, uint64_t start, uint64_t nr_pages,
			 uint64_t attribute)
{
	uint32_t pad = 0;
	uint64_t virt = 0;

	put(0, &type, 4);
	put(4, &pad, 4);
	put(8, &start, 8);
	put(16, &virt, 8);
	put(24, &nr_pages, 8);
	put(32, &attribute, 8);
	raw_len += desc_size;
}

static void efi_add(uint32_t type, uint64_t start, uint64_t nr_pages)
{
	efi_add_attr(type, start, nr_pages, WB);
}

static void e820_add(uint64_t addr, uint64_t len, uint32_t type)
{
	put(0, &addr, 8);
	put(8, &len, 8);
	put(16, &type, 4);
	raw_len += desc_size;
}

static int normalise(uint32_t phys_bits)
{
	return memmap_normalise(&map, raw, raw_len, format, desc_size,
				phys_bits);
}

#define EXPECT_RANGE(t, i, s, e, ty)                                        \
	do {                                                                \
		KT_EXPECT_EQ(t, map.ranges[i].start, s);                    \
		KT_EXPECT_EQ(t, map.ranges[i].end, e);                      \
		KT_EXPECT_EQ(t, map.ranges[i].type, ty);                    \
	} while (0)

/* The UEFI map is not sorted: high RAM and MMCONFIG come late. */
static void efi_unsorted_is_sorted(struct ktest *t)
{
	begin(BOOT_MMAP_EFI, 48);
	efi_add(EFI_CONVENTIONAL, 0x100000000ULL, 0x40000);  /* 4..5 GiB */
	efi_add(EFI_CONVENTIONAL, 0x100000, 0x700);
	efi_add(EFI_MMIO, 0xe0000000, 0x10000);
	efi_add(EFI_BS_DATA, 0x0, 0xa0);
	efi_add(EFI_ACPI_NVS, 0x800000, 0x8);

	KT_ASSERT(t, normalise(40) == MEMMAP_OK);
	KT_EXPECT_EQ(t, map.firmware_entries, 5);
	KT_ASSERT(t, map.nr_ranges == 5);
	EXPECT_RANGE(t, 0, 0x0, 0xa0000, MEM_RECLAIMABLE);
	EXPECT_RANGE(t, 1, 0x100000, 0x800000, MEM_USABLE);
	EXPECT_RANGE(t, 2, 0x800000, 0x808000, MEM_ACPI_NVS);
	EXPECT_RANGE(t, 3, 0xe0000000, 0xf0000000, MEM_MMIO);
	EXPECT_RANGE(t, 4, 0x100000000ULL, 0x140000000ULL, MEM_USABLE);
}

/* Every UEFI type lands on its kernel type; RAM without WB is reserved. */
static void efi_types(struct ktest *t)
{
	static const struct { uint32_t efi; uint32_t type; } cases[] = {
		{ EFI_RESERVED, MEM_RESERVED },
		{ EFI_LOADER_CODE, MEM_RECLAIMABLE },
		{ EFI_LOADER_DATA, MEM_RECLAIMABLE },
		{ EFI_BS_CODE, MEM_RECLAIMABLE },
		{ EFI_BS_DATA, MEM_RECLAIMABLE },
		{ EFI_RT_CODE, MEM_RESERVED },
		{ EFI_RT_DATA, MEM_RESERVED },
		{ EFI_CONVENTIONAL, MEM_USABLE },
		{ EFI_UNUSABLE, MEM_UNUSABLE },
		{ EFI_ACPI_RECLAIM, MEM_ACPI_RECLAIM },
		{ EFI_ACPI_NVS, MEM_ACPI_NVS },
		{ EFI_MMIO, MEM_MMIO },
		{ EFI_MMIO_PORT, MEM_MMIO },
		{ EFI_PAL_CODE, MEM_RESERVED },
		{ EFI_PERSISTENT, MEM_PERSISTENT },
		{ 15, MEM_RESERVED },
		{ 0x80000000, MEM_RESERVED },
	};
	uint32_t n = sizeof(cases) / sizeof(cases[0]);

	/* One entry per type, two pages apart so nothing merges. */
	begin(BOOT_MMAP_EFI, 40);
	for (uint32_t i = 0; i < n; i++)
		efi_add(cases[i].efi, 0x10000 * (i + 1), 1);
	efi_add_attr(EFI_CONVENTIONAL, 0x10000 * (n + 1), 1, 0);
	KT_ASSERT(t, normalise(36) == MEMMAP_OK);
	KT_ASSERT(t, map.nr_ranges == n + 1);
	for (uint32_t i = 0; i < n; i++)
		EXPECT_RANGE(t, i, 0x10000 * (i + 1), 0x10000 * (i + 1) + 0x1000,
			     cases[i].type);
	KT_EXPECT_EQ(t, map.ranges[n].type, MEM_RESERVED);
}

static void e820_types(struct ktest *t)
{
	static const uint32_t types[][2] = {
		{ 1, MEM_USABLE }, { 2, MEM_RESERVED }, { 3, MEM_ACPI_RECLAIM },
		{ 4, MEM_ACPI_NVS }, { 5, MEM_UNUSABLE }, { 6, MEM_RESERVED },
		{ 7, MEM_PERSISTENT }, { 12, MEM_RESERVED }, { 0, MEM_RESERVED },
	};
	uint32_t n = sizeof(types) / sizeof(types[0]);

	begin(BOOT_MMAP_E820, 24);
	for (uint32_t i = 0; i < n; i++)
		e820_add(0x10000 * (i + 1), 0x1000, types[i][0]);
	KT_ASSERT(t, normalise(36) == MEMMAP_OK);
	KT_ASSERT(t, map.nr_ranges == n);
	for (uint32_t i = 0; i < n; i++)
		KT_EXPECT_EQ(t, map.ranges[i].type, types[i][1]);
}

static void merges_adjacent_same_type(struct ktest *t)
{
	begin(BOOT_MMAP_EFI, 48);
	efi_add(EFI_BS_CODE, 0x1000, 1);
	efi_add(EFI_LOADER_DATA, 0x2000, 2);       /* same kernel type */
	efi_add(EFI_CONVENTIONAL, 0x4000, 4);
	efi_add(EFI_CONVENTIONAL, 0x8000, 4);
	efi_add(EFI_CONVENTIONAL, 0xd000, 1);      /* gap at 0xc000: no merge */
	KT_ASSERT(t, normalise(40) == MEMMAP_OK);
	KT_ASSERT(t, map.nr_ranges == 3);
	EXPECT_RANGE(t, 0, 0x1000, 0x4000, MEM_RECLAIMABLE);
	EXPECT_RANGE(t, 1, 0x4000, 0xc000, MEM_USABLE);
	EXPECT_RANGE(t, 2, 0xd000, 0xe000, MEM_USABLE);
}

/* Overlaps: the more restrictive type wins, the rest of each survives. */
static void overlap_restrictive_wins(struct ktest *t)
{
	begin(BOOT_MMAP_E820, 24);
	e820_add(0x0, 0x100000, 1);           /* usable 0..1M */
	e820_add(0x40000, 0x10000, 2);        /* reserved inside it */
	e820_add(0x48000, 0x10000, 5);        /* unusable, straddles reserved */
	e820_add(0x80000, 0x100000, 3);       /* acpi-reclaim over the end */
	e820_add(0x80000, 0x100000, 3);       /* exact duplicate */
	KT_ASSERT(t, normalise(36) == MEMMAP_OK);
	KT_ASSERT(t, map.nr_ranges == 5);
	EXPECT_RANGE(t, 0, 0x0, 0x40000, MEM_USABLE);
	EXPECT_RANGE(t, 1, 0x40000, 0x48000, MEM_RESERVED);
	EXPECT_RANGE(t, 2, 0x48000, 0x58000, MEM_UNUSABLE);
	EXPECT_RANGE(t, 3, 0x58000, 0x80000, MEM_USABLE);
	EXPECT_RANGE(t, 4, 0x80000, 0x180000, MEM_ACPI_RECLAIM);
}

/* The restrictiveness order, pairwise: the later type always wins. */
static void overlap_order(struct ktest *t)
{
	static const uint32_t e820_of[] = { 1, 3, 4, 7, 2, 5 }; /* no mmio/recl */
	static const uint32_t type_of[] = {
		MEM_USABLE, MEM_ACPI_RECLAIM, MEM_ACPI_NVS, MEM_PERSISTENT,
		MEM_RESERVED, MEM_UNUSABLE,
	};

	for (uint32_t a = 0; a < 6; a++)
		for (uint32_t b = 0; b < 6; b++) {
			begin(BOOT_MMAP_E820, 20);
			e820_add(0x10000, 0x2000, e820_of[a]);
			e820_add(0x10000, 0x2000, e820_of[b]);
			KT_ASSERT(t, normalise(36) == MEMMAP_OK);
			KT_ASSERT(t, map.nr_ranges == 1);
			KT_EXPECT_EQ(t, map.ranges[0].type,
				     type_of[a > b ? a : b]);
		}
	KT_EXPECT(t, MEM_USABLE < MEM_RECLAIMABLE);
	KT_EXPECT(t, MEM_RESERVED < MEM_MMIO && MEM_MMIO < MEM_UNUSABLE);
}

static void zero_length_entries(struct ktest *t)
{
	begin(BOOT_MMAP_E820, 24);
	e820_add(0x5000, 0, 2);
	e820_add(0x1000, 0x3000, 1);
	e820_add(0x2000, 0, 5);               /* inside RAM: must not split it */
	e820_add(0x0, 0, 1);
	KT_ASSERT(t, normalise(36) == MEMMAP_OK);
	KT_EXPECT_EQ(t, map.firmware_entries, 4);
	KT_ASSERT(t, map.nr_ranges == 1);
	EXPECT_RANGE(t, 0, 0x1000, 0x4000, MEM_USABLE);
}

static void past_physical_width(struct ktest *t)
{
	begin(BOOT_MMAP_E820, 24);
	e820_add(0x0, 0x9f000, 1);
	e820_add(0xfff00000ULL, 0x200000, 2);        /* straddles 4 GiB */
	e820_add(0xfd00000000ULL, 0x300000000ULL, 2);/* AMD HT hole, past 36 */
	e820_add(0xffffffff000ULL, 0x1000, 1);       /* the last page of 2^44 */
	KT_ASSERT(t, normalise(32) == MEMMAP_OK);
	KT_EXPECT_EQ(t, map.clipped_entries, 3);
	KT_ASSERT(t, map.nr_ranges == 2);
	EXPECT_RANGE(t, 0, 0x0, 0x9f000, MEM_USABLE);
	EXPECT_RANGE(t, 1, 0xfff00000ULL, 0x100000000ULL, MEM_RESERVED);

	KT_ASSERT(t, normalise(44) == MEMMAP_OK);
	KT_EXPECT_EQ(t, map.clipped_entries, 0);
	KT_ASSERT(t, map.nr_ranges == 4);
	EXPECT_RANGE(t, 3, 0xffffffff000ULL, 0x100000000000ULL, MEM_USABLE);

	/* RAM straddling the limit keeps its pages below it. */
	begin(BOOT_MMAP_E820, 24);
	e820_add(0xff000000ULL, 0x2000000, 1);
	KT_ASSERT(t, normalise(32) == MEMMAP_OK);
	KT_EXPECT_EQ(t, map.clipped_entries, 1);
	KT_ASSERT(t, map.nr_ranges == 1);
	EXPECT_RANGE(t, 0, 0xff000000ULL, 0x100000000ULL, MEM_USABLE);
}

/* RAM shrinks to whole pages; other types keep their bytes. */
static void unaligned_ranges(struct ktest *t)
{
	begin(BOOT_MMAP_E820, 24);
	e820_add(0x0, 0x9fc00, 1);            /* SeaBIOS's low RAM */
	e820_add(0x9fc00, 0x400, 2);
	e820_add(0x100800, 0x3000, 1);        /* both ends unaligned */
	e820_add(0x200100, 0x800, 1);         /* less than a page: gone */
	e820_add(0x300000, 0x800, 1);         /* two halves of a page... */
	e820_add(0x300800, 0x800, 1);         /* ...merge before shrinking */
	e820_add(0x400400, 0x100, 3);         /* acpi-reclaim stays exact */
	KT_ASSERT(t, normalise(36) == MEMMAP_OK);
	KT_ASSERT(t, map.nr_ranges == 5);
	EXPECT_RANGE(t, 0, 0x0, 0x9f000, MEM_USABLE);
	EXPECT_RANGE(t, 1, 0x9fc00, 0xa0000, MEM_RESERVED);
	EXPECT_RANGE(t, 2, 0x101000, 0x103000, MEM_USABLE);
	EXPECT_RANGE(t, 3, 0x300000, 0x301000, MEM_USABLE);
	EXPECT_RANGE(t, 4, 0x400400, 0x400500, MEM_ACPI_RECLAIM);
	KT_EXPECT_EQ(t, memmap_pages(&map, MEM_USABLE), 0x9f + 2 + 1);
}

/* Descriptors larger than the structure: walk by desc_size. */
static void large_descriptors(struct ktest *t)
{
	static const uint32_t efi_sizes[] = { 40, 48, 56, 64, 200 };
	static const uint32_t e820_sizes[] = { 20, 24, 28, 40 };

	for (uint32_t i = 0; i < 5; i++) {
		begin(BOOT_MMAP_EFI, efi_sizes[i]);
		efi_add(EFI_CONVENTIONAL, 0x200000, 0x100);
		efi_add(EFI_RT_DATA, 0x100000, 0x10);
		efi_add(EFI_CONVENTIONAL, 0x110000, 0xf0);
		KT_ASSERT(t, normalise(40) == MEMMAP_OK);
		KT_EXPECT_EQ(t, map.firmware_entries, 3);
		KT_ASSERT(t, map.nr_ranges == 2);
		EXPECT_RANGE(t, 0, 0x100000, 0x110000, MEM_RESERVED);
		EXPECT_RANGE(t, 1, 0x110000, 0x300000, MEM_USABLE);
	}
	for (uint32_t i = 0; i < 4; i++) {
		begin(BOOT_MMAP_E820, e820_sizes[i]);
		e820_add(0x100000, 0x100000, 1);
		e820_add(0x0, 0x100000, 2);
		KT_ASSERT(t, normalise(40) == MEMMAP_OK);
		KT_EXPECT_EQ(t, map.firmware_entries, 2);
		KT_ASSERT(t, map.nr_ranges == 2);
		EXPECT_RANGE(t, 0, 0x0, 0x100000, MEM_RESERVED);
		EXPECT_RANGE(t, 1, 0x100000, 0x200000, MEM_USABLE);
	}
}

static void empty_map(struct ktest *t)
{
	begin(BOOT_MMAP_EFI, 48);
	KT_EXPECT_EQ(t, normalise(40), MEMMAP_OK);
	KT_EXPECT_EQ(t, map.nr_ranges, 0);
	KT_EXPECT_EQ(t, map.firmware_entries, 0);
	KT_EXPECT_EQ(t, memmap_pages(&map, MEM_USABLE), 0);
	KT_EXPECT(t, memmap_find(&map, 0) == NULL);
}

/* Malformed maps give a clear error value and an empty map. */
static void malformed_maps(struct ktest *t)
{
	static const struct {
		uint32_t bytes, format, desc_size, phys_bits;
		int error;
	} bad[] = {
		{ 48, BOOT_MMAP_NONE, 48, 40, MEMMAP_ERR_FORMAT },
		{ 48, 7, 48, 40, MEMMAP_ERR_FORMAT },
		{ 48, BOOT_MMAP_EFI, 0, 40, MEMMAP_ERR_DESC_SIZE },
		{ 48, BOOT_MMAP_EFI, 39, 40, MEMMAP_ERR_DESC_SIZE },
		{ 48, BOOT_MMAP_E820, 0, 40, MEMMAP_ERR_DESC_SIZE },
		{ 48, BOOT_MMAP_E820, 19, 40, MEMMAP_ERR_DESC_SIZE },
		{ 47, BOOT_MMAP_EFI, 48, 40, MEMMAP_ERR_TRUNCATED },
		{ 50, BOOT_MMAP_E820, 24, 40, MEMMAP_ERR_TRUNCATED },
		{ 48, BOOT_MMAP_EFI, 48, 31, MEMMAP_ERR_PHYS_BITS },
		{ 48, BOOT_MMAP_EFI, 48, 53, MEMMAP_ERR_PHYS_BITS },
	};

	begin(BOOT_MMAP_EFI, 48);
	efi_add(EFI_CONVENTIONAL, 0x100000, 16);
	KT_ASSERT(t, normalise(40) == MEMMAP_OK);   /* map.nr_ranges is 1 */
	for (uint32_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KT_EXPECT_EQ(t, memmap_normalise(&map, raw, bad[i].bytes,
						 bad[i].format, bad[i].desc_size,
						 bad[i].phys_bits),
			     bad[i].error);
		KT_EXPECT_EQ(t, map.nr_ranges, 0);
	}

	begin(BOOT_MMAP_E820, 24);
	e820_add(0x0, 0x1000, 1);
	e820_add(0xfffffffffffff000ULL, 0x2000, 2);   /* wraps */
	KT_EXPECT_EQ(t, normalise(52), MEMMAP_ERR_WRAP);
	KT_EXPECT_EQ(t, map.nr_ranges, 0);
	begin(BOOT_MMAP_E820, 24);
	e820_add(0xfffffffffffff000ULL, 0x1000, 2);   /* ends at 2^64: fine */
	KT_EXPECT_EQ(t, normalise(52), MEMMAP_OK);
	KT_EXPECT_EQ(t, map.clipped_entries, 1);
	KT_EXPECT_EQ(t, map.nr_ranges, 0);

	begin(BOOT_MMAP_EFI, 40);
	efi_add(EFI_CONVENTIONAL, 0x1000, 0x0010000000000000ULL); /* 2^64 B */
	KT_EXPECT_EQ(t, normalise(52), MEMMAP_ERR_WRAP);
	begin(BOOT_MMAP_EFI, 40);
	efi_add(EFI_CONVENTIONAL, 0x1000, 0x0010000000000001ULL);
	KT_EXPECT_EQ(t, normalise(52), MEMMAP_ERR_WRAP);

	/* More disjoint ranges than the map holds. */
	begin(BOOT_MMAP_E820, 20);
	for (uint32_t i = 0; i < MEMMAP_MAX + 1; i++)
		e820_add(0x2000ULL * i, 0x1000, 2);
	KT_EXPECT_EQ(t, normalise(40), MEMMAP_ERR_TOO_MANY);
	KT_EXPECT_EQ(t, map.nr_ranges, 0);
	begin(BOOT_MMAP_E820, 20);
	for (uint32_t i = 0; i < MEMMAP_MAX; i++)
		e820_add(0x2000ULL * i, 0x1000, 2);
	KT_EXPECT_EQ(t, normalise(40), MEMMAP_OK);
	KT_EXPECT_EQ(t, map.nr_ranges, MEMMAP_MAX);
}

static void error_strings(struct ktest *t)
{
	static const int errs[] = {
		MEMMAP_ERR_FORMAT, MEMMAP_ERR_DESC_SIZE, MEMMAP_ERR_TRUNCATED,
		MEMMAP_ERR_WRAP, MEMMAP_ERR_PHYS_BITS, MEMMAP_ERR_TOO_MANY,
	};

	for (uint32_t i = 0; i < 6; i++)
		for (uint32_t j = 0; j < i; j++)
			KT_EXPECT(t, strcmp(memmap_strerror(errs[i]),
					    memmap_strerror(errs[j])) != 0);
	KT_EXPECT(t, strcmp(memmap_strerror(-99), "unknown memmap error") == 0);
	KT_EXPECT(t, strcmp(memmap_strerror(MEMMAP_ERR_DESC_SIZE),
			    "descriptor size too small") == 0);
}

static void type_names(struct ktest *t)
{
	static const char *const names[MEM_NR_TYPES] = {
		"usable", "reclaimable", "acpi-reclaim", "acpi-nvs",
		"persistent", "reserved", "mmio", "unusable",
	};

	for (uint32_t i = 0; i < MEM_NR_TYPES; i++)
		KT_EXPECT(t, strcmp(mem_type_name(i), names[i]) == 0);
	KT_EXPECT(t, strcmp(mem_type_name(MEM_NR_TYPES), "?") == 0);
	KT_EXPECT(t, mem_type_is_ram(MEM_USABLE));
	KT_EXPECT(t, mem_type_is_ram(MEM_RECLAIMABLE));
	KT_EXPECT(t, !mem_type_is_ram(MEM_ACPI_RECLAIM));
	KT_EXPECT(t, !mem_type_is_ram(MEM_PERSISTENT));
}

static void find_covers_pages(struct ktest *t)
{
	begin(BOOT_MMAP_EFI, 48);
	efi_add(EFI_CONVENTIONAL, 0x1000, 0x9e);          /* 0x1000..0x9f000 */
	efi_add(EFI_CONVENTIONAL, 0x100000, 0x100);
	efi_add(EFI_BS_DATA, 0x200000, 0x10);
	efi_add(EFI_CONVENTIONAL, 0x210000, 0x10);
	efi_add(EFI_RESERVED, 0xffe00000, 0x200);
	KT_ASSERT(t, normalise(40) == MEMMAP_OK);
	KT_ASSERT(t, map.nr_ranges == 5);

	KT_EXPECT(t, memmap_find(&map, 0x0) == NULL);
	KT_EXPECT(t, memmap_find(&map, 0x1000) == &map.ranges[0]);
	KT_EXPECT(t, memmap_find(&map, 0x9efff) == &map.ranges[0]);
	KT_EXPECT(t, memmap_find(&map, 0x9f000) == NULL);
	KT_EXPECT(t, memmap_find(&map, 0x20ffff) == &map.ranges[2]);
	KT_EXPECT(t, memmap_find(&map, 0xffffffff) == &map.ranges[4]);
	KT_EXPECT(t, memmap_find(&map, 0x100000000ULL) == NULL);

	KT_EXPECT(t, memmap_covers(&map, 0x1000, 0x9f000, MEM_USABLE));
	KT_EXPECT(t, !memmap_covers(&map, 0x0, 0x2000, MEM_USABLE));
	KT_EXPECT(t, !memmap_covers(&map, 0x1000, 0xa0000, MEM_USABLE));
	KT_EXPECT(t, !memmap_covers(&map, 0x100000, 0x220000, MEM_USABLE));
	KT_EXPECT(t, memmap_covers(&map, 0x200000, 0x210000, MEM_RECLAIMABLE));
	KT_EXPECT(t, memmap_covers(&map, 0x5000, 0x5000, MEM_MMIO)); /* empty */

	KT_EXPECT_EQ(t, memmap_pages(&map, MEM_USABLE), 0x9e + 0x100 + 0x10);
	KT_EXPECT_EQ(t, memmap_pages(&map, MEM_RECLAIMABLE), 0x10);
	KT_EXPECT_EQ(t, memmap_pages(&map, MEM_RESERVED), 0x200);
	KT_EXPECT_EQ(t, memmap_pages(&map, MEM_MMIO), 0);
}

/*
 * memmap_from_boot_info() refuses a map the loader could not copy whole,
 * and writes nothing into the map it was given.
 */
static void init_refuses_truncated(struct ktest *t)
{
	static struct boot_info bi;
	static struct memmap map;

	memset(&bi, 0, sizeof(bi));
	memset(&map, 0x5a, sizeof(map));
	bi.mmap_format = BOOT_MMAP_E820;
	bi.mmap_desc_size = 24;
	bi.mmap_truncated = 1;
	KT_EXPECT_EQ(t, memmap_from_boot_info(&map, &bi, 40), MEMMAP_ERR_TRUNCATED);
	KT_EXPECT_EQ(t, map.nr_ranges, 0x5a5a5a5au);
}

KTEST_SUITE(memmap,
	KTEST_CASE(efi_unsorted_is_sorted),
	KTEST_CASE(efi_types),
	KTEST_CASE(e820_types),
	KTEST_CASE(merges_adjacent_same_type),
	KTEST_CASE(overlap_restrictive_wins),
	KTEST_CASE(overlap_order),
	KTEST_CASE(zero_length_entries),
	KTEST_CASE(past_physical_width),
	KTEST_CASE(unaligned_ranges),
	KTEST_CASE(large_descriptors),
	KTEST_CASE(empty_map),
	KTEST_CASE(malformed_maps),
	KTEST_CASE(error_strings),
	KTEST_CASE(type_names),
	KTEST_CASE(find_covers_pages),
	KTEST_CASE(init_refuses_truncated));
