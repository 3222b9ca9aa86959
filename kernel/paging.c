/*
 * paging.c: build and load the kernel's identity-mapped page tables
 * (see paging.h).
 *
 * x86_64 4-level paging: a virtual address picks an entry in each of four
 * 512-entry tables, PML4 (bits 47:39), PDPT (38:30), PD (29:21) and PT
 * (20:12). A PD entry with PS set maps a whole 2 MiB page instead of
 * pointing to a PT. Entries hold the physical address of the next table
 * (or of the page) plus flag bits; identity mapping makes each table's
 * physical address also its pointer.
 */
#include <stddef.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/frame.h"
#include "kernel/paging.h"
#include "kernel/x86.h"

#define PTE_P     0x1ULL              /* present */
#define PTE_W     0x2ULL              /* writable */
#define PTE_PS    0x80ULL             /* 2 MiB page (in a PD entry) */
#define PTE_ADDR  0x000ffffffffff000ULL
#define SIZE_2M   (1ULL << 21)
#define LOW_4G    (4ULL << 30)
#define IDENTITY_LIMIT (1ULL << 47)  /* the lower canonical half */
#define ENTRIES   512

static struct paging_stats stats;
static void *pool;      /* pages paging_map_range() took ahead, chained */

static uint64_t *table_at(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR);
}

/* The entry index of `addr` in a table of `level` (3 = PML4 ... 0 = PT). */
static unsigned int index_of(uint64_t addr, int level)
{
	return (addr >> (12 + 9 * level)) & (ENTRIES - 1);
}

/* The table below entry *e, allocated (zeroed) if absent; NULL if none. */
static uint64_t *next_table(uint64_t *e)
{
	if (!(*e & PTE_P)) {
		uint64_t *table = pool;

		if (table) {                    /* taken ahead: never fails */
			pool = *(void **)table;
			memset(table, 0, PAGE_SIZE);
		} else {
			table = frame_alloc();
		}

		if (!table)
			return NULL;
		stats.table_pages++;
		*e = (uint64_t)(uintptr_t)table | PTE_P | PTE_W;
	}
	return table_at(*e);
}

/* Identity-map the pages of [start, end) that are not mapped yet. */
static int map_range(uint64_t *pml4, uint64_t start, uint64_t end)
{
	uint64_t addr = start & ~(PAGE_SIZE - 1);

	while (addr < end) {
		uint64_t *pdpt, *pd, *pt, *pde;

		pdpt = next_table(&pml4[index_of(addr, 3)]);
		pd = pdpt ? next_table(&pdpt[index_of(addr, 2)]) : NULL;
		if (!pd)
			return -1;
		pde = &pd[index_of(addr, 1)];
		if (*pde & PTE_PS) {                    /* already a 2 MiB page */
			addr = (addr & ~(SIZE_2M - 1)) + SIZE_2M;
			continue;
		}
		if (!(*pde & PTE_P) && addr % SIZE_2M == 0 && end - addr >= SIZE_2M) {
			*pde = addr | PTE_P | PTE_W | PTE_PS;
			stats.pages_2m++;
			addr += SIZE_2M;
			continue;
		}
		pt = next_table(pde);
		if (!pt)
			return -1;
		if (!(pt[index_of(addr, 0)] & PTE_P)) {
			pt[index_of(addr, 0)] = addr | PTE_P | PTE_W;
			stats.pages_4k++;
		}
		addr += PAGE_SIZE;
	}
	if (end > stats.mapped_end)
		stats.mapped_end = end;
	return 0;
}

/* Give back every table page below `table` at `level`, then the table. */
static void free_tables(uint64_t *table, int level)
{
	for (int i = 0; level > 0 && i < ENTRIES; i++)
		if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
			free_tables(table_at(table[i]), level - 1);
	frame_free(table);
}

/* Which ranges of the map get mapped (besides all of the low 4 GiB). */
static bool wants_mapping(uint32_t type)
{
	return mem_type_is_ram(type) || type == MEM_ACPI_RECLAIM ||
	       type == MEM_ACPI_NVS;
}

int paging_init(const struct memmap *map)
{
	uint64_t *pml4 = frame_alloc();
	int rc;

	memset(&stats, 0, sizeof(stats));
	if (!pml4) {
		kprintf("# paging-error: problem=\"out of frames for the page tables\" tables=0\n");
		return -1;
	}
	stats.table_pages = 1;
	rc = map_range(pml4, PAGE_SIZE, LOW_4G);        /* page 0 stays out */
	for (uint32_t i = 0; rc == 0 && i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];

		if (!wants_mapping(r->type) || r->end <= LOW_4G)
			continue;
		if (r->end > IDENTITY_LIMIT) {
			kprintf("# paging-warning: problem=\"memory above the identity-mappable limit\" start=0x%llx end=0x%llx action=unmapped\n",
				(unsigned long long)r->start,
				(unsigned long long)r->end);
			continue;
		}
		rc = map_range(pml4, r->start, r->end);
	}
	if (rc != 0) {
		kprintf("# paging-error: problem=\"out of frames for the page tables\" tables=%llu\n",
			(unsigned long long)stats.table_pages);
		free_tables(pml4, 3);
		memset(&stats, 0, sizeof(stats));
		return -1;
	}
	stats.root = (uint64_t)(uintptr_t)pml4;
	write_cr3(stats.root);
	frame_set_mapped_limit(stats.mapped_end);
	return 0;
}

/* Table pages that mapping 2 MiB-aligned [start, end) would add. */
static uint64_t missing_tables(const uint64_t *pml4, uint64_t start, uint64_t end)
{
	uint64_t count = 0, last_pml4 = ~0ULL;

	for (uint64_t addr = start; addr < end;
	     addr = (addr | ((1ULL << 30) - 1)) + 1) {
		uint64_t e3 = pml4[index_of(addr, 3)];

		if (!(e3 & PTE_P)) {
			if (index_of(addr, 3) != last_pml4)
				count++;                /* a PDPT */
			last_pml4 = index_of(addr, 3);
			count++;                        /* its PD */
		} else if (!(table_at(e3)[index_of(addr, 2)] & PTE_P)) {
			count++;                        /* a PD */
		}
	}
	return count;
}

int paging_map_range(uint64_t start, uint64_t end, uint64_t *tables)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)read_cr3();
	uint64_t need, before = stats.table_pages, mapped_end = stats.mapped_end;

	*tables = 0;
	if (start >= end || start % SIZE_2M || end % SIZE_2M || end > IDENTITY_LIMIT ||
	    !stats.root)
		return -1;
	need = missing_tables(pml4, start, end);
	for (uint64_t i = 0; i < need; i++) {
		void *page = frame_alloc();

		if (!page) {
			while ((page = pool) != NULL) {
				pool = *(void **)page;
				frame_free(page);
			}
			return -1;
		}
		*(void **)page = pool;
		pool = page;
	}
	/* With every table taken ahead, mapping cannot fail. */
	map_range(pml4, start, end);
	if (pool)                       /* counted too many: never expected */
		kprintf("# paging-warning: problem=\"table pages left over\" action=freed\n");
	while (pool) {
		void *page = pool;

		pool = *(void **)page;
		frame_free(page);
	}
	*tables = stats.table_pages - before;
	if (end < mapped_end)
		stats.mapped_end = mapped_end;
	return 0;
}

/* Is a table all empty? */
static bool table_empty(const uint64_t *table)
{
	for (int i = 0; i < ENTRIES; i++)
		if (table[i] & PTE_P)
			return false;
	return true;
}

void paging_unmap_range(uint64_t start, uint64_t end, uint64_t *tables)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)read_cr3();
	uint64_t before = stats.table_pages;

	for (uint64_t addr = start; addr < end; addr += SIZE_2M) {
		uint64_t *e3 = &pml4[index_of(addr, 3)], *e2, *e1;

		if (!(*e3 & PTE_P))
			continue;
		e2 = &table_at(*e3)[index_of(addr, 2)];
		if (!(*e2 & PTE_P))
			continue;
		e1 = &table_at(*e2)[index_of(addr, 1)];
		if (*e1 & PTE_PS) {
			*e1 = 0;
			stats.pages_2m--;
		} else if (*e1 & PTE_P) {
			uint64_t *pt = table_at(*e1);

			for (int i = 0; i < ENTRIES; i++)
				if (pt[i] & PTE_P) {
					pt[i] = 0;
					stats.pages_4k--;
				}
			*e1 = 0;
			frame_free(pt);
			stats.table_pages--;
		}
		/* The PD, then the PDPT, when this left them empty. */
		if (table_empty(table_at(*e2))) {
			frame_free(table_at(*e2));
			*e2 = 0;
			stats.table_pages--;
			if (table_empty(table_at(*e3))) {
				frame_free(table_at(*e3));
				*e3 = 0;
				stats.table_pages--;
			}
		}
	}
	write_cr3(read_cr3());          /* flush the TLB */
	*tables = before - stats.table_pages;
}

bool paging_is_mapped(uint64_t addr)
{
	uint64_t entry = read_cr3();

	if (addr >= IDENTITY_LIMIT)
		return false;
	for (int level = 3; level >= 0; level--) {
		entry = table_at(entry)[index_of(addr, level)];
		if (!(entry & PTE_P))
			return false;
		if (level == 1 && (entry & PTE_PS))
			return true;
	}
	return true;
}

void paging_get_stats(struct paging_stats *out)
{
	*out = stats;
}

void paging_report(void)
{
	kprintf("# paging: root=0x%llx tables=%llu pages_2m=%llu pages_4k=%llu mapped_end=0x%llx\n",
		(unsigned long long)stats.root,
		(unsigned long long)stats.table_pages,
		(unsigned long long)stats.pages_2m,
		(unsigned long long)stats.pages_4k,
		(unsigned long long)stats.mapped_end);
}
