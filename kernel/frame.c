/*
 * frame.c: the early physical frame allocator (see frame.h).
 *
 * One bitmap, one bit per pfn from 0 up to the end of the highest usable
 * range: a set bit means "this frame is free". At init the bits of every
 * usable page are set, then the bits of the excluded areas (page 0, the
 * kernel, the loader's regions, the bitmap itself) are cleared again, so
 * a clear bit is either not ours or handed out. The bitmap lives in the
 * first usable gap below the boot mapping's limit that is large enough.
 *
 * Memory added after boot (frame_add_range(), for hotplug) gets a bitmap
 * of its own per range, in frames taken from the allocator, so that the
 * boot bitmap never has to grow: single frames come from the boot bitmap
 * first, then from the added ranges in the order they came.
 *
 * Allocation is next fit: the search starts at the word where the last one
 * ended, and wraps around once. Nothing but the bitmap is touched until a
 * frame is handed out, so a 6 GiB guest costs QEMU no host memory for the
 * RAM the kernel never uses.
 */
#include <stddef.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/frame.h"

#define BOOT_MAPPED_LIMIT (4ULL << 30)      /* boot/entry.S maps 0..4 GiB */
#define BITS_PER_WORD     64
#define MAX_EXCLUDED      (3 + BOOT_REGIONS_MAX)
#define MAX_ADDED         32                /* ranges frame_add_range keeps */
#define NO_PFN            UINT64_MAX

struct area {
	uint64_t start, end;   /* bytes, page aligned, [start, end) */
};

static uint64_t *bitmap;        /* bit set = frame free */
static uint64_t nr_pfns;        /* pfns the bitmap covers: [0, nr_pfns) */
static uint64_t nr_words;
static uint64_t limit_pfn;      /* frames at or above are not handed out */
static uint64_t next_pfn;       /* where the next search starts */
static const struct memmap *frame_map;
static struct area excluded[MAX_EXCLUDED];
static uint32_t nr_excluded;
static struct frame_stats stats;
static uint64_t inject_nth;     /* 0 = no fault injection */
static uint64_t inject_calls;   /* allocation calls since injection was set */
static bool inject_every;

/* A range added after boot: its own bitmap, bit set = frame free. */
struct added {
	uint64_t start_pfn, end_pfn;
	uint64_t *bits;
	uint64_t bitmap_pages;
	uint64_t nr_free;
};
static struct added added[MAX_ADDED];
static uint32_t nr_added;

static uint64_t page_down(uint64_t addr) { return addr & ~(PAGE_SIZE - 1); }
static uint64_t page_up(uint64_t addr) { return page_down(addr + PAGE_SIZE - 1); }

static bool bit_free(uint64_t pfn)
{
	return bitmap[pfn / BITS_PER_WORD] >> (pfn % BITS_PER_WORD) & 1;
}

/* Set (free = true) or clear the bits of pfns [first, last). */
static void mark(uint64_t first, uint64_t last, bool free)
{
	if (last > nr_pfns)
		last = nr_pfns;
	for (uint64_t pfn = first; pfn < last; pfn++) {
		uint64_t bit = 1ULL << (pfn % BITS_PER_WORD);

		if (pfn % BITS_PER_WORD == 0 && last - pfn >= BITS_PER_WORD) {
			bitmap[pfn / BITS_PER_WORD] = free ? ~0ULL : 0;
			pfn += BITS_PER_WORD - 1;
		} else if (free) {
			bitmap[pfn / BITS_PER_WORD] |= bit;
		} else {
			bitmap[pfn / BITS_PER_WORD] &= ~bit;
		}
	}
}

static void exclude(uint64_t start, uint64_t end)
{
	if (end > start && nr_excluded < MAX_EXCLUDED)
		excluded[nr_excluded++] = (struct area){ page_down(start), page_up(end) };
}

static const struct area *excluded_area(uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < nr_excluded; i++)
		if (start < excluded[i].end && excluded[i].start < end)
			return &excluded[i];
	return NULL;
}

/* The lowest page-aligned usable gap of `bytes` below `limit`, or 0. */
static uint64_t find_gap(uint64_t bytes, uint64_t limit)
{
	for (uint32_t i = 0; i < frame_map->nr_ranges; i++) {
		const struct mem_range *r = &frame_map->ranges[i];
		uint64_t start = r->start;
		const struct area *a;

		if (r->type != MEM_USABLE)
			continue;
		while (start + bytes <= r->end && start + bytes <= limit) {
			a = excluded_area(start, start + bytes);
			if (!a)
				return start;
			start = a->end;
		}
	}
	return 0;
}

int frame_init(const struct memmap *map, const struct boot_info *bi)
{
	uint64_t usable_end = 0, bytes, where;

	frame_map = map;
	nr_added = 0;
	for (uint32_t i = 0; i < map->nr_ranges; i++)
		if (map->ranges[i].type == MEM_USABLE)
			usable_end = map->ranges[i].end;
	nr_pfns = usable_end >> PAGE_SHIFT;
	nr_words = (nr_pfns + BITS_PER_WORD - 1) / BITS_PER_WORD;
	bytes = page_up(nr_words * sizeof(uint64_t));

	nr_excluded = 0;
	exclude(0, PAGE_SIZE);
	exclude(bi->kernel_start, bi->kernel_end);
	for (uint32_t i = 0; i < bi->nr_regions && i < BOOT_REGIONS_MAX; i++)
		exclude(bi->regions[i].start, bi->regions[i].end);

	where = bytes ? find_gap(bytes, BOOT_MAPPED_LIMIT) : 0;
	if (where == 0) {
		kprintf("# frames-error: problem=\"no usable RAM for the frame bitmap\" bitmap_bytes=%llu\n",
			(unsigned long long)bytes);
		return -1;
	}
	bitmap = (uint64_t *)(uintptr_t)where;
	exclude(where, where + bytes);

	memset(bitmap, 0, bytes);
	for (uint32_t i = 0; i < map->nr_ranges; i++)
		if (map->ranges[i].type == MEM_USABLE)
			mark(map->ranges[i].start >> PAGE_SHIFT,
			     map->ranges[i].end >> PAGE_SHIFT, true);
	for (uint32_t i = 0; i < nr_excluded; i++)
		mark(excluded[i].start >> PAGE_SHIFT,
		     excluded[i].end >> PAGE_SHIFT, false);

	memset(&stats, 0, sizeof(stats));
	for (uint64_t w = 0; w < nr_words; w++)
		stats.total += (uint64_t)__builtin_popcountll(bitmap[w]);
	stats.free = stats.total;
	stats.excluded = memmap_pages(map, MEM_USABLE) - stats.total;
	stats.bitmap = where;
	stats.bitmap_pages = bytes >> PAGE_SHIFT;
	frame_set_mapped_limit(BOOT_MAPPED_LIMIT);
	next_pfn = 0;
	frame_inject_failure(0, false);
	return 0;
}

void frame_set_mapped_limit(uint64_t limit)
{
	stats.mapped_limit = limit;
	limit_pfn = limit >> PAGE_SHIFT;
}

void frame_inject_failure(uint64_t nth, bool every)
{
	inject_nth = nth;
	inject_every = every;
	inject_calls = 0;
}

/* Should this allocation call fail on purpose? */
static bool injected_failure(void)
{
	if (inject_nth == 0)
		return false;
	inject_calls++;
	return inject_every ? inject_calls % inject_nth == 0
			    : inject_calls == inject_nth;
}

/* The first free pfn at or above from_pfn, in the words below to_word
 * and below the limit, or nr_pfns. */
static uint64_t search(uint64_t from_pfn, uint64_t to_word)
{
	for (uint64_t w = from_pfn / BITS_PER_WORD; w < to_word; w++) {
		uint64_t bits = bitmap[w];

		if (w == from_pfn / BITS_PER_WORD)
			bits &= ~0ULL << (from_pfn % BITS_PER_WORD);
		if (bits) {
			uint64_t pfn = w * BITS_PER_WORD +
				       (uint64_t)__builtin_ctzll(bits);

			return pfn < limit_pfn ? pfn : nr_pfns;
		}
	}
	return nr_pfns;
}

/* The first pfn of a free run of nr_pages below the limit, or nr_pfns. */
static uint64_t search_run(uint64_t nr_pages)
{
	uint64_t end = nr_pfns < limit_pfn ? nr_pfns : limit_pfn;
	uint64_t run = 0;

	for (uint64_t pfn = 0; pfn < end; pfn++) {
		if (pfn % BITS_PER_WORD == 0 && bitmap[pfn / BITS_PER_WORD] == 0) {
			run = 0;
			pfn += BITS_PER_WORD - 1;
			continue;
		}
		run = bit_free(pfn) ? run + 1 : 0;
		if (run == nr_pages)
			return pfn + 1 - nr_pages;
	}
	return nr_pfns;
}

static void *fail(bool injected)
{
	stats.failed++;
	stats.injected += injected;
	return NULL;
}

static void *page_source_alloc(void *ctx, uint64_t nr_pages)
{
	(void)ctx;
	return frame_alloc_pages(nr_pages);
}

static void page_source_free(void *ctx, void *pages, uint64_t nr_pages)
{
	(void)ctx;
	frame_free_pages(pages, nr_pages);
}

const struct page_source frame_page_source = {
	page_source_alloc, page_source_free, NULL,
};

/* ------------------------------------------------------ added ranges --- */

static struct added *added_find(uint64_t pfn)
{
	for (uint32_t i = 0; i < nr_added; i++)
		if (added[i].start_pfn <= pfn && pfn < added[i].end_pfn)
			return &added[i];
	return NULL;
}

static bool added_bit_free(const struct added *a, uint64_t pfn)
{
	uint64_t i = pfn - a->start_pfn;

	return a->bits[i / BITS_PER_WORD] >> (i % BITS_PER_WORD) & 1;
}

static void added_mark(struct added *a, uint64_t first, uint64_t last, bool free)
{
	for (uint64_t pfn = first; pfn < last; pfn++) {
		uint64_t i = pfn - a->start_pfn, bit = 1ULL << (i % BITS_PER_WORD);

		if (free)
			a->bits[i / BITS_PER_WORD] |= bit;
		else
			a->bits[i / BITS_PER_WORD] &= ~bit;
	}
}

/* The first free frame of a at or above from_pfn, wrapping once. */
static uint64_t added_search(const struct added *a, uint64_t from_pfn)
{
	uint64_t words = div_round_up(a->end_pfn - a->start_pfn, BITS_PER_WORD);
	uint64_t first = (from_pfn - a->start_pfn) / BITS_PER_WORD;

	if (a->nr_free == 0)
		return NO_PFN;
	for (uint64_t n = 0; n <= words; n++) {
		uint64_t w = (first + n) % words, bits = a->bits[w];

		if (n == 0)
			bits &= ~0ULL << ((from_pfn - a->start_pfn) % BITS_PER_WORD);
		if (bits)
			return a->start_pfn + w * BITS_PER_WORD +
			       (uint64_t)__builtin_ctzll(bits);
	}
	return NO_PFN;
}

/* The first pfn of a free run of nr_pages in a, or NO_PFN. */
static uint64_t added_search_run(const struct added *a, uint64_t nr_pages)
{
	uint64_t run = 0;

	if (a->nr_free < nr_pages)
		return NO_PFN;
	for (uint64_t pfn = a->start_pfn; pfn < a->end_pfn; pfn++) {
		run = added_bit_free(a, pfn) ? run + 1 : 0;
		if (run == nr_pages)
			return pfn + 1 - nr_pages;
	}
	return NO_PFN;
}

/* Hand out [pfn, pfn + nr_pages) of a (or of the boot bitmap, a NULL). */
static void *take(struct added *a, uint64_t pfn, uint64_t nr_pages)
{
	if (a) {
		added_mark(a, pfn, pfn + nr_pages, false);
		a->nr_free -= nr_pages;
	} else {
		mark(pfn, pfn + nr_pages, false);
	}
	stats.allocated += nr_pages;
	stats.free -= nr_pages;
	memset((void *)(uintptr_t)(pfn << PAGE_SHIFT), 0, nr_pages * PAGE_SIZE);
	return (void *)(uintptr_t)(pfn << PAGE_SHIFT);
}

/*
 * nr_pages frames: from `prefer` (an added range, at or above from_pfn)
 * when given, else the boot bitmap, then every added range.
 */
static void *alloc_pages(uint64_t nr_pages, struct added *prefer, uint64_t from_pfn)
{
	uint64_t pfn;

	if (!bitmap || nr_pages == 0)
		return fail(false);
	if (injected_failure())
		return fail(true);
	if (prefer) {
		pfn = nr_pages == 1 ? added_search(prefer, from_pfn) :
				      added_search_run(prefer, nr_pages);
		if (pfn != NO_PFN)
			return take(prefer, pfn, nr_pages);
	}
	if (nr_pages == 1) {
		uint64_t end = (limit_pfn + BITS_PER_WORD - 1) / BITS_PER_WORD;

		if (end > nr_words)
			end = nr_words;
		pfn = search(next_pfn / BITS_PER_WORD < end ? next_pfn : 0, end);
		if (pfn == nr_pfns)
			pfn = search(0, end);
		if (pfn != nr_pfns)     /* next time, from this frame's word */
			next_pfn = pfn & ~(uint64_t)(BITS_PER_WORD - 1);
	} else {
		pfn = nr_pages <= stats.free ? search_run(nr_pages) : nr_pfns;
	}
	if (pfn != nr_pfns)
		return take(NULL, pfn, nr_pages);
	for (uint32_t i = 0; i < nr_added; i++) {
		struct added *a = &added[i];

		pfn = nr_pages == 1 ? added_search(a, a->start_pfn) :
				      added_search_run(a, nr_pages);
		if (pfn != NO_PFN)
			return take(a, pfn, nr_pages);
	}
	return fail(false);
}

void *frame_alloc_pages(uint64_t nr_pages)
{
	return alloc_pages(nr_pages, NULL, 0);
}

void *frame_alloc_in_range(uint64_t start_pfn, uint64_t end_pfn)
{
	struct added *a = added_find(start_pfn);
	uint64_t pfn;

	if (!a || end_pfn > a->end_pfn || start_pfn >= end_pfn)
		return NULL;
	if (injected_failure())
		return fail(true);
	pfn = added_search(a, start_pfn);
	if (pfn == NO_PFN || pfn < start_pfn || pfn >= end_pfn)
		return fail(false);
	return take(a, pfn, 1);
}

int frame_add_range(uint64_t start_pfn, uint64_t end_pfn)
{
	uint64_t n = end_pfn - start_pfn, words, pages;
	struct added *a;
	uint64_t *bits;

	if (!bitmap || start_pfn >= end_pfn || nr_added == MAX_ADDED ||
	    start_pfn < nr_pfns)
		return -1;
	for (uint32_t i = 0; i < nr_added; i++)
		if (start_pfn < added[i].end_pfn && added[i].start_pfn < end_pfn)
			return -1;
	words = div_round_up(n, BITS_PER_WORD);
	pages = div_round_up(words * sizeof(uint64_t), PAGE_SIZE);
	bits = frame_alloc_pages(pages);
	if (!bits)
		return -1;
	/* Every frame of the range free; the bits past its end stay clear. */
	memset(bits, 0xff, (n / BITS_PER_WORD) * sizeof(uint64_t));
	if (n % BITS_PER_WORD)
		bits[n / BITS_PER_WORD] = (1ULL << (n % BITS_PER_WORD)) - 1;
	a = &added[nr_added++];
	*a = (struct added){ start_pfn, end_pfn, bits, pages, n };
	stats.total += n;
	stats.free += n;
	stats.added += n;
	stats.nr_ranges = nr_added;
	return 0;
}

int frame_remove_range(uint64_t start_pfn, uint64_t end_pfn, uint64_t *in_use)
{
	struct added *a = added_find(start_pfn);
	uint64_t n = end_pfn - start_pfn;
	uint64_t *bits, pages;

	*in_use = 0;
	if (!a || a->start_pfn != start_pfn || a->end_pfn != end_pfn)
		return -1;
	*in_use = n - a->nr_free;
	if (*in_use)
		return -1;
	bits = a->bits;
	pages = a->bitmap_pages;
	*a = added[--nr_added];
	stats.total -= n;
	stats.free -= n;
	stats.added -= n;
	stats.nr_ranges = nr_added;
	frame_free_pages(bits, pages);
	return 0;
}

uint64_t frame_count_allocated(uint64_t start_pfn, uint64_t end_pfn)
{
	uint64_t count = 0;

	for (uint32_t i = 0; i < nr_added; i++) {
		struct added *a = &added[i];
		uint64_t lo = a->start_pfn > start_pfn ? a->start_pfn : start_pfn;
		uint64_t hi = a->end_pfn < end_pfn ? a->end_pfn : end_pfn;

		for (uint64_t pfn = lo; pfn < hi; pfn++)
			count += !added_bit_free(a, pfn);
	}
	return count;
}

void *frame_alloc(void)
{
	return frame_alloc_pages(1);
}

void *frame_alloc_from(uint64_t phys_addr)
{
	uint64_t pfn = phys_addr >> PAGE_SHIFT;
	struct added *a = added_find(pfn);

	if (a)                                      /* the range, from pfn */
		return alloc_pages(1, a, pfn);
	next_pfn = pfn < nr_pfns ? pfn : 0;         /* the search starts here */
	return frame_alloc_pages(1);
}

/* Is [pfn, pfn + nr_pages) inside a and handed out, every frame? */
static bool added_allocated_run(const struct added *a, uint64_t pfn,
				uint64_t nr_pages)
{
	if (nr_pages == 0 || nr_pages > a->end_pfn - pfn)
		return false;
	for (uint64_t i = 0; i < nr_pages; i++)
		if (added_bit_free(a, pfn + i))
			return false;
	return true;
}

/* Is [addr, addr + nr_pages pages) ours and handed out, every frame? */
static bool allocated_run(uint64_t addr, uint64_t nr_pages)
{
	uint64_t pfn = addr >> PAGE_SHIFT;

	if (!bitmap || addr % PAGE_SIZE || nr_pages == 0 ||
	    pfn >= nr_pfns || nr_pages > nr_pfns - pfn)
		return false;
	if (!memmap_covers(frame_map, addr, addr + nr_pages * PAGE_SIZE, MEM_USABLE) ||
	    excluded_area(addr, addr + nr_pages * PAGE_SIZE))
		return false;
	for (uint64_t i = 0; i < nr_pages; i++)
		if (bit_free(pfn + i))
			return false;
	return true;
}

bool frame_is_allocated(const void *frame)
{
	uint64_t addr = (uint64_t)(uintptr_t)frame;
	struct added *a = added_find(addr >> PAGE_SHIFT);

	if (a)
		return addr % PAGE_SIZE == 0 && added_allocated_run(a, addr >> PAGE_SHIFT, 1);
	return allocated_run(addr, 1);
}

void frame_free_pages(void *first, uint64_t nr_pages)
{
	uint64_t addr = (uint64_t)(uintptr_t)first;

	struct added *a = added_find(addr >> PAGE_SHIFT);

	if (!first)
		return;
	if (a && addr % PAGE_SIZE == 0 &&
	    added_allocated_run(a, addr >> PAGE_SHIFT, nr_pages)) {
		added_mark(a, addr >> PAGE_SHIFT, (addr >> PAGE_SHIFT) + nr_pages, true);
		a->nr_free += nr_pages;
		stats.freed += nr_pages;
		stats.free += nr_pages;
		return;
	}
	if (a || !allocated_run(addr, nr_pages)) {
		stats.bad_frees++;
		kprintf("# frames-warning: problem=\"free of a frame not allocated\" address=0x%llx pages=%llu action=ignored\n",
			(unsigned long long)addr, (unsigned long long)nr_pages);
		return;
	}
	mark(addr >> PAGE_SHIFT, (addr >> PAGE_SHIFT) + nr_pages, true);
	stats.freed += nr_pages;
	stats.free += nr_pages;
}

void frame_free(void *frame)
{
	frame_free_pages(frame, 1);
}

uint64_t frame_dir_pages(uint64_t nr_pages)
{
	return div_round_up(nr_pages * sizeof(void *), PAGE_SIZE);
}

void **frame_alloc_scattered(uint64_t nr_pages)
{
	void **dir = frame_alloc_pages(frame_dir_pages(nr_pages));

	for (uint64_t i = 0; dir && i < nr_pages; i++)
		if (!(dir[i] = frame_alloc())) {
			frame_free_scattered(dir, nr_pages);  /* dir[i..] are NULL */
			return NULL;
		}
	return dir;
}

void frame_free_scattered(void **dir, uint64_t nr_pages)
{
	if (!dir)
		return;
	for (uint64_t i = 0; i < nr_pages; i++)
		frame_free(dir[i]);
	frame_free_pages(dir, frame_dir_pages(nr_pages));
}

void frame_get_stats(struct frame_stats *out)
{
	*out = stats;
}

uint64_t frame_count_in_use(void)
{
	return stats.allocated - stats.freed;
}

uint64_t frame_count_free(void)
{
	return stats.free;
}

void frame_report(void)
{
	kprintf("# frames: total=%llu free=%llu allocated=%llu freed=%llu failed=%llu injected=%llu excluded=%llu bitmap=0x%llx bitmap_pages=%llu\n",
		(unsigned long long)stats.total, (unsigned long long)stats.free,
		(unsigned long long)stats.allocated,
		(unsigned long long)stats.freed,
		(unsigned long long)stats.failed,
		(unsigned long long)stats.injected,
		(unsigned long long)stats.excluded,
		(unsigned long long)stats.bitmap,
		(unsigned long long)stats.bitmap_pages);
}
