/*
 * memmap_fuzz.c: libFuzzer target for the memory map normaliser.
 *
 * The first input byte picks a mode:
 *   even: "model" mode. The input describes up to 256 entries inside a
 *         2 MiB window at one of a few interesting bases (0, 4 GiB, the
 *         physical limit, the top of the 64-bit space), in 256-byte cells.
 *         A naive reference paints every cell with the most restrictive
 *         type covering it; the normalised map must agree cell by cell,
 *         except that RAM cells of partial pages must be gone. So no RAM
 *         page is lost or invented, and nothing else changes type.
 *   odd:  "raw" mode. The rest of the input is the raw map itself, with a
 *         format, descriptor size and physical width taken from the header;
 *         the result must be an error with an empty map, or a valid map.
 * Both modes check the structural invariants: ranges sorted, disjoint and
 * non-empty, same-type neighbours not touching, RAM page aligned, nothing
 * at or above 2^phys_bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/portable/memmap.h"

#define CELL         256ULL
#define WINDOW_CELLS 8192            /* 2 MiB */
#define CELLS_PER_PAGE (PAGE_SIZE / CELL)
#define MAX_ENTRIES  256
#define MAX_DESC_SIZE 52             /* model mode: EFI 40 + 4 * 3 */

static struct memmap map;
static uint8_t raw[MAX_ENTRIES * MAX_DESC_SIZE];
static int8_t ref[WINDOW_CELLS];     /* reference type per cell, -1 = gap */

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_structure(uint64_t limit)
{
	for (uint32_t i = 0; i < map.nr_ranges; i++) {
		const struct mem_range *r = &map.ranges[i];

		CHECK(r->start < r->end);
		CHECK(r->end <= limit);
		CHECK(r->type < MEM_NR_TYPES);
		if (mem_type_is_ram(r->type))
			CHECK(r->start % PAGE_SIZE == 0 && r->end % PAGE_SIZE == 0);
		if (i > 0) {
			const struct mem_range *p = &map.ranges[i - 1];

			CHECK(p->end <= r->start);
			CHECK(!(p->end == r->start && p->type == r->type));
		}
	}
}

/* Raw mode: arbitrary bytes, arbitrary header. */
static void fuzz_raw(const uint8_t *data, size_t size)
{
	uint32_t format, desc_size, phys_bits;
	int rc;

	if (size < 4)
		return;
	format = data[1] % 4;
	desc_size = data[2] % 72;
	phys_bits = 30 + data[3] % 25;
	data += 4;
	size -= 4;
	/* libFuzzer's buffer is exactly `size` bytes: ASan sees overreads. */
	rc = memmap_normalise(&map, data, (uint32_t)size, format, desc_size,
			      phys_bits);
	if (rc != MEMMAP_OK) {
		CHECK(rc < 0 && map.nr_ranges == 0);
		CHECK(strcmp(memmap_strerror(rc), "unknown memmap error") != 0);
		return;
	}
	CHECK(map.firmware_entries == size / desc_size);
	check_structure(1ULL << phys_bits);
}

static void put_entry(uint8_t *d, uint32_t format, uint64_t start,
		      uint64_t len, uint32_t fw_type)
{
	if (format == BOOT_MMAP_EFI) {
		uint64_t pages = len / PAGE_SIZE, wb = 0x8;

		memcpy(d + 0, &fw_type, 4);
		memcpy(d + 8, &start, 8);
		memcpy(d + 24, &pages, 8);
		memcpy(d + 32, &wb, 8);
	} else {
		memcpy(d + 0, &start, 8);
		memcpy(d + 8, &len, 8);
		memcpy(d + 16, &fw_type, 4);
	}
}

/* The kernel type of a firmware type, as the reference sees it. */
static int8_t ref_type(uint32_t format, uint32_t fw)
{
	static const int8_t efi[15] = {
		MEM_RESERVED, MEM_RECLAIMABLE, MEM_RECLAIMABLE, MEM_RECLAIMABLE,
		MEM_RECLAIMABLE, MEM_RESERVED, MEM_RESERVED, MEM_USABLE,
		MEM_UNUSABLE, MEM_ACPI_RECLAIM, MEM_ACPI_NVS, MEM_MMIO, MEM_MMIO,
		MEM_RESERVED, MEM_PERSISTENT,
	};
	static const int8_t e820[8] = {
		MEM_RESERVED, MEM_USABLE, MEM_RESERVED, MEM_ACPI_RECLAIM,
		MEM_ACPI_NVS, MEM_UNUSABLE, MEM_RESERVED, MEM_PERSISTENT,
	};

	if (format == BOOT_MMAP_EFI)
		return fw < 15 ? efi[fw] : MEM_RESERVED;
	return fw < 8 ? e820[fw] : MEM_RESERVED;
}

/* Model mode: entries in a window, checked against painted cells. */
static void fuzz_model(const uint8_t *data, size_t size)
{
	uint32_t format, desc_size, phys_bits, nr = 0, clipped = 0;
	uint64_t limit, base, limit_cell, usable_pages = 0;
	int rc;

	if (size < 4)
		return;
	format = (data[1] & 1) ? BOOT_MMAP_EFI : BOOT_MMAP_E820;
	desc_size = (format == BOOT_MMAP_EFI ? 40 : 20) + 4 * (data[1] >> 1 & 3);
	phys_bits = 32 + data[2] % 21;
	limit = 1ULL << phys_bits;
	switch (data[3] % 4) {
	case 0:  base = 0; break;
	case 1:  base = 0xfff00000ULL; break;            /* across 4 GiB */
	case 2:  base = limit - WINDOW_CELLS * CELL / 2; break;  /* across limit */
	default: base = 0 - WINDOW_CELLS * CELL; break;  /* up to 2^64 */
	}
	limit_cell = base >= limit ? 0 : (limit - base) / CELL;
	if (limit_cell > WINDOW_CELLS)
		limit_cell = WINDOW_CELLS;
	data += 4;
	size -= 4;

	memset(ref, -1, sizeof(ref));
	for (; size >= 5 && nr < MAX_ENTRIES; data += 5, size -= 5, nr++) {
		uint64_t first = (data[0] | (uint64_t)data[1] << 8) & 0xfff;
		uint64_t nr_cells = (data[1] >> 4 | (uint64_t)data[2] << 4) & 0xfff;
		uint32_t fw = data[3] % (format == BOOT_MMAP_EFI ? 17 : 9);
		int8_t type = ref_type(format, fw);
		uint64_t len = nr_cells * CELL;

		if (format == BOOT_MMAP_EFI)
			len &= ~(PAGE_SIZE - 1);   /* EFI counts whole pages */
		put_entry(raw + nr * desc_size, format, base + first * CELL,
			  len, fw);
		nr_cells = len / CELL;
		if (nr_cells && first + nr_cells > limit_cell)
			clipped++;
		for (uint64_t c = first; c < first + nr_cells && c < limit_cell; c++)
			if (type > ref[c])
				ref[c] = type;
	}
	rc = memmap_normalise(&map, raw, nr * desc_size, format, desc_size,
			      phys_bits);
	CHECK(rc == MEMMAP_OK);
	CHECK(map.firmware_entries == nr);
	CHECK(map.clipped_entries == clipped);
	check_structure(limit);

	for (uint32_t i = 0; i < map.nr_ranges; i++) {
		CHECK(map.ranges[i].start >= base);
		CHECK((map.ranges[i].start - base) % CELL == 0);
		CHECK((map.ranges[i].end - base) % CELL == 0);
		CHECK(map.ranges[i].end - base <= WINDOW_CELLS * CELL);
	}
	for (uint64_t page = 0; page < WINDOW_CELLS / CELLS_PER_PAGE; page++) {
		const int8_t *cell = ref + page * CELLS_PER_PAGE;
		bool whole = true;

		for (uint32_t i = 1; i < CELLS_PER_PAGE; i++)
			whole &= cell[i] == cell[0];
		if (whole && cell[0] == MEM_USABLE)
			usable_pages++;
		for (uint32_t i = 0; i < CELLS_PER_PAGE; i++) {
			uint64_t addr = base + (page * CELLS_PER_PAGE + i) * CELL;
			const struct mem_range *r = memmap_find(&map, addr);
			int expect = cell[i];

			if (expect >= 0 && mem_type_is_ram(expect) && !whole)
				expect = -1;     /* partial RAM page: cut */
			CHECK(r ? (int)r->type == expect : expect == -1);
		}
	}
	CHECK(memmap_pages(&map, MEM_USABLE) == usable_pages);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_raw(data, size);
	else
		fuzz_model(data, size);
	return 0;
}
