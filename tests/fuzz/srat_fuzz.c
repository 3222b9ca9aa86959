/*
 * srat_fuzz.c: libFuzzer over the ACPI walk, the SRAT parser, and the
 * section table built from what they find.
 *
 * The first input byte chooses the mode and the section size:
 *   bit 0 = 0: the rest is the entries of one SRAT, as raw bytes, or
 *              (bit 1) as 9-byte memory entries the harness expands; a
 *              header with the right signature, length and checksum goes
 *              before them, so the fuzzer spends its time in the entries;
 *   bit 0 = 1: the rest is physical memory at FAKE_BASE; the RSDP (made by
 *              the harness) points at an XSDT or RSDT (bit 1) at its start,
 *              and the harness fixes the checksum of the root and of each
 *              table the root points at inside the memory.
 *   bits 2..5: section_bits = 22 + value % 11.
 * Properties checked: nothing is read outside the buffers (ASan), entries
 * are well formed, and the section table built from a fixed memory map and
 * the SRAT agrees with the map, holds every hotplug range it was given, and
 * gives back every page it took.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/portable/acpi.h"
#include "kernel/portable/sections.h"

#define FAKE_BASE 0x100000ull
#define PHYS_BITS 33     /* 8 GiB: keeps each run short */

static const uint8_t *fake_mem;
static size_t fake_size;
static struct acpi_info info;
static struct memmap map;
static long pages_out;

static const void *fake_map(void *ctx, uint64_t phys_addr, uint64_t len)
{
	(void)ctx;
	if (phys_addr < FAKE_BASE || phys_addr - FAKE_BASE > fake_size ||
	    len > fake_size - (phys_addr - FAKE_BASE))
		return NULL;
	return fake_mem + (phys_addr - FAKE_BASE);
}

static void *alloc_pages(void *ctx, uint64_t nr_pages)
{
	void *p;

	(void)ctx;
	p = aligned_alloc(4096, nr_pages * 4096);
	if (p) {
		memset(p, 0, nr_pages * 4096);
		pages_out += (long)nr_pages;
	}
	return p;
}

static void free_pages(void *ctx, void *pages, uint64_t nr_pages)
{
	(void)ctx;
	free(pages);
	pages_out -= (long)nr_pages;
}

static uint32_t get_u32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Make the table at offset off of mem sum to 0, if its length fits. */
static void fix_table(uint8_t *mem, size_t size, uint64_t off)
{
	uint32_t len;

	if (off >= size || size - off < ACPI_HEADER_LEN)
		return;
	len = get_u32(mem + off + 4);
	if (len < ACPI_HEADER_LEN || len > size - off)
		return;
	mem[off + 9] = 0;
	mem[off + 9] = (uint8_t)(0x100 - acpi_checksum(mem + off, len));
}

static void fuzz_walk(uint8_t *mem, size_t size, bool rsdt)
{
	uint8_t rsdp[36] = "RSD PTR ";
	uint32_t entry = rsdt ? 4 : 8;

	if (size >= ACPI_HEADER_LEN) {
		uint32_t len = get_u32(mem + 4);
		uint64_t end = len < size ? len : size;

		memcpy(mem, rsdt ? "RSDT" : "XSDT", 4);
		for (uint64_t off = ACPI_HEADER_LEN; off + entry <= end; off += entry) {
			uint64_t addr = get_u32(mem + off);

			if (!rsdt)
				addr |= (uint64_t)get_u32(mem + off + 4) << 32;
			if (addr >= FAKE_BASE && addr - FAKE_BASE != 0)
				fix_table(mem, size, addr - FAKE_BASE);
		}
		fix_table(mem, size, 0);
	}
	rsdp[15] = rsdt ? 0 : 2;
	put_u32(rsdp + 16, (uint32_t)FAKE_BASE);
	put_u32(rsdp + 20, 36);
	put_u32(rsdp + 24, (uint32_t)FAKE_BASE);
	rsdp[8] = (uint8_t)(0x100 - acpi_checksum(rsdp, 20));
	rsdp[32] = (uint8_t)(0x100 - acpi_checksum(rsdp, 36));
	fake_mem = mem;
	fake_size = size;
	acpi_parse(&info, rsdp, sizeof(rsdp), fake_map, NULL);
}

/* One SRAT: a 48-byte header made here, then the entries at mem + 48. */
static void fuzz_srat(uint8_t *mem, size_t size)
{
	memset(&info, 0, sizeof(info));
	memcpy(mem, "SRAT", 4);
	put_u32(mem + 4, (uint32_t)size);
	mem[8] = 3;
	fix_table(mem, size, 0);
	acpi_parse_srat(&info, mem, size, FAKE_BASE);
}

/*
 * Well-formed memory entries from 9 bytes each: domain, base (4 bytes, in
 * 64 KiB units), length (3 bytes, in 64 KiB units), flags (3 bits). They
 * reach the section table far more often than raw bytes do.
 */
static size_t expand_entries(uint8_t *entries, const uint8_t *data, size_t size)
{
	size_t n = 0;

	for (; size >= 9; data += 9, size -= 9, n++) {
		uint8_t *e = entries + n * ACPI_SRAT_MEM_LEN;
		uint64_t base = (uint64_t)get_u32(data + 1) << 16;
		uint64_t len = (uint64_t)(data[5] | data[6] << 8 | data[7] << 16) << 16;

		memset(e, 0, ACPI_SRAT_MEM_LEN);
		e[0] = 1;
		e[1] = ACPI_SRAT_MEM_LEN;
		e[2] = data[0];
		put_u32(e + 8, (uint32_t)base);
		put_u32(e + 12, (uint32_t)(base >> 32));
		put_u32(e + 16, (uint32_t)len);
		put_u32(e + 20, (uint32_t)(len >> 32));
		e[28] = data[8] & 7;
	}
	return n * ACPI_SRAT_MEM_LEN;
}

static void check_info(void)
{
	if (info.nr_srat_mem > ACPI_SRAT_MEM_MAX)
		abort();
	if (info.nr_srat_mem && !info.have_srat)
		abort();
	for (uint32_t i = 0; i < info.nr_srat_mem; i++)
		if (info.srat_mem[i].start > info.srat_mem[i].end)
			abort();
	for (uint32_t i = 0; i < info.nr_warnings && i < ACPI_WARN_MAX; i++)
		if (info.warnings[i].problem == ACPI_OK ||
		    strcmp(acpi_strerror(info.warnings[i].problem), "?") == 0)
			abort();
}

/* Sections from a fixed small map (RAM below and above 4 GiB) and the SRAT. */
static void check_sections(uint32_t section_bits)
{
	static const struct page_source alloc = { alloc_pages, free_pages, NULL };
	static struct section_table t;
	uint64_t bad;
	int err;

	memset(&map, 0, sizeof(map));
	map.ranges[0] = (struct mem_range){ 0x1000, 0x9f000, MEM_USABLE };
	map.ranges[1] = (struct mem_range){ 0x100000, 0x10000000, MEM_USABLE };
	map.ranges[2] = (struct mem_range){ 0x10000000, 0x10100000, MEM_RESERVED };
	map.ranges[3] = (struct mem_range){ 0x100000000, 0x100201000, MEM_RECLAIMABLE };
	map.nr_ranges = 4;
	map.phys_bits = PHYS_BITS;

	if (sections_init(&t, section_bits, PHYS_BITS, &alloc) != SECTIONS_OK)
		abort();
	err = sections_build(&t, &map, &info);
	if (err != SECTIONS_OK && err != SECTIONS_ERR_NOMEM)
		abort();
	if (err == SECTIONS_OK) {
		if (sections_check_memmap(&t, &map, &bad) != 0)
			abort();
		if (t.nr_possible < t.nr_present || t.max_possible_pfn < 0x100201)
			abort();
		for (uint32_t i = 0; i < info.nr_srat_mem; i++) {
			const struct acpi_srat_mem *m = &info.srat_mem[i];
			uint64_t pfn = m->start >> PAGE_SHIFT;

			if (!m->enabled || !m->hotplug || m->start == m->end ||
			    pfn >= t.end_pfn)
				continue;
			if (!sections_pfn_possible(&t, pfn) ||
			    !sections_range_possible(&t, pfn, pfn + 1) ||
			    t.max_possible_pfn <= pfn)
				abort();
		}
	}
	sections_free(&t);
	if (pages_out != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *mem;
	uint8_t mode;

	if (size < 1 || size > 65536)
		return 0;
	mode = data[0];
	data++;
	size--;
	if (mode & 1) {
		mem = malloc(size ? size : 1);
		if (!mem)
			return 0;
		memcpy(mem, data, size);
		fuzz_walk(mem, size, mode & 2);
	} else {
		/* Entries as bytes, or expanded (5 bytes larger each), after a header. */
		mem = calloc(1, 48 + 5 * size);
		if (!mem)
			return 0;
		if (mode & 2)
			fuzz_srat(mem, 48 + expand_entries(mem + 48, data, size));
		else
			fuzz_srat(mem, 48 + (memcpy(mem + 48, data, size), size));
	}
	check_info();
	if (info.nr_srat_mem > 0)
		check_sections(22 + ((mode >> 2) & 15) % 11);
	free(mem);
	return 0;
}
