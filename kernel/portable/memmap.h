/*
 * memmap.h: the firmware memory map, normalised.
 *
 * The loader hands the kernel the firmware's map as raw bytes (UEFI memory
 * descriptors or e820 entries, see boot_info.h). memmap_normalise() turns it
 * into one clean list of typed physical byte ranges:
 *   - sorted by address, pairwise disjoint, never empty;
 *   - overlaps resolved: where entries overlap, the more restrictive type
 *     wins (enum mem_type is ordered from least to most restrictive);
 *   - adjacent ranges of the same type merged;
 *   - RAM (usable and reclaimable) shrunk to whole 4 KiB pages; the partial
 *     pages cut off are left out of the map (a gap means "nothing here");
 *   - cut at the physical address width (entries beyond it are clipped and
 *     counted, since no access can reach them).
 *
 * This module is portable: it includes only boot_info.h and freestanding
 * standard headers, so the host unit tests and the fuzzer build it too.
 * Addresses are physical bytes; `end` is always exclusive.
 */
#ifndef DYNFLAGS_MEMMAP_H
#define DYNFLAGS_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/boot_info.h"
#include "pageflags/page.h"


#define MEMMAP_MAX 512           /* normalised ranges kept */

/*
 * Range types, from least to most restrictive: when firmware entries
 * overlap, the greater value wins. mem_type_name() gives the report names.
 */
enum mem_type {
	MEM_USABLE = 0,       /* "usable": free RAM */
	MEM_RECLAIMABLE,      /* "reclaimable": boot-services/loader code+data */
	MEM_ACPI_RECLAIM,     /* "acpi-reclaim": ACPI tables */
	MEM_ACPI_NVS,         /* "acpi-nvs": firmware NVS, must be preserved */
	MEM_PERSISTENT,       /* "persistent": non-volatile memory */
	MEM_RESERVED,         /* "reserved": firmware runtime, holes, ... */
	MEM_MMIO,             /* "mmio": device registers, flash */
	MEM_UNUSABLE,         /* "unusable": memory with errors */
	MEM_NR_TYPES
};

/* One normalised range: physical bytes [start, end), start < end. */
struct mem_range {
	uint64_t start;
	uint64_t end;
	uint32_t type;            /* enum mem_type */
};

struct memmap {
	uint32_t nr_ranges;        /* valid entries in ranges[] */
	uint32_t firmware_entries; /* raw entries in the firmware map (all of them) */
	uint32_t clipped_entries;  /* raw entries reaching past the physical width */
	uint32_t phys_bits;        /* the width the map was cut at */
	struct mem_range ranges[MEMMAP_MAX];
};

/* memmap_normalise() results: 0 or a negative error. */
enum memmap_error {
	MEMMAP_OK = 0,
	MEMMAP_ERR_FORMAT = -1,     /* unknown or missing map format */
	MEMMAP_ERR_DESC_SIZE = -2,  /* descriptor size 0 or smaller than an entry */
	MEMMAP_ERR_TRUNCATED = -3,  /* bytes not a whole number of descriptors,
	                               or the loader could not copy it all */
	MEMMAP_ERR_WRAP = -4,       /* an entry's end wraps past 2^64 */
	MEMMAP_ERR_PHYS_BITS = -5,  /* physical width outside 32..52 */
	MEMMAP_ERR_TOO_MANY = -6,   /* more than MEMMAP_MAX normalised ranges */
};

/*
 * Normalise `raw_bytes` bytes of firmware map at `raw` (format and
 * desc_size as in struct boot_info) into *map, cutting at 2^phys_bits.
 * Returns MEMMAP_OK or a memmap_error; on error *map holds no ranges.
 * A map with zero entries is valid and gives zero ranges.
 */
int memmap_normalise(struct memmap *map, const void *raw, uint32_t raw_bytes,
		     uint32_t format, uint32_t desc_size, uint32_t phys_bits);

/* A short fixed description of a memmap_error ("descriptor size too small"). */
const char *memmap_strerror(int err);

/* "usable", "reclaimable", "acpi-reclaim", ...; "?" for a bad value. */
const char *mem_type_name(uint32_t type);

/* Is this RAM the kernel may own (usable or reclaimable)? Such ranges are
 * whole pages. */
bool mem_type_is_ram(uint32_t type);

/* Whole 4 KiB pages inside the ranges of `type`. */
uint64_t memmap_pages(const struct memmap *map, uint32_t type);

/* The range holding byte `addr`, or NULL when addr lies in a gap. */
const struct mem_range *memmap_find(const struct memmap *map, uint64_t addr);

/* Do ranges of exactly `type` cover all of [start, end) without gaps? */
bool memmap_covers(const struct memmap *map, uint64_t start, uint64_t end,
		   uint32_t type);

/*
 * Normalise boot_info's raw firmware map into *map: memmap_normalise() on
 * its bytes, or MEMMAP_ERR_TRUNCATED when the loader could not copy the
 * whole map (nothing is written then). The kernel keeps its one map in
 * kernel/memory_boot.c.
 */
int memmap_from_boot_info(struct memmap *map, const struct boot_info *bi,
			  uint32_t phys_bits);

/*
 * Print the report lines ("# memmap: ..." per range, then
 * "# memmap-summary: ...") through `print`, a printf-like function
 * (kprintf in the kernel). docs/report-format.md describes them.
 */
void memmap_report(const struct memmap *map,
		   void (*print)(const char *fmt, ...));

#endif
