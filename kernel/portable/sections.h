/*
 * sections.h: sparse memory sections, in the style of Linux SPARSEMEM.
 *
 * Physical memory is cut into sections of 1 << section_bits bytes (default
 * 27: 128 MiB, 32768 pfns). Section number n covers pfns
 * [n << PFN_SECTION_SHIFT, (n + 1) << PFN_SECTION_SHIFT), where
 * PFN_SECTION_SHIFT = section_bits - PAGE_SHIFT. Each section records:
 *   - present:  it holds RAM (usable or reclaimable ranges of the memmap);
 *   - online:   its RAM is in use by the kernel (all boot RAM is online);
 *   - hotplug:  it overlaps a hotpluggable range of the ACPI SRAT;
 *   - node:     the NUMA proximity domain of the first memory added to it
 *               (0 when the SRAT is absent or does not cover it);
 *   - nr_pages: its RAM pages, exactly;
 *   - two maps of its 2 MiB subsections: which hold RAM ("present") and
 *     which hold RAM or hotpluggable memory ("possible").
 *
 * pfn_valid(pfn) is true exactly for pfns in present subsections, as in
 * Linux; a subsection only partly RAM is valid as a whole. "Possible" pfns
 * are valid pfns plus the hotpluggable subsections. max_possible_pfn is one
 * past the highest possible pfn, exact to the page (Linux's max_pfn and
 * max_possible_pfn follow the same convention).
 *
 * The table is two-level (Linux's SPARSEMEM_EXTREME): a root array of
 * pointers, one per 4 KiB page of sections, allocated at init to cover the
 * whole physical address width; a page of sections is allocated only when
 * one of its sections gets memory. A NULL root entry means "no memory in
 * any of these sections", so lookups and range queries skip it whole.
 *
 * This module is portable: memory comes through struct page_source (the
 * frame allocator in the kernel, a static arena in the tests), so the host
 * tests drive the same code. kernel/sections_boot.c builds the kernel's
 * table (kernel/sections_boot.h).
 */
#ifndef DYNFLAGS_SECTIONS_H
#define DYNFLAGS_SECTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/portable/acpi.h"
#include "kernel/portable/memmap.h"

#define SECTION_BITS_DEFAULT 27
#define SECTION_BITS_MIN     22
#define SECTION_BITS_MAX     32
#define SUBSECTION_SHIFT     21   /* 2 MiB subsections */
#define PFN_SUBSECTION_SHIFT (SUBSECTION_SHIFT - PAGE_SHIFT)
#define SECTIONS_PHYS_BITS_MIN 32
#define SECTIONS_PHYS_BITS_MAX 52

/* Section flags. */
#define SECTION_PRESENT 0x1u
#define SECTION_ONLINE  0x2u
#define SECTION_HOTPLUG 0x4u
#define SECTION_ADDED   0x8u  /* holds RAM onlined after boot (hotplug),
				 which no firmware memory map describes */

/*
 * One section. The two subsection maps follow the fixed part: `words`
 * 64-bit words of present bits, then `words` of possible bits, where
 * words = table->subsection_words. Use the accessors below.
 */
struct section {
	uint32_t flags;       /* SECTION_* */
	uint32_t node;        /* NUMA proximity domain */
	uint32_t nr_pages;    /* RAM pages in the section (<= 1 << 20) */
	uint32_t reserved;
	uint64_t maps[];      /* present map, then possible map */
};


struct section_table {
	uint32_t section_bits;      /* log2 of the section size in bytes */
	uint32_t phys_bits;         /* physical address width covered */
	uint64_t nr_sections;       /* 1 << (phys_bits - section_bits) */
	uint64_t end_pfn;           /* 1 << (phys_bits - PAGE_SHIFT) */
	uint32_t subsection_words;  /* 64-bit words in one subsection map */
	uint32_t section_bytes;     /* sizeof(struct section) + both maps */
	uint32_t sections_per_page;
	uint64_t nr_root;           /* root entries = pages of sections */
	uint64_t root_pages;        /* 4 KiB pages holding the root */
	void **root;                /* root[i]: page of sections, or NULL */
	struct page_source alloc;

	uint64_t nr_present;        /* sections with SECTION_PRESENT */
	uint64_t nr_possible;       /* sections present or hotplug */
	uint64_t nr_section_pages;  /* pages of sections allocated */
	uint64_t max_possible_pfn;  /* one past the highest possible pfn */
	uint32_t nr_clipped;        /* SRAT ranges cut at the physical width */
};

/* Results: 0 or a negative error; sections_strerror() describes them. */
enum sections_error {
	SECTIONS_OK = 0,
	SECTIONS_ERR_BITS = -1,       /* section_bits outside 22..32 */
	SECTIONS_ERR_PHYS_BITS = -2,  /* physical width outside 32..52 */
	SECTIONS_ERR_NOMEM = -3,      /* the allocator gave no memory */
	SECTIONS_ERR_RANGE = -4,      /* pfn range reversed or past the width */
	SECTIONS_ERR_NO_MAP = -5,     /* no memory map to build from */
	SECTIONS_ERR_DISAGREE = -6,   /* a section disagrees with the memory map */
	SECTIONS_ERR_PAST_WIDTH = -7, /* "past-width": beyond the physical width */
	SECTIONS_ERR_OUTSIDE_SRAT = -8, /* "outside-srat": not in one hotpluggable range */
	SECTIONS_ERR_OVERLAP_RAM = -9,  /* "overlaps-ram": present memory is there */
	SECTIONS_ERR_OVERLAP_DIMM = -10,/* "overlaps-dimm": another DIMM is there */
	SECTIONS_ERR_UNALIGNED = -11, /* "unaligned": not whole 2 MiB subsections */
	SECTIONS_ERR_NOT_ONLINE = -12,/* "not-online": offline of memory not onlined */
};

const char *sections_strerror(int err);

/* The short name of an error for report lines: "past-width", ... */
const char *sections_reason(int err);

/*
 * Set up an empty table for section_bits and phys_bits, allocating the
 * root. On error nothing stays allocated and *t describes no sections.
 */
int sections_init(struct section_table *t, uint32_t section_bits,
		  uint32_t phys_bits, const struct page_source *alloc);

/* Give back every page the table holds; *t describes no sections after. */
void sections_free(struct section_table *t);

/*
 * Add RAM pfns [start_pfn, end_pfn) of NUMA node `node`: the sections they
 * touch become present and online. Ranges must not overlap RAM added
 * before (nr_pages counts each call). An empty range does nothing. On
 * SECTIONS_ERR_NOMEM the sections before the failure hold their part of
 * the range, consistently; sections_free() still returns everything.
 */
int sections_add_ram(struct section_table *t, uint64_t start_pfn,
		     uint64_t end_pfn, uint32_t node);

/* Add a hotpluggable pfn range: its sections become hotplug (possible). */
int sections_add_hotplug(struct section_table *t, uint64_t start_pfn,
			 uint64_t end_pfn, uint32_t node);

/*
 * Fill an empty table from the memory map's RAM (usable + reclaimable),
 * split by the SRAT's enabled entries into nodes, and the SRAT's enabled
 * hotpluggable ranges (cut at the physical width, counted in nr_clipped).
 * acpi may be NULL or without SRAT: then all RAM is node 0.
 */
int sections_build(struct section_table *t, const struct memmap *map,
		   const struct acpi_info *acpi);

/*
 * Memory hotplug. A pfn range [start_pfn, end_pfn) as another DIMM holds.
 */
struct sections_range {
	uint64_t start_pfn, end_pfn;
};

/*
 * May [start_pfn, end_pfn) be onlined as hot-added memory? In this
 * order: it must be non-empty and whole 2 MiB subsections (UNALIGNED),
 * end within the physical width (PAST_WIDTH), lie wholly inside one
 * enabled hotpluggable SRAT entry of `acpi` (OUTSIDE_SRAT; no SRAT: every
 * range is outside), meet none of the `nr_others` ranges of `others`
 * (OVERLAP_DIMM), and hold no present pfn (OVERLAP_RAM). Reads only.
 */
int sections_check_hotplug(const struct section_table *t,
			   const struct acpi_info *acpi, uint64_t start_pfn,
			   uint64_t end_pfn, const struct sections_range *others,
			   uint32_t nr_others);

/*
 * Online [start_pfn, end_pfn) (whole subsections, none present): its
 * subsections become present and possible, its sections present, online
 * and SECTION_ADDED, with `node` where they had no RAM; nr_pages grows.
 * All or nothing: a page of sections it needs (only where the range is
 * not hotplug already) is allocated first; on SECTIONS_ERR_NOMEM the
 * pages it took are given back and the table is as before.
 *
 * Offline undoes it: [start_pfn, end_pfn) must be present subsections of
 * SECTION_ADDED sections (else SECTIONS_ERR_NOT_ONLINE, nothing changed);
 * their present bits go, nr_pages shrinks, and a section left with no
 * RAM is present and online no more (it stays hotplug). No page is given
 * back: the sections stay possible.
 */
int sections_online(struct section_table *t, uint64_t start_pfn,
		    uint64_t end_pfn, uint32_t node);
int sections_offline(struct section_table *t, uint64_t start_pfn,
		     uint64_t end_pfn);

/* Lookups. pfns past the physical width are neither valid nor possible. */
static inline uint64_t pfn_to_section_nr(const struct section_table *t,
					 uint64_t pfn)
{
	return pfn >> (t->section_bits - PAGE_SHIFT);
}

static inline uint64_t section_nr_to_pfn(const struct section_table *t,
					 uint64_t section_nr)
{
	return section_nr << (t->section_bits - PAGE_SHIFT);
}

/* Section section_nr, or NULL when its page of sections is absent. */
const struct section *sections_get(const struct section_table *t,
				   uint64_t section_nr);

/*
 * The first section numbered >= section_nr that is present or hotplug,
 * or t->nr_sections when there is none. Absent pages are skipped whole:
 *   for (n = sections_next(t, 0); n < t->nr_sections; n = sections_next(t, n + 1))
 */
uint64_t sections_next(const struct section_table *t, uint64_t section_nr);

/* A section's subsection maps (subsection_words words each). */
const uint64_t *section_present_map(const struct section_table *t,
				    const struct section *s);
const uint64_t *section_possible_map(const struct section_table *t,
				     const struct section *s);

/* Is pfn inside a present (RAM) subsection? */
bool sections_pfn_valid(const struct section_table *t, uint64_t pfn);

/* Is pfn inside a present or hotpluggable subsection? */
bool sections_pfn_possible(const struct section_table *t, uint64_t pfn);

/*
 * Does pfn range [start_pfn, end_pfn) hold any valid (present) pfn, or any
 * possible pfn? Every section overlapping the range is tested, subsection
 * by subsection, not just the endpoints; end_pfn itself is never looked
 * at. An empty or reversed range holds nothing.
 */
bool sections_range_present(const struct section_table *t, uint64_t start_pfn,
			    uint64_t end_pfn);
bool sections_range_possible(const struct section_table *t, uint64_t start_pfn,
			     uint64_t end_pfn);

/*
 * The same two queries with the table as an untyped context, the form of
 * the page-flags library's pfn-space callbacks (pageflags_range_fn):
 *   space.range_present = sections_range_present_cb;
 *   space.range_possible = sections_range_possible_cb;
 *   space.ctx = &kernel_sections;
 *   space.possible_end_pfn = max_possible_pfn();
 */
bool sections_range_present_cb(void *table, uint64_t start_pfn, uint64_t end_pfn);
bool sections_range_possible_cb(void *table, uint64_t start_pfn, uint64_t end_pfn);

/*
 * Check the table against the memory map: every section's nr_pages equals
 * the map's RAM pages in it, present holds exactly when nr_pages > 0, and
 * each subsection is present exactly when the map has RAM in it. Returns 0,
 * or SECTIONS_ERR_DISAGREE with *bad_section_nr set to the first section that disagrees.
 */
/* Sections with SECTION_ADDED hold memory the map cannot know of, and are
 * not checked. */
int sections_check_memmap(const struct section_table *t,
			  const struct memmap *map, uint64_t *bad_section_nr);

/*
 * Print the report through `print` (kprintf in the kernel):
 *   # section: nr=32 start=0x100000000 state=present,online node=0 pages=32768
 *       (one per present or hotplug section)
 *   # sections: bits=27 present=24 possible=24 max_possible_pfn=0x140000 ...
 */
void sections_report(const struct section_table *t,
		     void (*print)(const char *fmt, ...));

/* The "# section:" lines of sections [first_nr, end_nr) only (a DIMM's,
 * after it came). */
void sections_report_range(const struct section_table *t, uint64_t first_nr,
			   uint64_t end_nr, void (*print)(const char *fmt, ...));

#endif
