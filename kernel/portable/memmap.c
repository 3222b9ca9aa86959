/*
 * memmap.c: normalise the firmware memory map (see memmap.h).
 *
 * The raw map is a byte array of descriptors, desc_size bytes apart. We
 * never copy or sort it. Instead we sweep the address space from 0 upward:
 * at each step, one pass over the raw entries finds the most restrictive
 * type covering the cursor and the next address where that could change
 * (the nearest entry start or end beyond the cursor). The pieces this
 * produces are sorted and disjoint by construction; pieces of the same
 * type that touch are merged into runs, and RAM runs are shrunk to whole
 * pages as they are emitted.
 *
 * With N entries there are at most 2N boundaries, so the sweep costs
 * O(N^2) decodes; firmware maps hold a few hundred entries at most, and
 * the sweep needs no memory beyond the output map.
 */
#include <stddef.h>
#include <string.h>

#include "kernel/portable/memmap.h"

/* UEFI EFI_MEMORY_DESCRIPTOR: the fields we read and their byte offsets. */
#define EFI_DESC_TYPE       0     /* uint32_t */
#define EFI_DESC_PHYS_START 8     /* uint64_t, bytes */
#define EFI_DESC_NR_PAGES   24    /* uint64_t, 4 KiB pages */
#define EFI_DESC_ATTRIBUTE  32    /* uint64_t */
#define EFI_DESC_MIN_SIZE   40
#define EFI_MEMORY_WB       0x8ULL  /* attribute: write-back cacheable */

/* e820 entry: {u64 addr, u64 len, u32 type}, padded by the loader. */
#define E820_ADDR     0
#define E820_LEN      8
#define E820_TYPE     16
#define E820_MIN_SIZE 20

#define MIN_PHYS_BITS 32
#define MAX_PHYS_BITS 52

static const char *const type_names[MEM_NR_TYPES] = {
	[MEM_USABLE]       = "usable",
	[MEM_RECLAIMABLE]  = "reclaimable",
	[MEM_ACPI_RECLAIM] = "acpi-reclaim",
	[MEM_ACPI_NVS]     = "acpi-nvs",
	[MEM_PERSISTENT]   = "persistent",
	[MEM_RESERVED]     = "reserved",
	[MEM_MMIO]         = "mmio",
	[MEM_UNUSABLE]     = "unusable",
};

const char *mem_type_name(uint32_t type)
{
	return type < MEM_NR_TYPES ? type_names[type] : "?";
}

bool mem_type_is_ram(uint32_t type)
{
	return type == MEM_USABLE || type == MEM_RECLAIMABLE;
}

const char *memmap_strerror(int err)
{
	switch (err) {
	case MEMMAP_OK:            return "ok";
	case MEMMAP_ERR_FORMAT:    return "unknown memory map format";
	case MEMMAP_ERR_DESC_SIZE: return "descriptor size too small";
	case MEMMAP_ERR_TRUNCATED: return "memory map truncated";
	case MEMMAP_ERR_WRAP:      return "entry wraps past the end of the address space";
	case MEMMAP_ERR_PHYS_BITS: return "physical address width out of range";
	case MEMMAP_ERR_TOO_MANY:  return "too many memory ranges";
	}
	return "unknown memmap error";
}

/* Fields of descriptors may be unaligned (desc_size 20, say): use memcpy. */
static uint64_t read_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t read_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* UEFI memory types (UEFI spec 2.x, EFI_MEMORY_TYPE). */
static uint32_t efi_type(uint32_t efi, uint64_t attribute)
{
	switch (efi) {
	case 1: case 2:         /* EfiLoaderCode, EfiLoaderData */
	case 3: case 4:         /* EfiBootServicesCode, EfiBootServicesData */
	case 7:                 /* EfiConventionalMemory */
		/* RAM the firmware cannot cache is no RAM to us (as Linux). */
		if (!(attribute & EFI_MEMORY_WB))
			return MEM_RESERVED;
		return efi == 7 ? MEM_USABLE : MEM_RECLAIMABLE;
	case 8:  return MEM_UNUSABLE;      /* EfiUnusableMemory */
	case 9:  return MEM_ACPI_RECLAIM;  /* EfiACPIReclaimMemory */
	case 10: return MEM_ACPI_NVS;      /* EfiACPIMemoryNVS */
	case 11: case 12:                  /* EfiMemoryMappedIO(PortSpace) */
		return MEM_MMIO;
	case 14: return MEM_PERSISTENT;    /* EfiPersistentMemory */
	default: /* 0 Reserved, 5/6 RuntimeServices, 13 PalCode, others */
		return MEM_RESERVED;
	}
}

/* e820 types (ACPI spec, "System Address Map Interfaces"). */
static uint32_t e820_type(uint32_t e820)
{
	switch (e820) {
	case 1:  return MEM_USABLE;
	case 3:  return MEM_ACPI_RECLAIM;
	case 4:  return MEM_ACPI_NVS;
	case 5:  return MEM_UNUSABLE;
	case 7:  return MEM_PERSISTENT;
	default: return MEM_RESERVED;      /* 2 and anything unknown */
	}
}

/* The raw map being normalised, and the limit 2^phys_bits. */
struct raw_map {
	const uint8_t *bytes;
	uint32_t nr_entries;
	uint32_t format;
	uint32_t desc_size;
	uint64_t limit;
};

/*
 * Decode entry i into *r, cut at the limit. Returns 1 if the entry
 * (still) covers some bytes, 0 if it is empty, or MEMMAP_ERR_WRAP.
 * *clipped is set when the limit cut it.
 */
static int decode(const struct raw_map *m, uint32_t i, struct mem_range *r,
		  bool *clipped)
{
	const uint8_t *d = m->bytes + (size_t)i * m->desc_size;
	uint64_t start, len;

	if (m->format == BOOT_MMAP_EFI) {
		uint64_t nr_pages = read_u64(d + EFI_DESC_NR_PAGES);

		start = read_u64(d + EFI_DESC_PHYS_START);
		if (nr_pages > (UINT64_MAX >> PAGE_SHIFT))
			return MEMMAP_ERR_WRAP;
		len = nr_pages << PAGE_SHIFT;
		r->type = efi_type(read_u32(d + EFI_DESC_TYPE),
				   read_u64(d + EFI_DESC_ATTRIBUTE));
	} else {
		start = read_u64(d + E820_ADDR);
		len = read_u64(d + E820_LEN);
		r->type = e820_type(read_u32(d + E820_TYPE));
	}

	*clipped = false;
	if (len == 0)
		return 0;
	/* The last byte must exist; an end of exactly 2^64 is fine. */
	if (len - 1 > UINT64_MAX - start)
		return MEMMAP_ERR_WRAP;
	r->start = start;
	if (start + (len - 1) >= m->limit) {
		*clipped = true;
		r->end = m->limit;
	} else {
		r->end = start + len;
	}
	return r->start < r->end;
}

/* Append a finished run to the map, shrinking RAM to whole pages. */
static int emit(struct memmap *map, struct mem_range run)
{
	if (mem_type_is_ram(run.type)) {
		run.start = (run.start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		run.end &= ~(PAGE_SIZE - 1);
		if (run.start >= run.end)
			return MEMMAP_OK;      /* less than a page: dropped */
	}
	if (map->nr_ranges == MEMMAP_MAX)
		return MEMMAP_ERR_TOO_MANY;
	map->ranges[map->nr_ranges++] = run;
	return MEMMAP_OK;
}

/*
 * One sweep step at `cursor`: the most restrictive type covering it
 * (or -1 in a gap) and the next boundary above it (*next; false when
 * there is none, i.e. the sweep is over).
 */
static bool step(const struct raw_map *m, uint64_t cursor, int *type,
		 uint64_t *next)
{
	bool have_next = false;
	struct mem_range r;
	bool clipped;

	*type = -1;
	for (uint32_t i = 0; i < m->nr_entries; i++) {
		uint64_t boundary;

		if (decode(m, i, &r, &clipped) != 1 || r.end <= cursor)
			continue;
		if (r.start <= cursor) {
			if ((int)r.type > *type)
				*type = (int)r.type;
			boundary = r.end;
		} else {
			boundary = r.start;
		}
		if (!have_next || boundary < *next)
			*next = boundary;
		have_next = true;
	}
	return have_next;
}

/* Check the whole raw map before sweeping: wraps and clipping. */
static int validate(struct memmap *map, const struct raw_map *m)
{
	struct mem_range r;
	bool clipped;

	for (uint32_t i = 0; i < m->nr_entries; i++) {
		int rc = decode(m, i, &r, &clipped);

		if (rc < 0)
			return rc;
		if (clipped)   /* cut at the limit, or wholly beyond it */
			map->clipped_entries++;
	}
	return MEMMAP_OK;
}

int memmap_normalise(struct memmap *map, const void *raw, uint32_t raw_bytes,
		     uint32_t format, uint32_t desc_size, uint32_t phys_bits)
{
	struct raw_map m = { raw, 0, format, desc_size, 0 };
	struct mem_range run = { 0, 0, 0 };
	bool have_run = false;
	uint64_t cursor = 0, next = 0;
	int type, rc;

	map->nr_ranges = 0;
	map->firmware_entries = 0;
	map->clipped_entries = 0;
	map->phys_bits = phys_bits;

	if (format == BOOT_MMAP_EFI) {
		if (desc_size < EFI_DESC_MIN_SIZE)
			return MEMMAP_ERR_DESC_SIZE;
	} else if (format == BOOT_MMAP_E820) {
		if (desc_size < E820_MIN_SIZE)
			return MEMMAP_ERR_DESC_SIZE;
	} else {
		return MEMMAP_ERR_FORMAT;
	}
	if (raw_bytes % desc_size != 0)
		return MEMMAP_ERR_TRUNCATED;
	if (phys_bits < MIN_PHYS_BITS || phys_bits > MAX_PHYS_BITS)
		return MEMMAP_ERR_PHYS_BITS;
	m.nr_entries = raw_bytes / desc_size;
	m.limit = 1ULL << phys_bits;
	map->firmware_entries = m.nr_entries;

	rc = validate(map, &m);
	while (rc == MEMMAP_OK && step(&m, cursor, &type, &next)) {
		if (type >= 0) {
			if (have_run && run.end == cursor &&
			    run.type == (uint32_t)type) {
				run.end = next;
			} else {
				if (have_run)
					rc = emit(map, run);
				run = (struct mem_range){ cursor, next,
							  (uint32_t)type };
				have_run = true;
			}
		}
		cursor = next;
	}
	if (rc == MEMMAP_OK && have_run)
		rc = emit(map, run);
	if (rc != MEMMAP_OK)
		map->nr_ranges = 0;
	return rc;
}

uint64_t memmap_pages(const struct memmap *map, uint32_t type)
{
	uint64_t pages = 0;

	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t first = (r->start + PAGE_SIZE - 1) >> PAGE_SHIFT;
		uint64_t last = r->end >> PAGE_SHIFT;   /* exclusive */

		if (r->type == type && last > first)
			pages += last - first;
	}
	return pages;
}

const struct mem_range *memmap_find(const struct memmap *map, uint64_t addr)
{
	uint32_t lo = 0, hi = map->nr_ranges;

	/* Binary search: ranges are sorted and disjoint. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct mem_range *r = &map->ranges[mid];

		if (addr < r->start)
			hi = mid;
		else if (addr >= r->end)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

bool memmap_covers(const struct memmap *map, uint64_t start, uint64_t end,
		   uint32_t type)
{
	while (start < end) {
		const struct mem_range *r = memmap_find(map, start);

		if (!r || r->type != type)
			return false;
		start = r->end;
	}
	return true;
}

int memmap_from_boot_info(struct memmap *map, const struct boot_info *bi,
			  uint32_t phys_bits)
{
	if (bi->mmap_truncated)
		return MEMMAP_ERR_TRUNCATED;
	return memmap_normalise(map, bi->mmap, bi->mmap_bytes, bi->mmap_format,
				bi->mmap_desc_size, phys_bits);
}

void memmap_report(const struct memmap *map,
		   void (*print)(const char *fmt, ...))
{
	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];

		print("# memmap: start=0x%llx end=0x%llx type=%s\n",
		      (unsigned long long)r->start, (unsigned long long)r->end,
		      mem_type_name(r->type));
	}
	print("# memmap-summary: firmware_entries=%u ranges=%u"
	      " usable_pages=%llu reserved_pages=%llu",
	      map->firmware_entries, map->nr_ranges,
	      (unsigned long long)memmap_pages(map, MEM_USABLE),
	      (unsigned long long)memmap_pages(map, MEM_RESERVED));
	print(" reclaimable_pages=%llu acpi_reclaim_pages=%llu"
	      " acpi_nvs_pages=%llu persistent_pages=%llu mmio_pages=%llu"
	      " unusable_pages=%llu clipped=%u phys_bits=%u\n",
	      (unsigned long long)memmap_pages(map, MEM_RECLAIMABLE),
	      (unsigned long long)memmap_pages(map, MEM_ACPI_RECLAIM),
	      (unsigned long long)memmap_pages(map, MEM_ACPI_NVS),
	      (unsigned long long)memmap_pages(map, MEM_PERSISTENT),
	      (unsigned long long)memmap_pages(map, MEM_MMIO),
	      (unsigned long long)memmap_pages(map, MEM_UNUSABLE),
	      map->clipped_entries, map->phys_bits);
}
