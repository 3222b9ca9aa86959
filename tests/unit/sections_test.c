/*
 * sections_test.c: the sparse section table, on hand-made memory layouts.
 *
 * Memory for the tables comes from test_alloc: single pages from
 * ktest_page_alloc(), the (contiguous) root from a small static arena. It
 * counts pages given and returned, and can fail the N-th allocation, so
 * every test also proves that sections_free() returns everything and that
 * running out of memory is an error value. (tests/kernel/sections_boot_ktest.c checks
 * the table built at boot against the real machine.)
 */
#include <stdint.h>
#include <string.h>

#include "kernel/portable/sections.h"
#include "tests/ktest.h"

#define ARENA_PAGES 8
#define PFNS_PER_SUB (1ull << PFN_SUBSECTION_SHIFT)   /* 512 */
#define GIB_PFNS     (1ull << 18)

static uint8_t arena[ARENA_PAGES * 4096] __attribute__((aligned(4096)));

struct test_alloc {
	bool arena_used;
	uint64_t pages_out;        /* given and not yet returned */
	uint64_t calls;
	uint64_t fail_at;          /* 0 = never, else the N-th call fails */
	uint64_t last_request;     /* nr_pages of the last call */
};

static struct test_alloc ta;

static void *test_alloc_pages(void *ctx, uint64_t nr_pages)
{
	struct test_alloc *a = ctx;
	void *p;

	a->calls++;
	a->last_request = nr_pages;
	if (a->fail_at && a->calls == a->fail_at)
		return NULL;
	if (nr_pages == 1) {
		p = ktest_page_alloc();
	} else {
		if (a->arena_used || nr_pages > ARENA_PAGES)
			return NULL;
		a->arena_used = true;
		memset(arena, 0, sizeof(arena));
		p = arena;
	}
	if (p)
		a->pages_out += nr_pages;
	return p;
}

static void test_free_pages(void *ctx, void *pages, uint64_t nr_pages)
{
	struct test_alloc *a = ctx;

	if (pages == arena)
		a->arena_used = false;
	else
		ktest_page_free(pages);
	a->pages_out -= nr_pages;
}

static const struct page_source alloc = {
	test_alloc_pages, test_free_pages, &ta,
};

static struct section_table table;
static struct memmap map;
static struct acpi_info acpi;

static int init(uint32_t bits, uint32_t phys_bits)
{
	memset(&ta, 0, sizeof(ta));
	return sections_init(&table, bits, phys_bits, &alloc);
}

/* Free the table and check that every page came back. */
static void finish(struct ktest *t)
{
	sections_free(&table);
	KT_EXPECT_EQ(t, ta.pages_out, 0);
	KT_EXPECT(t, !ta.arena_used);
}

static void map_reset(void)
{
	memset(&map, 0, sizeof(map));
	map.phys_bits = 40;
}

static void map_add(uint64_t start, uint64_t end, uint32_t type)
{
	struct mem_range *r = &map.ranges[map.nr_ranges++];

	r->start = start;
	r->end = end;
	r->type = type;
}

static void srat_add(uint64_t start, uint64_t end, uint32_t node, bool hotplug)
{
	struct acpi_srat_mem *m = &acpi.srat_mem[acpi.nr_srat_mem++];

	m->start = start;
	m->end = end;
	m->node = node;
	m->enabled = true;
	m->hotplug = hotplug;
	acpi.have_srat = true;
}

/* ------------------------------------------------------------ set-up --- */

static void init_rejects_bad_widths(struct ktest *t)
{
	static const uint32_t bad_bits[] = { 0, 12, 21, 33, 64, 0xffffffffu };

	for (uint32_t i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
		KT_EXPECT_EQ(t, init(bad_bits[i], 40), SECTIONS_ERR_BITS);
		KT_EXPECT(t, table.root == NULL && table.nr_sections == 0);
	}
	KT_EXPECT_EQ(t, init(27, 31), SECTIONS_ERR_PHYS_BITS);
	KT_EXPECT_EQ(t, init(27, 53), SECTIONS_ERR_PHYS_BITS);
	KT_EXPECT_EQ(t, init(27, 0), SECTIONS_ERR_PHYS_BITS);
	KT_EXPECT_EQ(t, ta.calls, 0);
	/* A table that failed to initialise answers every query with "no". */
	KT_EXPECT(t, !sections_pfn_valid(&table, 0));
	KT_EXPECT(t, !sections_range_possible(&table, 0, ~0ull));
	KT_EXPECT_EQ(t, sections_next(&table, 0), 0);
	KT_EXPECT_EQ(t, sections_add_ram(&table, 0, 1, 0), SECTIONS_ERR_RANGE);
	finish(t);
}

static void init_geometry(struct ktest *t)
{
	/* Every allowed section size on a 40-bit machine. */
	for (uint32_t bits = SECTION_BITS_MIN; bits <= SECTION_BITS_MAX; bits++) {
		uint32_t words = bits <= 27 ? 1 : 1u << (bits - 27);

		KT_ASSERT(t, init(bits, 40) == SECTIONS_OK);
		KT_EXPECT_EQ(t, table.nr_sections, 1ull << (40 - bits));
		KT_EXPECT_EQ(t, table.end_pfn, 1ull << 28);
		KT_EXPECT_EQ(t, table.subsection_words, words);
		KT_EXPECT_EQ(t, table.section_bytes, 16 + 16 * words);
		KT_EXPECT_EQ(t, table.sections_per_page, 4096 / (16 + 16 * words));
		KT_EXPECT(t, table.nr_root * table.sections_per_page >= table.nr_sections);
		KT_EXPECT(t, (table.nr_root - 1) * table.sections_per_page < table.nr_sections);
		KT_EXPECT_EQ(t, ta.last_request, table.root_pages);
		KT_EXPECT_EQ(t, table.nr_present + table.nr_possible, 0);
		finish(t);
	}
	/*
	 * The root covers the whole 52-bit width: 2^25 sections of 128 MiB,
	 * 128 per page, 2^18 pointers = 512 pages; with 4 MiB sections 2^30
	 * sections, 16384 pages. The test arena is smaller: ERR_NOMEM, and
	 * the sizes asked for prove the layout.
	 */
	KT_EXPECT_EQ(t, init(27, 52), SECTIONS_ERR_NOMEM);
	KT_EXPECT_EQ(t, ta.last_request, 512);
	KT_EXPECT_EQ(t, init(22, 52), SECTIONS_ERR_NOMEM);
	KT_EXPECT_EQ(t, ta.last_request, 16384);
	KT_EXPECT(t, table.root == NULL);
	KT_EXPECT_EQ(t, init(27, 46), SECTIONS_OK);   /* 4096 pointers, 8 pages */
	KT_EXPECT_EQ(t, table.root_pages, 8);
	finish(t);
}

/* ------------------------------------------------------ section edges --- */

static void range_ending_on_section_boundary(struct ktest *t)
{
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	/* pfns [0x8000, 0x10000): exactly section 1, nothing of section 2. */
	KT_EXPECT_EQ(t, sections_add_ram(&table, 0x8000, 0x10000, 0), SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_present, 1);
	KT_EXPECT_EQ(t, table.nr_possible, 1);
	KT_EXPECT_EQ(t, sections_get(&table, 1)->nr_pages, 0x8000);
	KT_EXPECT_EQ(t, sections_get(&table, 1)->flags, SECTION_PRESENT | SECTION_ONLINE);
	KT_EXPECT_EQ(t, sections_get(&table, 2)->flags, 0);
	KT_EXPECT_EQ(t, sections_get(&table, 0)->flags, 0);
	KT_EXPECT_EQ(t, sections_next(&table, 0), 1);
	KT_EXPECT_EQ(t, sections_next(&table, 2), table.nr_sections);
	KT_EXPECT(t, sections_pfn_valid(&table, 0xffff));
	KT_EXPECT(t, !sections_pfn_valid(&table, 0x10000));
	KT_EXPECT(t, !sections_pfn_valid(&table, 0x7fff));
	KT_EXPECT(t, !sections_range_present(&table, 0x10000, 0x18000));
	KT_EXPECT(t, !sections_range_present(&table, 0, 0x8000));
	KT_EXPECT(t, sections_range_present(&table, 0xffff, 0x10000));
	KT_EXPECT_EQ(t, table.max_possible_pfn, 0x10000);

	/* An empty range changes nothing, a reversed one is an error. */
	KT_EXPECT_EQ(t, sections_add_ram(&table, 0x20000, 0x20000, 0), SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_add_ram(&table, 0x20001, 0x20000, 0), SECTIONS_ERR_RANGE);
	KT_EXPECT_EQ(t, sections_add_hotplug(&table, 5, 4, 0), SECTIONS_ERR_RANGE);
	/* Past the 40-bit width (2^28 pfns). */
	KT_EXPECT_EQ(t, sections_add_ram(&table, 0xfffffff, 0x10000001, 0),
		     SECTIONS_ERR_RANGE);
	KT_EXPECT_EQ(t, sections_add_ram(&table, 0xfffffff, 0x10000000, 0), SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_present, 2);
	KT_EXPECT_EQ(t, sections_next(&table, 2), table.nr_sections - 1);
	KT_EXPECT(t, sections_pfn_valid(&table, 0xfffffff));
	KT_EXPECT(t, !sections_pfn_valid(&table, 0x10000000));
	KT_EXPECT(t, !sections_pfn_valid(&table, ~0ull));
	KT_EXPECT_EQ(t, table.max_possible_pfn, 0x10000000);
	finish(t);
}

/*
 * The expected answer of pfn_valid, computed the slow, obvious way: is
 * there RAM in the 2 MiB subsection holding pfn?
 */
static bool expect_valid(const uint64_t (*ram)[2], uint32_t n, uint64_t pfn)
{
	uint64_t sub = pfn & ~(PFNS_PER_SUB - 1);

	for (uint32_t i = 0; i < n; i++)
		if (ram[i][0] < sub + PFNS_PER_SUB && sub < ram[i][1])
			return true;
	return false;
}

/* RAM pfn ranges with odd edges, holes, and a whole empty GiB. */
static const uint64_t edge_ram[][2] = {
	{ 0x1, 0x9f },             /* below 640 KiB, page 0 left out */
	{ 0x100, 0x7f8ee },        /* 1 MiB up to an unaligned end */
	{ 0x7fa00, 0x7fc01 },      /* one page into the next subsection */
	{ 0x100000, 0x140000 },    /* 4 GiB .. 5 GiB, aligned */
	{ 0x1401ff, 0x140200 },    /* the last page of a subsection */
	{ 0x180200, 0x180201 },    /* the first page of a subsection */
};
#define NR_EDGE_RAM (sizeof(edge_ram) / sizeof(edge_ram[0]))

static void pfn_valid_at_every_subsection_edge(struct ktest *t)
{
	for (uint32_t bits = SECTION_BITS_MIN; bits <= SECTION_BITS_MAX; bits++) {
		uint64_t pages = 0, ram_pages = 0;

		KT_ASSERT(t, init(bits, 40) == SECTIONS_OK);
		for (uint32_t i = 0; i < NR_EDGE_RAM; i++) {
			KT_ASSERT(t, sections_add_ram(&table, edge_ram[i][0],
						      edge_ram[i][1], 0) == SECTIONS_OK);
			ram_pages += edge_ram[i][1] - edge_ram[i][0];
		}
		/* Both sides of every subsection edge up to 7 GiB. */
		for (uint64_t edge = 0; edge <= 7 * GIB_PFNS; edge += PFNS_PER_SUB) {
			if (edge > 0 && sections_pfn_valid(&table, edge - 1) !=
					expect_valid(edge_ram, NR_EDGE_RAM, edge - 1)) {
				ktest_fail(t, __FILE__, __LINE__,
					   "bits=%u pfn_valid(0x%llx) wrong", bits,
					   (unsigned long long)(edge - 1));
				break;
			}
			if (sections_pfn_valid(&table, edge) !=
			    expect_valid(edge_ram, NR_EDGE_RAM, edge)) {
				ktest_fail(t, __FILE__, __LINE__,
					   "bits=%u pfn_valid(0x%llx) wrong", bits,
					   (unsigned long long)edge);
				break;
			}
		}
		/* Page counts add up, present == possible without hotplug. */
		for (uint64_t nr = sections_next(&table, 0); nr < table.nr_sections;
		     nr = sections_next(&table, nr + 1))
			pages += sections_get(&table, nr)->nr_pages;
		KT_EXPECT_EQ(t, pages, ram_pages);
		KT_EXPECT_EQ(t, table.nr_present, table.nr_possible);
		KT_EXPECT_EQ(t, table.max_possible_pfn, 0x180201);
		finish(t);
	}
}

static void section_counts_per_size(struct ktest *t)
{
	/*
	 * The edge layout, by hand: 27-bit sections (0x8000 pfns): sections
	 * 0..15 (pfns 0..0x7fc01), 32..39 (4..5 GiB), 40 (0x1401ff) and 48
	 * (0x180200): 26. 32-bit sections (4 GiB): section 0 and 1: 2.
	 * 22-bit sections (0x400 pfns, 4 MiB): 0x7fc01 pfns need 0x1ff
	 * sections + 1 (0x7fc00 .. 0x7fc01 is section 0x1ff) = 0x200 minus
	 * the absent ones between 0x7f8ee and 0x7fa00 (none: same section
	 * 0x1fe) -> 512; 4..5 GiB: 256; then 1 and 1: 770.
	 */
	static const struct { uint32_t bits; uint64_t present; } want[] = {
		{ 27, 26 }, { 32, 2 }, { 22, 770 },
	};

	for (uint32_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		KT_ASSERT(t, init(want[w].bits, 40) == SECTIONS_OK);
		for (uint32_t i = 0; i < NR_EDGE_RAM; i++)
			sections_add_ram(&table, edge_ram[i][0], edge_ram[i][1], 0);
		KT_EXPECT_EQ(t, table.nr_present, want[w].present);
		finish(t);
	}
}

/* ------------------------------------------------------ range queries --- */

static void range_query_tests_every_section(struct ktest *t)
{
	uint64_t s5, s300;

	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	s5 = section_nr_to_pfn(&table, 5);
	s300 = section_nr_to_pfn(&table, 300);   /* third page of sections */
	/* One subsection of RAM in the middle of section 5, one in 300. */
	KT_ASSERT(t, sections_add_ram(&table, s5 + 0x4000, s5 + 0x4200, 0) == SECTIONS_OK);
	KT_ASSERT(t, sections_add_ram(&table, s300, s300 + 1, 0) == SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_section_pages, 2);

	/* Neither endpoint holds memory; the middle does. */
	KT_EXPECT(t, sections_range_present(&table, 0, section_nr_to_pfn(&table, 10)));
	KT_EXPECT(t, sections_range_possible(&table, 0, section_nr_to_pfn(&table, 10)));
	KT_EXPECT(t, sections_range_present(&table, s5 + 0x41ff, s5 + 0x4200));
	KT_EXPECT(t, !sections_range_present(&table, s5 + 0x4200, s5 + 0x8000));
	KT_EXPECT(t, !sections_range_present(&table, s5, s5 + 0x4000));
	/* Across absent pages of sections, up to and past the width. */
	KT_EXPECT(t, !sections_range_present(&table, s5 + 0x8000, s300));
	KT_EXPECT(t, sections_range_present(&table, s5 + 0x8000, s300 + 1));
	KT_EXPECT(t, sections_range_present(&table, s300, ~0ull));
	KT_EXPECT(t, !sections_range_present(&table, s300 + PFNS_PER_SUB, ~0ull));
	KT_EXPECT(t, sections_range_present(&table, 0, ~0ull));
	/* Empty and reversed ranges hold nothing. */
	KT_EXPECT(t, !sections_range_present(&table, s300, s300));
	KT_EXPECT(t, !sections_range_present(&table, s300 + 1, s300));
	KT_EXPECT(t, !sections_range_possible(&table, ~0ull, ~0ull));
	/* The untyped forms for the page-flags library answer the same. */
	KT_EXPECT(t, sections_range_present_cb(&table, 0, section_nr_to_pfn(&table, 10)));
	KT_EXPECT(t, sections_range_possible_cb(&table, s300, s300 + 1));
	KT_EXPECT(t, !sections_range_present_cb(&table, s5 + 0x8000, s300));
	KT_EXPECT(t, !sections_range_possible_cb(&table, s5 + 0x8000, s300));
	finish(t);
}

static void hotplug_is_possible_not_present(struct ktest *t)
{
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	/* 1 GiB of RAM, hotpluggable 4..12 GiB of node 1. */
	KT_ASSERT(t, sections_add_ram(&table, 0, GIB_PFNS, 0) == SECTIONS_OK);
	KT_ASSERT(t, sections_add_hotplug(&table, 4 * GIB_PFNS, 12 * GIB_PFNS, 1) ==
		  SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_present, 8);
	KT_EXPECT_EQ(t, table.nr_possible, 8 + 64);
	KT_EXPECT_EQ(t, table.max_possible_pfn, 12 * GIB_PFNS);
	KT_EXPECT_EQ(t, sections_get(&table, 32)->flags, SECTION_HOTPLUG);
	KT_EXPECT_EQ(t, sections_get(&table, 32)->node, 1);
	KT_EXPECT_EQ(t, sections_get(&table, 32)->nr_pages, 0);
	KT_EXPECT_EQ(t, sections_get(&table, 95)->flags, SECTION_HOTPLUG);
	KT_EXPECT_EQ(t, sections_get(&table, 96)->flags, 0);
	KT_EXPECT_EQ(t, sections_next(&table, 8), 32);
	KT_EXPECT_EQ(t, sections_next(&table, 96), table.nr_sections);
	KT_EXPECT(t, !sections_pfn_valid(&table, 4 * GIB_PFNS));
	KT_EXPECT(t, sections_pfn_possible(&table, 4 * GIB_PFNS));
	KT_EXPECT(t, sections_pfn_possible(&table, 12 * GIB_PFNS - 1));
	KT_EXPECT(t, !sections_pfn_possible(&table, 12 * GIB_PFNS));
	KT_EXPECT(t, sections_pfn_possible(&table, 0));
	KT_EXPECT(t, !sections_range_present(&table, GIB_PFNS, 16 * GIB_PFNS));
	KT_EXPECT(t, sections_range_possible(&table, GIB_PFNS, 16 * GIB_PFNS));
	KT_EXPECT(t, !sections_range_possible(&table, GIB_PFNS, 4 * GIB_PFNS));

	/* A hotplug range over present RAM: the section is both. */
	KT_ASSERT(t, sections_add_hotplug(&table, 0, 0x100, 2) == SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_get(&table, 0)->flags,
		     SECTION_PRESENT | SECTION_ONLINE | SECTION_HOTPLUG);
	KT_EXPECT_EQ(t, sections_get(&table, 0)->node, 0);   /* RAM came first */
	KT_EXPECT_EQ(t, table.nr_possible, 72);
	finish(t);
}

static void hotplug_exact_to_subsection(struct ktest *t)
{
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	/*
	 * Hotplug pfns [4 GiB + 0x300, 4 GiB + 0x501): subsections 1 and 2,
	 * pfns 0x200..0x5ff of the section, are possible as a whole.
	 */
	KT_ASSERT(t, sections_add_hotplug(&table, 4 * GIB_PFNS + 0x300,
					  4 * GIB_PFNS + 0x501, 0) == SECTIONS_OK);
	KT_EXPECT(t, !sections_pfn_possible(&table, 4 * GIB_PFNS + 0x1ff));
	KT_EXPECT(t, sections_pfn_possible(&table, 4 * GIB_PFNS + 0x200));
	KT_EXPECT(t, sections_pfn_possible(&table, 4 * GIB_PFNS + 0x5ff));
	KT_EXPECT(t, !sections_pfn_possible(&table, 4 * GIB_PFNS + 0x600));
	KT_EXPECT_EQ(t, table.max_possible_pfn, 4 * GIB_PFNS + 0x501);
	finish(t);
}

/* --------------------------------------------------------- allocation --- */

static void out_of_memory_is_an_error(struct ktest *t)
{
	/* The root (call 1) fails: nothing allocated, no table. */
	memset(&ta, 0, sizeof(ta));
	ta.fail_at = 1;
	KT_EXPECT_EQ(t, sections_init(&table, 27, 40, &alloc), SECTIONS_ERR_NOMEM);
	KT_EXPECT_EQ(t, ta.pages_out, 0);
	KT_EXPECT(t, table.root == NULL);

	/* The second page of sections (call 3) fails half-way through. */
	memset(&ta, 0, sizeof(ta));
	ta.fail_at = 3;
	KT_ASSERT(t, sections_init(&table, 27, 40, &alloc) == SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_add_ram(&table, 0, 40 * GIB_PFNS, 0), SECTIONS_ERR_NOMEM);
	KT_EXPECT_EQ(t, table.nr_section_pages, 1);
	KT_EXPECT_EQ(t, ta.pages_out, 2);
	/* The first page was filled; the table stays consistent. */
	KT_EXPECT_EQ(t, table.nr_present, 128);
	KT_EXPECT(t, sections_pfn_valid(&table, 16 * GIB_PFNS - 1));
	KT_EXPECT(t, !sections_pfn_valid(&table, 16 * GIB_PFNS));
	finish(t);

	/* The same through sections_build. */
	map_reset();
	map_add(0, 40ull << 30, MEM_USABLE);
	memset(&ta, 0, sizeof(ta));
	ta.fail_at = 2;
	KT_ASSERT(t, sections_init(&table, 27, 40, &alloc) == SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_build(&table, &map, NULL), SECTIONS_ERR_NOMEM);
	finish(t);
}

static void error_names(struct ktest *t)
{
	KT_EXPECT(t, strcmp(sections_strerror(SECTIONS_OK), "ok") == 0);
	KT_EXPECT(t, strcmp(sections_strerror(SECTIONS_ERR_BITS),
			    "section_bits outside 22..32") == 0);
	KT_EXPECT(t, strcmp(sections_strerror(-99), "unknown error") == 0);
	KT_EXPECT(t, strcmp(sections_strerror(5), "unknown error") == 0);
	for (int e = SECTIONS_ERR_NO_MAP; e <= 0; e++)
		KT_EXPECT(t, strcmp(sections_strerror(e), "unknown error") != 0);
}

/* ------------------------------------------------- from map and SRAT --- */

/* The memory map of a q35 with 2 GiB of RAM, roughly as OVMF gives it. */
static void q35_2g_map(void)
{
	map_reset();
	map_add(0x0, 0x9f000, MEM_USABLE);
	map_add(0x100000, 0x800000, MEM_USABLE);
	map_add(0x800000, 0x808000, MEM_ACPI_NVS);
	map_add(0x808000, 0x810000, MEM_USABLE);
	map_add(0x810000, 0x900000, MEM_ACPI_NVS);
	map_add(0x900000, 0x7e000000, MEM_USABLE);
	map_add(0x7e000000, 0x7f000000, MEM_RECLAIMABLE);
	map_add(0x7f000000, 0x7f800000, MEM_ACPI_RECLAIM);
	map_add(0x7f800000, 0x80000000, MEM_RESERVED);
	map_add(0xb0000000, 0xc0000000, MEM_MMIO);
}

static void build_without_srat(struct ktest *t)
{
	uint64_t bad = 0;

	q35_2g_map();
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, NULL) == SECTIONS_OK);
	/* RAM ends at 0x7f000000 (acpi-reclaim after it is not RAM). */
	KT_EXPECT_EQ(t, table.nr_present, 16);
	KT_EXPECT_EQ(t, table.nr_possible, 16);
	KT_EXPECT_EQ(t, table.max_possible_pfn, 0x7f000);
	for (uint64_t nr = 0; nr < 16; nr++)
		KT_EXPECT_EQ(t, sections_get(&table, nr)->node, 0);
	/* Section 0 lacks 640K..1M, and the two NVS ranges. */
	KT_EXPECT_EQ(t, sections_get(&table, 0)->nr_pages, 0x8000 - 0x61 - 0x8 - 0xf0);
	KT_EXPECT_EQ(t, sections_get(&table, 1)->nr_pages, 0x8000);
	KT_EXPECT_EQ(t, sections_get(&table, 15)->nr_pages, 0x7000);
	KT_EXPECT(t, sections_pfn_valid(&table, 0x7efff));
	KT_EXPECT(t, !sections_pfn_valid(&table, 0x7f000));
	KT_EXPECT(t, !sections_pfn_valid(&table, 0xb0000));
	/* Valid as a whole: the subsection holding the NVS hole has RAM. */
	KT_EXPECT(t, sections_pfn_valid(&table, 0x800));
	KT_EXPECT_EQ(t, sections_check_memmap(&table, &map, &bad), 0);
	finish(t);

	/* A table with an SRAT that has no SRAT flag set is the same. */
	memset(&acpi, 0, sizeof(acpi));
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, &acpi) == SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_present, 16);
	KT_EXPECT_EQ(t, sections_build(&table, NULL, &acpi), SECTIONS_ERR_NO_MAP);
	finish(t);
}

static void build_with_two_nodes_and_hotplug(struct ktest *t)
{
	uint64_t bad = 0;

	/* QEMU-like SRAT: node 0 below 1 GiB, node 1 above; hotplug 4..13 GiB. */
	q35_2g_map();
	memset(&acpi, 0, sizeof(acpi));
	srat_add(0x0, 0xa0000, 0, false);
	srat_add(0x100000, 0x40000000, 0, false);
	srat_add(0x40000000, 0x80000000, 1, false);
	srat_add(0x100000000, 0x340000000, 1, true);
	acpi.srat_mem[acpi.nr_srat_mem++].start = 0x1000;  /* disabled, empty */
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, &acpi) == SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_present, 16);
	KT_EXPECT_EQ(t, table.nr_possible, 16 + 72);
	KT_EXPECT_EQ(t, table.max_possible_pfn, 0x340000);
	/* The usable range 0x900000..0x7e000000 crosses the node boundary. */
	KT_EXPECT_EQ(t, sections_get(&table, 7)->node, 0);
	KT_EXPECT_EQ(t, sections_get(&table, 8)->node, 1);
	KT_EXPECT_EQ(t, sections_get(&table, 15)->node, 1);
	KT_EXPECT_EQ(t, sections_get(&table, 7)->nr_pages, 0x8000);
	KT_EXPECT_EQ(t, sections_get(&table, 8)->nr_pages, 0x8000);
	KT_EXPECT_EQ(t, sections_get(&table, 32)->flags, SECTION_HOTPLUG);
	KT_EXPECT_EQ(t, sections_get(&table, 32)->node, 1);
	KT_EXPECT_EQ(t, sections_get(&table, 103)->flags, SECTION_HOTPLUG);
	KT_EXPECT_EQ(t, sections_next(&table, 104), table.nr_sections);
	KT_EXPECT_EQ(t, table.nr_clipped, 0);
	KT_EXPECT_EQ(t, sections_check_memmap(&table, &map, &bad), 0);
	finish(t);

	/* A node boundary inside a section: the lower node names it. */
	acpi.srat_mem[1].end = 0x3c000000 + 0x1000;
	acpi.srat_mem[2].start = 0x3c000000 + 0x1000;
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, &acpi) == SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_get(&table, 7)->node, 0);
	KT_EXPECT_EQ(t, sections_get(&table, 7)->nr_pages, 0x8000);
	KT_EXPECT_EQ(t, sections_get(&table, 8)->node, 1);
	finish(t);

	/* RAM that no SRAT entry covers is node 0. */
	acpi.srat_mem[0].start = 0x10000;
	acpi.srat_mem[2].node = 3;
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, &acpi) == SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_get(&table, 0)->node, 0);
	KT_EXPECT_EQ(t, sections_get(&table, 0)->nr_pages, 0x8000 - 0x61 - 0x8 - 0xf0);
	KT_EXPECT_EQ(t, sections_get(&table, 15)->node, 3);
	KT_EXPECT_EQ(t, sections_check_memmap(&table, &map, &bad), 0);
	finish(t);
}

static void build_clips_srat_at_width(struct ktest *t)
{
	q35_2g_map();
	memset(&acpi, 0, sizeof(acpi));
	/* 36-bit machine (64 GiB): hotplug 60..68 GiB is cut, 70.. dropped. */
	srat_add(60ull << 30, 68ull << 30, 0, true);
	srat_add(70ull << 30, 72ull << 30, 0, true);
	KT_ASSERT(t, init(27, 36) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, &acpi) == SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_clipped, 2);
	KT_EXPECT_EQ(t, table.max_possible_pfn, 64 * GIB_PFNS);
	KT_EXPECT_EQ(t, table.nr_possible, 16 + 32);
	KT_EXPECT(t, sections_pfn_possible(&table, 64 * GIB_PFNS - 1));
	finish(t);
}

static void check_finds_disagreement(struct ktest *t)
{
	uint64_t bad = 0;

	q35_2g_map();
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, NULL) == SECTIONS_OK);
	/* RAM the map does not have, in section 20. */
	KT_ASSERT(t, sections_add_ram(&table, 20 * 0x8000 + 7, 20 * 0x8000 + 8, 0) ==
		  SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_check_memmap(&table, &map, &bad), SECTIONS_ERR_DISAGREE);
	KT_EXPECT_EQ(t, bad, 20);
	finish(t);

	/* RAM the table lacks, in section 3. */
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, NULL) == SECTIONS_OK);
	map_add(0x80000000, 0x80001000, MEM_USABLE);
	map.ranges[map.nr_ranges - 1] = map.ranges[map.nr_ranges - 2];
	map.ranges[map.nr_ranges - 2].start = 0x80000000;
	map.ranges[map.nr_ranges - 2].end = 0x80001000;
	map.ranges[map.nr_ranges - 2].type = MEM_USABLE;
	KT_EXPECT_EQ(t, sections_check_memmap(&table, &map, &bad), SECTIONS_ERR_DISAGREE);
	KT_EXPECT_EQ(t, bad, 16);
	finish(t);
}

/* ---------------------------------------------------- memory hotplug --- */

/* The q35 2 GiB machine with hotplug 4..13 GiB of node 1 (QEMU's shape). */
static void hotplug_machine(struct ktest *t)
{
	q35_2g_map();
	memset(&acpi, 0, sizeof(acpi));
	srat_add(0x0, 0x80000000, 0, false);
	srat_add(0x100000000, 0x340000000, 1, true);
	KT_ASSERT(t, init(27, 40) == SECTIONS_OK);
	KT_ASSERT(t, sections_build(&table, &map, &acpi) == SECTIONS_OK);
}

static void hotplug_check_each_reason(struct ktest *t)
{
	const struct sections_range dimm = { 4 * GIB_PFNS, 5 * GIB_PFNS };
	uint64_t before = ta.calls;

	hotplug_machine(t);
	before = ta.calls;
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 4 * GIB_PFNS,
					       5 * GIB_PFNS, NULL, 0), SECTIONS_OK);
	/* The whole hotpluggable range, to its last pfn. */
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 4 * GIB_PFNS,
					       13 * GIB_PFNS, NULL, 0), SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 4 * GIB_PFNS,
					       4 * GIB_PFNS, NULL, 0), SECTIONS_ERR_UNALIGNED);
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 4 * GIB_PFNS + 1,
					       5 * GIB_PFNS, NULL, 0), SECTIONS_ERR_UNALIGNED);
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 4 * GIB_PFNS,
					       5 * GIB_PFNS + 8, NULL, 0), SECTIONS_ERR_UNALIGNED);
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 1023 * GIB_PFNS,
					       1025 * GIB_PFNS, NULL, 0), SECTIONS_ERR_PAST_WIDTH);
	/* Past the hotpluggable range's end by one subsection; before it. */
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 12 * GIB_PFNS,
					       13 * GIB_PFNS + PFNS_PER_SUB, NULL, 0),
		     SECTIONS_ERR_OUTSIDE_SRAT);
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 3 * GIB_PFNS,
					       5 * GIB_PFNS, NULL, 0),
		     SECTIONS_ERR_OUTSIDE_SRAT);
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 20 * GIB_PFNS,
					       21 * GIB_PFNS, NULL, 0),
		     SECTIONS_ERR_OUTSIDE_SRAT);
	/* Overlapping another DIMM by one subsection either side. */
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 5 * GIB_PFNS - PFNS_PER_SUB,
					       6 * GIB_PFNS, &dimm, 1),
		     SECTIONS_ERR_OVERLAP_DIMM);
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 5 * GIB_PFNS,
					       6 * GIB_PFNS, &dimm, 1), SECTIONS_OK);
	/* No SRAT: nothing is hotpluggable. */
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, NULL, 4 * GIB_PFNS,
					       5 * GIB_PFNS, NULL, 0),
		     SECTIONS_ERR_OUTSIDE_SRAT);
	/* RAM inside a hotpluggable range (a firmware that says so). */
	KT_ASSERT(t, sections_online(&table, 4 * GIB_PFNS, 5 * GIB_PFNS, 1) == SECTIONS_OK);
	KT_EXPECT_EQ(t, sections_check_hotplug(&table, &acpi, 5 * GIB_PFNS - PFNS_PER_SUB,
					       6 * GIB_PFNS, NULL, 0),
		     SECTIONS_ERR_OVERLAP_RAM);
	KT_EXPECT_EQ(t, ta.calls, before);      /* the checks allocate nothing */
	finish(t);
}

static void online_then_offline(struct ktest *t)
{
	uint64_t bad = 0, pages;

	hotplug_machine(t);
	pages = table.nr_section_pages;
	/* A 512 MiB DIMM at 4 GiB, node 1: sections 32..35. */
	KT_ASSERT(t, sections_online(&table, 4 * GIB_PFNS, 4 * GIB_PFNS + GIB_PFNS / 2, 1) ==
		  SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_present, 16 + 4);
	KT_EXPECT_EQ(t, table.nr_possible, 16 + 72);
	KT_EXPECT_EQ(t, table.nr_section_pages, pages);
	for (uint64_t nr = 32; nr <= 35; nr++) {
		KT_EXPECT_EQ(t, sections_get(&table, nr)->flags,
			     SECTION_PRESENT | SECTION_ONLINE | SECTION_HOTPLUG | SECTION_ADDED);
		KT_EXPECT_EQ(t, sections_get(&table, nr)->nr_pages, 0x8000);
		KT_EXPECT_EQ(t, sections_get(&table, nr)->node, 1);
	}
	KT_EXPECT_EQ(t, sections_get(&table, 36)->flags, SECTION_HOTPLUG);
	KT_EXPECT(t, sections_pfn_valid(&table, 4 * GIB_PFNS));
	KT_EXPECT(t, sections_pfn_valid(&table, 4 * GIB_PFNS + GIB_PFNS / 2 - 1));
	KT_EXPECT(t, !sections_pfn_valid(&table, 4 * GIB_PFNS + GIB_PFNS / 2));
	/* The firmware map knows nothing of it; the check leaves it out. */
	KT_EXPECT_EQ(t, sections_check_memmap(&table, &map, &bad), 0);
	/* Twice is an overlap. */
	KT_EXPECT_EQ(t, sections_online(&table, 4 * GIB_PFNS, 4 * GIB_PFNS + PFNS_PER_SUB, 1),
		     SECTIONS_ERR_OVERLAP_RAM);

	/* Offline: boot RAM and memory never onlined are refused whole. */
	KT_EXPECT_EQ(t, sections_offline(&table, 0, GIB_PFNS), SECTIONS_ERR_NOT_ONLINE);
	KT_EXPECT_EQ(t, sections_offline(&table, 4 * GIB_PFNS, 5 * GIB_PFNS),
		     SECTIONS_ERR_NOT_ONLINE);
	KT_EXPECT_EQ(t, sections_offline(&table, 4 * GIB_PFNS + 1, 5 * GIB_PFNS),
		     SECTIONS_ERR_RANGE);
	KT_EXPECT_EQ(t, table.nr_present, 20);
	KT_ASSERT(t, sections_offline(&table, 4 * GIB_PFNS, 4 * GIB_PFNS + GIB_PFNS / 2) ==
		  SECTIONS_OK);
	KT_EXPECT_EQ(t, table.nr_present, 16);
	KT_EXPECT_EQ(t, table.nr_possible, 16 + 72);
	for (uint64_t nr = 32; nr <= 35; nr++) {
		KT_EXPECT_EQ(t, sections_get(&table, nr)->flags, SECTION_HOTPLUG);
		KT_EXPECT_EQ(t, sections_get(&table, nr)->nr_pages, 0);
	}
	KT_EXPECT(t, !sections_range_present(&table, 4 * GIB_PFNS, 13 * GIB_PFNS));
	KT_EXPECT(t, sections_range_possible(&table, 4 * GIB_PFNS, 5 * GIB_PFNS));
	KT_EXPECT_EQ(t, sections_check_memmap(&table, &map, &bad), 0);
	finish(t);
}

static void online_every_allocation_failure(struct ktest *t)
{
	/*
	 * Memory outside every hotplug range (sections_online does not check
	 * the SRAT) needs new pages of sections: 3 pages for 16..64 GiB. Fail
	 * each allocation in turn: the table must be as before.
	 */
	for (uint64_t fail = 1; fail <= 4; fail++) {
		uint64_t pages, present, possible, calls;
		int err;

		hotplug_machine(t);
		pages = table.nr_section_pages;
		present = table.nr_present;
		possible = table.nr_possible;
		calls = ta.calls;
		ta.fail_at = calls + fail;
		err = sections_online(&table, 20 * GIB_PFNS, 60 * GIB_PFNS, 2);
		if (fail <= 3) {
			KT_EXPECT_EQ(t, err, SECTIONS_ERR_NOMEM);
			KT_EXPECT_EQ(t, table.nr_section_pages, pages);
			KT_EXPECT_EQ(t, table.nr_present, present);
			KT_EXPECT_EQ(t, table.nr_possible, possible);
			KT_EXPECT(t, !sections_range_possible(&table, 20 * GIB_PFNS, 60 * GIB_PFNS));
			KT_EXPECT_EQ(t, sections_next(&table, 104), table.nr_sections);
		} else {
			KT_EXPECT_EQ(t, err, SECTIONS_OK);
			KT_EXPECT_EQ(t, table.nr_section_pages, pages + 3);
			KT_EXPECT_EQ(t, table.nr_present, present + 320);
			/* Offline of memory that is not hotplug takes it all. */
			KT_EXPECT_EQ(t, sections_offline(&table, 20 * GIB_PFNS, 60 * GIB_PFNS),
				     SECTIONS_OK);
			KT_EXPECT_EQ(t, table.nr_present, present);
			KT_EXPECT_EQ(t, table.nr_possible, possible);
			KT_EXPECT(t, !sections_range_possible(&table, 20 * GIB_PFNS, 60 * GIB_PFNS));
		}
		finish(t);
	}
}

static void hotplug_reason_names(struct ktest *t)
{
	KT_EXPECT(t, strcmp(sections_reason(SECTIONS_ERR_OUTSIDE_SRAT), "outside-srat") == 0);
	KT_EXPECT(t, strcmp(sections_reason(SECTIONS_ERR_PAST_WIDTH), "past-width") == 0);
	KT_EXPECT(t, strcmp(sections_reason(SECTIONS_ERR_OVERLAP_RAM), "overlaps-ram") == 0);
	KT_EXPECT(t, strcmp(sections_reason(SECTIONS_ERR_OVERLAP_DIMM), "overlaps-dimm") == 0);
	KT_EXPECT(t, strcmp(sections_reason(-99), "unknown") == 0);
	for (int e = SECTIONS_ERR_NOT_ONLINE; e <= 0; e++) {
		KT_EXPECT(t, strcmp(sections_reason(e), "unknown") != 0);
		KT_EXPECT(t, strcmp(sections_strerror(e), "unknown error") != 0);
	}
}

KTEST_SUITE(sections,
	KTEST_CASE(init_rejects_bad_widths),
	KTEST_CASE(init_geometry),
	KTEST_CASE(range_ending_on_section_boundary),
	KTEST_CASE(pfn_valid_at_every_subsection_edge),
	KTEST_CASE(section_counts_per_size),
	KTEST_CASE(range_query_tests_every_section),
	KTEST_CASE(hotplug_is_possible_not_present),
	KTEST_CASE(hotplug_exact_to_subsection),
	KTEST_CASE(out_of_memory_is_an_error),
	KTEST_CASE(error_names),
	KTEST_CASE(build_without_srat),
	KTEST_CASE(build_with_two_nodes_and_hotplug),
	KTEST_CASE(build_clips_srat_at_width),
	KTEST_CASE(check_finds_disagreement),
	KTEST_CASE(hotplug_check_each_reason),
	KTEST_CASE(online_then_offline),
	KTEST_CASE(online_every_allocation_failure),
	KTEST_CASE(hotplug_reason_names));
