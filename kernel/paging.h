/*
 * paging.h: the kernel's own identity-mapped page tables.
 *
 * The boot page tables (boot/entry.S) map only 0..4 GiB. paging_init()
 * builds 4-level tables from the normalised memory map and loads them:
 *   - all of 0..4 GiB except page 0 (the legacy area, the kernel, the ACPI
 *     tables and the MMIO the kernel uses: LAPIC, IOAPIC, ECAM, serial);
 *   - every range of RAM (usable, reclaimable) and of ACPI memory
 *     (acpi-reclaim, acpi-nvs) wherever it lies, including above 4 GiB.
 * Page 0 stays unmapped, so a NULL dereference faults. 2 MiB pages are
 * used where a whole aligned 2 MiB block is to be mapped, 4 KiB pages at
 * the edges. Virtual address == physical address everywhere, so with
 * 4-level paging only the lower canonical half (below 2^47) can be mapped;
 * memory above it is reported and left unmapped.
 *
 * Table pages come from the frame allocator; after the switch it may hand
 * out frames above 4 GiB too (frame_set_mapped_limit).
 */
#ifndef DYNFLAGS_PAGING_H
#define DYNFLAGS_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/portable/memmap.h"

struct paging_stats {
	uint64_t table_pages;   /* page-table frames in use (PML4 included) */
	uint64_t pages_4k;      /* 4 KiB mappings */
	uint64_t pages_2m;      /* 2 MiB mappings */
	uint64_t mapped_end;    /* one past the highest mapped byte */
	uint64_t root;          /* physical address of the PML4 (CR3) */
};

/*
 * Build the tables for `map` and switch CR3 to them. Returns 0, or -1 when
 * the frame allocator runs out (a "# paging-error:" line is printed, every
 * table page is given back and the boot tables stay in use).
 */
int paging_init(const struct memmap *map);

/* Does the current address space map this byte? (walks the live tables) */
bool paging_is_mapped(uint64_t addr);

/*
 * Memory hotplug: identity-map [start, end) (2 MiB aligned, below the
 * identity limit, not mapped yet), all or nothing. The table pages it
 * needs are counted first and taken in one go (each a frame_alloc(), so a
 * fail_alloc point); on failure every one is given back, no entry has
 * changed, and -1 is returned. *tables gets the pages taken.
 */
int paging_map_range(uint64_t start, uint64_t end, uint64_t *tables);

/*
 * Undo it: unmap [start, end) (2 MiB aligned), give back the page-table
 * pages left empty, flush the TLB. *tables gets the pages given back.
 */
void paging_unmap_range(uint64_t start, uint64_t end, uint64_t *tables);

void paging_get_stats(struct paging_stats *out);

/* Print "# paging: ..." (docs/report-format.md). */
void paging_report(void);

#endif
