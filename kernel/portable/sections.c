/*
 * sections.c: the sparse section table (see sections.h).
 *
 * Layout. The root is an array of nr_root pointers; entry i points to one
 * 4 KiB page holding sections [i * sections_per_page, (i + 1) *
 * sections_per_page). A section is section_bytes long: the fixed struct
 * section, then its present subsection map, then its possible one. With
 * 27-bit sections a map is one 64-bit word (64 subsections of 2 MiB), so a
 * section is 32 bytes and a page holds 128 of them (16 GiB of address
 * space); the root for a 40-bit width is 64 pointers, for 52 bits 2 MiB.
 *
 * Invariants, kept by every function that adds memory:
 *   - a present subsection is also possible;
 *   - SECTION_PRESENT  <=> nr_pages > 0 <=> some present subsection;
 *   - SECTION_ONLINE   <=> SECTION_PRESENT (boot RAM, and hot-added memory,
 *     is online as soon as it is present);
 *   - SECTION_ADDED    => SECTION_PRESENT: some of its RAM came by hotplug;
 *   - nr_possible counts sections with SECTION_PRESENT or SECTION_HOTPLUG;
 *   - a section is reached only through a non-NULL root entry.
 */
#include "kernel/portable/sections.h"

#include <stddef.h>
#include <string.h>


static const char *const error_names[] = {
	[0] = "ok",
	[-SECTIONS_ERR_BITS] = "section_bits outside 22..32",
	[-SECTIONS_ERR_PHYS_BITS] = "physical address width outside 32..52",
	[-SECTIONS_ERR_NOMEM] = "out of memory for the section table",
	[-SECTIONS_ERR_RANGE] = "pfn range reversed or past the physical width",
	[-SECTIONS_ERR_NO_MAP] = "no memory map",
	[-SECTIONS_ERR_DISAGREE] = "a section disagrees with the memory map",
	[-SECTIONS_ERR_PAST_WIDTH] = "range past the physical address width",
	[-SECTIONS_ERR_OUTSIDE_SRAT] = "range outside every hotpluggable SRAT range",
	[-SECTIONS_ERR_OVERLAP_RAM] = "range overlaps present memory",
	[-SECTIONS_ERR_OVERLAP_DIMM] = "range overlaps another DIMM",
	[-SECTIONS_ERR_UNALIGNED] = "range empty or not whole 2 MiB subsections",
	[-SECTIONS_ERR_NOT_ONLINE] = "range not onlined memory",
};

static const char *const reason_names[] = {
	[0] = "ok",
	[-SECTIONS_ERR_BITS] = "bits",
	[-SECTIONS_ERR_PHYS_BITS] = "phys-bits",
	[-SECTIONS_ERR_NOMEM] = "out-of-memory",
	[-SECTIONS_ERR_RANGE] = "bad-range",
	[-SECTIONS_ERR_NO_MAP] = "no-map",
	[-SECTIONS_ERR_DISAGREE] = "disagree",
	[-SECTIONS_ERR_PAST_WIDTH] = "past-width",
	[-SECTIONS_ERR_OUTSIDE_SRAT] = "outside-srat",
	[-SECTIONS_ERR_OVERLAP_RAM] = "overlaps-ram",
	[-SECTIONS_ERR_OVERLAP_DIMM] = "overlaps-dimm",
	[-SECTIONS_ERR_UNALIGNED] = "unaligned",
	[-SECTIONS_ERR_NOT_ONLINE] = "not-online",
};

const char *sections_reason(int err)
{
	if (err > 0 || -err >= (int)(sizeof(reason_names) / sizeof(reason_names[0])))
		return "unknown";
	return reason_names[-err];
}

const char *sections_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof(error_names) / sizeof(error_names[0])))
		return "unknown error";
	return error_names[-err];
}

/* ------------------------------------------------------------ set-up --- */

int sections_init(struct section_table *t, uint32_t section_bits,
		  uint32_t phys_bits, const struct page_source *alloc)
{
	uint32_t subsections;

	memset(t, 0, sizeof(*t));
	if (section_bits < SECTION_BITS_MIN || section_bits > SECTION_BITS_MAX)
		return SECTIONS_ERR_BITS;
	if (phys_bits < SECTIONS_PHYS_BITS_MIN || phys_bits > SECTIONS_PHYS_BITS_MAX)
		return SECTIONS_ERR_PHYS_BITS;

	subsections = 1u << (section_bits - SUBSECTION_SHIFT);
	t->section_bits = section_bits;
	t->phys_bits = phys_bits;
	t->nr_sections = 1ull << (phys_bits - section_bits);
	t->end_pfn = 1ull << (phys_bits - PAGE_SHIFT);
	t->subsection_words = (uint32_t)div_round_up(subsections, 64);
	t->section_bytes = sizeof(struct section) + 2 * 8 * t->subsection_words;
	t->sections_per_page = PAGE_SIZE / t->section_bytes;
	t->nr_root = div_round_up(t->nr_sections, t->sections_per_page);
	t->root_pages = div_round_up(t->nr_root * sizeof(void *), PAGE_SIZE);
	t->alloc = *alloc;
	t->root = alloc->alloc_pages(alloc->ctx, t->root_pages);
	if (!t->root) {
		memset(t, 0, sizeof(*t));
		return SECTIONS_ERR_NOMEM;
	}
	memset(t->root, 0, t->root_pages * PAGE_SIZE);
	return SECTIONS_OK;
}

void sections_free(struct section_table *t)
{
	if (t->root && t->alloc.free_pages) {
		for (uint64_t i = 0; i < t->nr_root; i++)
			if (t->root[i])
				t->alloc.free_pages(t->alloc.ctx, t->root[i], 1);
		t->alloc.free_pages(t->alloc.ctx, t->root, t->root_pages);
	}
	memset(t, 0, sizeof(*t));
}

/* ----------------------------------------------------------- lookups --- */

static struct section *section_in_page(const struct section_table *t,
				       void *page, uint64_t section_nr)
{
	uint64_t index = section_nr % t->sections_per_page;

	return (struct section *)((uint8_t *)page + index * t->section_bytes);
}

const struct section *sections_get(const struct section_table *t,
				   uint64_t section_nr)
{
	void *page;

	if (section_nr >= t->nr_sections)
		return NULL;
	page = t->root[section_nr / t->sections_per_page];
	return page ? section_in_page(t, page, section_nr) : NULL;
}

/* Like sections_get, but allocates the page of sections when absent. */
static struct section *section_get_alloc(struct section_table *t,
					 uint64_t section_nr)
{
	uint64_t i = section_nr / t->sections_per_page;

	if (!t->root[i]) {
		t->root[i] = t->alloc.alloc_pages(t->alloc.ctx, 1);
		if (!t->root[i])
			return NULL;
		memset(t->root[i], 0, PAGE_SIZE);
		t->nr_section_pages++;
	}
	return section_in_page(t, t->root[i], section_nr);
}

uint64_t sections_next(const struct section_table *t, uint64_t section_nr)
{
	while (section_nr < t->nr_sections) {
		void *page = t->root[section_nr / t->sections_per_page];

		if (!page) {
			/* Skip the whole absent page of sections. */
			section_nr = (section_nr / t->sections_per_page + 1) *
				     t->sections_per_page;
			continue;
		}
		if (section_in_page(t, page, section_nr)->flags &
		    (SECTION_PRESENT | SECTION_HOTPLUG))
			return section_nr;
		section_nr++;
	}
	return t->nr_sections;
}

const uint64_t *section_present_map(const struct section_table *t,
				    const struct section *s)
{
	(void)t;
	return s->maps;
}

const uint64_t *section_possible_map(const struct section_table *t,
				     const struct section *s)
{
	return s->maps + t->subsection_words;
}

/* Set bits [first, last] of a map. */
static void map_set(uint64_t *map, uint32_t first, uint32_t last)
{
	for (uint32_t bit = first; bit <= last; bit++)
		map[bit / 64] |= 1ull << (bit % 64);
}

/* Is any of bits [first, last] of a map set? Whole words at a time. */
static bool map_any(const uint64_t *map, uint32_t first, uint32_t last)
{
	for (uint32_t word = first / 64; word <= last / 64; word++) {
		uint64_t mask = ~0ull;

		if (word == first / 64)
			mask &= ~0ull << (first % 64);
		if (word == last / 64 && last % 64 != 63)
			mask &= (1ull << (last % 64 + 1)) - 1;
		if (map[word] & mask)
			return true;
	}
	return false;
}

/* Subsection number of a pfn within its section. */
static uint32_t subsection_of(const struct section_table *t, uint64_t pfn)
{
	uint64_t pfn_in_section = pfn & ((1ull << (t->section_bits - PAGE_SHIFT)) - 1);

	return (uint32_t)(pfn_in_section >> PFN_SUBSECTION_SHIFT);
}

/* Does [start_pfn, end_pfn) touch a set bit of the chosen map? */
static bool range_in_map(const struct section_table *t, uint64_t start_pfn,
			 uint64_t end_pfn, bool possible)
{
	uint64_t nr, last_nr;

	if (end_pfn > t->end_pfn)
		end_pfn = t->end_pfn;
	if (start_pfn >= end_pfn)
		return false;
	last_nr = pfn_to_section_nr(t, end_pfn - 1);
	for (nr = pfn_to_section_nr(t, start_pfn); nr <= last_nr;) {
		const struct section *s = sections_get(t, nr);
		uint64_t sec_start = section_nr_to_pfn(t, nr);
		uint64_t sec_end = section_nr_to_pfn(t, nr + 1);
		uint64_t lo = start_pfn > sec_start ? start_pfn : sec_start;
		uint64_t hi = end_pfn < sec_end ? end_pfn : sec_end;

		if (!s) {
			/* An absent page of sections holds nothing: skip it. */
			nr = (nr / t->sections_per_page + 1) * t->sections_per_page;
			continue;
		}
		if (map_any(possible ? section_possible_map(t, s) :
				       section_present_map(t, s),
			    subsection_of(t, lo), subsection_of(t, hi - 1)))
			return true;
		nr++;
	}
	return false;
}

bool sections_pfn_valid(const struct section_table *t, uint64_t pfn)
{
	return range_in_map(t, pfn, pfn + 1, false);
}

bool sections_pfn_possible(const struct section_table *t, uint64_t pfn)
{
	return range_in_map(t, pfn, pfn + 1, true);
}

bool sections_range_present(const struct section_table *t, uint64_t start_pfn,
			    uint64_t end_pfn)
{
	return range_in_map(t, start_pfn, end_pfn, false);
}

bool sections_range_possible(const struct section_table *t, uint64_t start_pfn,
			     uint64_t end_pfn)
{
	return range_in_map(t, start_pfn, end_pfn, true);
}

bool sections_range_present_cb(void *table, uint64_t start_pfn, uint64_t end_pfn)
{
	return range_in_map(table, start_pfn, end_pfn, false);
}

bool sections_range_possible_cb(void *table, uint64_t start_pfn, uint64_t end_pfn)
{
	return range_in_map(table, start_pfn, end_pfn, true);
}

/* ------------------------------------------------------ adding memory --- */

/*
 * Mark pfns [start_pfn, end_pfn) in every section they touch: `flags` are
 * set, the possible map always and the present map when the memory is RAM,
 * nr_pages grows by the RAM pages. A section's node is set by the first
 * memory that makes it possible.
 */
static int add_range(struct section_table *t, uint64_t start_pfn,
		     uint64_t end_pfn, uint32_t node, uint32_t flags)
{
	bool ram = flags & SECTION_PRESENT;
	uint64_t pfn = start_pfn;

	if (start_pfn > end_pfn || end_pfn > t->end_pfn)
		return SECTIONS_ERR_RANGE;
	if (start_pfn < end_pfn && end_pfn > t->max_possible_pfn)
		t->max_possible_pfn = end_pfn;
	while (pfn < end_pfn) {
		uint64_t nr = pfn_to_section_nr(t, pfn);
		uint64_t sec_end = section_nr_to_pfn(t, nr + 1);
		uint64_t piece_end = end_pfn < sec_end ? end_pfn : sec_end;
		struct section *s = section_get_alloc(t, nr);
		uint64_t *possible_map;
		uint32_t first, last;

		if (!s)
			return SECTIONS_ERR_NOMEM;
		if (!(s->flags & (SECTION_PRESENT | SECTION_HOTPLUG))) {
			s->node = node;
			t->nr_possible++;
		}
		if (ram && !(s->flags & SECTION_PRESENT))
			t->nr_present++;
		s->flags |= flags;

		first = subsection_of(t, pfn);
		last = subsection_of(t, piece_end - 1);
		possible_map = s->maps + t->subsection_words;
		map_set(possible_map, first, last);
		if (ram) {
			map_set(s->maps, first, last);
			s->nr_pages += (uint32_t)(piece_end - pfn);
		}
		pfn = piece_end;
	}
	return SECTIONS_OK;
}

int sections_add_ram(struct section_table *t, uint64_t start_pfn,
		     uint64_t end_pfn, uint32_t node)
{
	return add_range(t, start_pfn, end_pfn, node,
			 SECTION_PRESENT | SECTION_ONLINE);
}

int sections_add_hotplug(struct section_table *t, uint64_t start_pfn,
			 uint64_t end_pfn, uint32_t node)
{
	return add_range(t, start_pfn, end_pfn, node, SECTION_HOTPLUG);
}

/*
 * Add RAM pfns [start_pfn, end_pfn), split where the SRAT's enabled
 * entries change node. RAM that no entry covers is node 0.
 */
static int add_ram_by_node(struct section_table *t, uint64_t start_pfn,
			   uint64_t end_pfn, const struct acpi_info *acpi)
{
	uint64_t pfn = start_pfn;

	while (pfn < end_pfn) {
		uint64_t addr = pfn << PAGE_SHIFT;
		const struct acpi_srat_mem *m = acpi ? acpi_srat_find(acpi, addr) : NULL;
		uint64_t piece_end = end_pfn;
		uint32_t node = 0;
		int err;

		if (m) {
			/* Up to the end of this entry (rounded up to a page). */
			uint64_t m_end_pfn = (m->end >> PAGE_SHIFT) +
					     ((m->end & (PAGE_SIZE - 1)) != 0);

			node = m->node;
			if (m_end_pfn < piece_end)
				piece_end = m_end_pfn;
		} else if (acpi) {
			/* Up to the start of the next enabled entry. */
			for (uint32_t i = 0; i < acpi->nr_srat_mem; i++) {
				const struct acpi_srat_mem *e = &acpi->srat_mem[i];
				uint64_t e_pfn = e->start >> PAGE_SHIFT;

				if (e->enabled && e->start < e->end &&
				    e_pfn > pfn && e_pfn < piece_end)
					piece_end = e_pfn;
			}
		}
		err = sections_add_ram(t, pfn, piece_end, node);
		if (err)
			return err;
		pfn = piece_end;
	}
	return SECTIONS_OK;
}

int sections_build(struct section_table *t, const struct memmap *map,
		   const struct acpi_info *acpi)
{
	int err;

	if (!map)
		return SECTIONS_ERR_NO_MAP;
	if (acpi && !acpi->have_srat)
		acpi = NULL;

	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];

		if (!mem_type_is_ram(r->type))
			continue;
		err = add_ram_by_node(t, r->start >> PAGE_SHIFT,
				      r->end >> PAGE_SHIFT, acpi);
		if (err)
			return err;
	}

	for (uint32_t i = 0; acpi && i < acpi->nr_srat_mem; i++) {
		const struct acpi_srat_mem *m = &acpi->srat_mem[i];
		uint64_t start_pfn = m->start >> PAGE_SHIFT;
		uint64_t end_pfn = (m->end >> PAGE_SHIFT) +
				   ((m->end & (PAGE_SIZE - 1)) != 0);

		if (!m->enabled || !m->hotplug || start_pfn >= end_pfn)
			continue;
		if (end_pfn > t->end_pfn) {
			t->nr_clipped++;
			end_pfn = t->end_pfn;
			if (start_pfn >= end_pfn)
				continue;
		}
		err = sections_add_hotplug(t, start_pfn, end_pfn, m->node);
		if (err)
			return err;
	}
	return SECTIONS_OK;
}


/* ----------------------------------------------------- memory hotplug --- */

#define SUBSECTION_PFNS (1ull << PFN_SUBSECTION_SHIFT)

int sections_check_hotplug(const struct section_table *t,
			   const struct acpi_info *acpi, uint64_t start_pfn,
			   uint64_t end_pfn, const struct sections_range *others,
			   uint32_t nr_others)
{
	bool inside = false;

	if (start_pfn >= end_pfn || start_pfn % SUBSECTION_PFNS ||
	    end_pfn % SUBSECTION_PFNS)
		return SECTIONS_ERR_UNALIGNED;
	if (end_pfn > t->end_pfn)
		return SECTIONS_ERR_PAST_WIDTH;
	for (uint32_t i = 0; acpi && acpi->have_srat && i < acpi->nr_srat_mem; i++) {
		const struct acpi_srat_mem *m = &acpi->srat_mem[i];

		if (m->enabled && m->hotplug && m->start >> PAGE_SHIFT <= start_pfn &&
		    end_pfn <= m->end >> PAGE_SHIFT)
			inside = true;
	}
	if (!inside)
		return SECTIONS_ERR_OUTSIDE_SRAT;
	for (uint32_t i = 0; i < nr_others; i++)
		if (others[i].start_pfn < end_pfn && start_pfn < others[i].end_pfn)
			return SECTIONS_ERR_OVERLAP_DIMM;
	if (sections_range_present(t, start_pfn, end_pfn))
		return SECTIONS_ERR_OVERLAP_RAM;
	return SECTIONS_OK;
}

/* Is every section of a page of sections without flags (a page this
 * call allocated, since a page is kept only for a section with some)? */
static bool page_unused(const struct section_table *t, void *page)
{
	for (uint32_t i = 0; i < t->sections_per_page; i++)
		if (section_in_page(t, page, i)->flags)
			return false;
	return true;
}

int sections_online(struct section_table *t, uint64_t start_pfn,
		    uint64_t end_pfn, uint32_t node)
{
	uint64_t first_page, last_page;
	int err;

	if (start_pfn >= end_pfn || start_pfn % SUBSECTION_PFNS ||
	    end_pfn % SUBSECTION_PFNS || end_pfn > t->end_pfn)
		return SECTIONS_ERR_RANGE;
	if (sections_range_present(t, start_pfn, end_pfn))
		return SECTIONS_ERR_OVERLAP_RAM;

	/* First every page of sections the range needs, so that marking
	 * cannot fail; on failure, give back the ones taken here. */
	first_page = pfn_to_section_nr(t, start_pfn) / t->sections_per_page;
	last_page = pfn_to_section_nr(t, end_pfn - 1) / t->sections_per_page;
	for (uint64_t i = first_page; i <= last_page; i++) {
		if (t->root[i])
			continue;
		if (!section_get_alloc(t, i * t->sections_per_page)) {
			for (uint64_t j = first_page; j < i; j++) {
				if (t->root[j] && page_unused(t, t->root[j])) {
					t->alloc.free_pages(t->alloc.ctx, t->root[j], 1);
					t->root[j] = NULL;
					t->nr_section_pages--;
				}
			}
			return SECTIONS_ERR_NOMEM;
		}
	}
	for (uint64_t pfn = start_pfn; pfn < end_pfn;) {
		uint64_t nr = pfn_to_section_nr(t, pfn);
		uint64_t sec_end = section_nr_to_pfn(t, nr + 1);
		uint64_t piece_end = end_pfn < sec_end ? end_pfn : sec_end;
		struct section *s = section_get_alloc(t, nr);

		if (!(s->flags & SECTION_PRESENT))
			s->node = node;
		pfn = piece_end;
	}
	err = add_range(t, start_pfn, end_pfn, node, SECTION_PRESENT | SECTION_ONLINE |
			SECTION_ADDED);
	return err;     /* cannot fail: every page is there */
}

int sections_offline(struct section_table *t, uint64_t start_pfn,
		     uint64_t end_pfn)
{
	if (start_pfn >= end_pfn || start_pfn % SUBSECTION_PFNS ||
	    end_pfn % SUBSECTION_PFNS || end_pfn > t->end_pfn)
		return SECTIONS_ERR_RANGE;
	/* Check everything before changing anything. */
	for (uint64_t pfn = start_pfn; pfn < end_pfn; pfn += SUBSECTION_PFNS) {
		const struct section *s = sections_get(t, pfn_to_section_nr(t, pfn));

		if (!s || !(s->flags & SECTION_ADDED) ||
		    !map_any(section_present_map(t, s), subsection_of(t, pfn),
			     subsection_of(t, pfn)))
			return SECTIONS_ERR_NOT_ONLINE;
	}
	for (uint64_t pfn = start_pfn; pfn < end_pfn; pfn += SUBSECTION_PFNS) {
		struct section *s = section_get_alloc(t, pfn_to_section_nr(t, pfn));
		uint32_t bit = subsection_of(t, pfn);

		s->maps[bit / 64] &= ~(1ull << (bit % 64));
		if (!(s->flags & SECTION_HOTPLUG))      /* possible only as RAM */
			s->maps[t->subsection_words + bit / 64] &= ~(1ull << (bit % 64));
		s->nr_pages -= (uint32_t)SUBSECTION_PFNS;
		if (s->nr_pages == 0) {
			s->flags &= ~(SECTION_PRESENT | SECTION_ONLINE | SECTION_ADDED);
			t->nr_present--;
			if (!(s->flags & SECTION_HOTPLUG))
				t->nr_possible--;
		}
	}
	return SECTIONS_OK;
}

/* ------------------------------------------------------------- checks --- */

/* RAM pages of the map inside pfns [start_pfn, end_pfn). */
static uint64_t map_ram_pages(const struct memmap *map, uint64_t start_pfn,
			      uint64_t end_pfn)
{
	uint64_t pages = 0;

	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t lo = r->start >> PAGE_SHIFT, hi = r->end >> PAGE_SHIFT;

		if (!mem_type_is_ram(r->type))
			continue;
		if (lo < start_pfn)
			lo = start_pfn;
		if (hi > end_pfn)
			hi = end_pfn;
		if (lo < hi)
			pages += hi - lo;
	}
	return pages;
}

/* Does section nr agree with the map? */
static bool section_agrees(const struct section_table *t,
			   const struct memmap *map, uint64_t nr)
{
	const struct section *s = sections_get(t, nr);
	uint64_t start = section_nr_to_pfn(t, nr);
	uint64_t pages = map_ram_pages(map, start, section_nr_to_pfn(t, nr + 1));
	uint32_t subsections = 1u << (t->section_bits - SUBSECTION_SHIFT);
	bool present = s && (s->flags & SECTION_PRESENT);

	if (!s)
		return pages == 0;
	if (s->flags & SECTION_ADDED)
		return true;            /* hot-added: no firmware map knows it */
	if (s->nr_pages != pages || present != (pages > 0) ||
	    !!(s->flags & SECTION_ONLINE) != present)
		return false;
	for (uint32_t i = 0; i < subsections; i++) {
		uint64_t sub = start + ((uint64_t)i << PFN_SUBSECTION_SHIFT);
		bool ram = map_ram_pages(map, sub, sub + (1ull << PFN_SUBSECTION_SHIFT));

		if (ram != map_any(section_present_map(t, s), i, i))
			return false;
	}
	return true;
}

int sections_check_memmap(const struct section_table *t,
			  const struct memmap *map, uint64_t *bad_section_nr)
{
	/* Sections with RAM in the map, and sections the table has. */
	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t nr, last;

		if (!mem_type_is_ram(r->type) || r->start >= r->end)
			continue;
		last = pfn_to_section_nr(t, (r->end >> PAGE_SHIFT) - 1);
		for (nr = pfn_to_section_nr(t, r->start >> PAGE_SHIFT); nr <= last; nr++) {
			if (!section_agrees(t, map, nr)) {
				*bad_section_nr = nr;
				return SECTIONS_ERR_DISAGREE;
			}
		}
	}
	for (uint64_t nr = sections_next(t, 0); nr < t->nr_sections;
	     nr = sections_next(t, nr + 1)) {
		if (!section_agrees(t, map, nr)) {
			*bad_section_nr = nr;
			return SECTIONS_ERR_DISAGREE;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ report --- */

static void report_section(const struct section_table *t, uint64_t nr,
			   void (*print)(const char *fmt, ...))
{
	static const struct { uint32_t flag; const char *name; } states[] = {
		{ SECTION_PRESENT, "present" },
		{ SECTION_ONLINE, "online" },
		{ SECTION_HOTPLUG, "hotplug" },
	};
	const struct section *s = sections_get(t, nr);
	const char *sep = "";

	print("# section: nr=%llu start=0x%llx state=",
	      (unsigned long long)nr,
	      (unsigned long long)(section_nr_to_pfn(t, nr) << PAGE_SHIFT));
	for (uint32_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (s->flags & states[i].flag) {
			print("%s%s", sep, states[i].name);
			sep = ",";
		}
	}
	print(" node=%u pages=%u\n", s->node, s->nr_pages);
}

void sections_report_range(const struct section_table *t, uint64_t first_nr,
			   uint64_t end_nr, void (*print)(const char *fmt, ...))
{
	for (uint64_t nr = sections_next(t, first_nr); nr < end_nr && nr < t->nr_sections;
	     nr = sections_next(t, nr + 1))
		report_section(t, nr, print);
}

void sections_report(const struct section_table *t,
		     void (*print)(const char *fmt, ...))
{
	sections_report_range(t, 0, t->nr_sections, print);
	if (t->nr_clipped)
		print("# sections: warning=srat-past-phys-bits ranges=%u action=clipped\n",
		      t->nr_clipped);
	print("# sections: bits=%u present=%llu possible=%llu max_possible_pfn=0x%llx"
	      " phys_bits=%u table_pages=%llu\n",
	      t->section_bits, (unsigned long long)t->nr_present,
	      (unsigned long long)t->nr_possible,
	      (unsigned long long)t->max_possible_pfn, t->phys_bits,
	      (unsigned long long)(t->root_pages + t->nr_section_pages));
}
