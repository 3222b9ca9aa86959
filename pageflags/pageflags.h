/*
 * pageflags.h: dynamic page flags, one bit per page frame number (pfn),
 * kept in a radix tree that allocates memory only where pages can exist.
 *
 * The library is freestanding and portable. It includes no kernel header:
 * it gets memory through a page source (struct pageflags_source) and learns
 * which pfns exist through a pfn-space description (struct pageflags_space).
 * The same code builds into the kernel and into host programs.
 *
 * Shape (docs/pageflags.md has the picture):
 *   - a leaf is one 4 KiB page of bits: 32768 bits for 32768 pfns (128 MiB);
 *   - an inner node is one 4 KiB page of 512 pointers;
 *   - the root lives in the map's header page, with as many slots as the
 *     physical address width needs (at most 256);
 *   - the tree's height follows the width, up to 52 physical address bits;
 *   - a NULL pointer anywhere means "every bit below here is 0".
 *
 * Two modes:
 *   PAGEFLAGS_PRESENT_ONLY  leaves exist only where the space says memory is
 *                           present; pageflags_grow() adds leaves for memory
 *                           that appears later (hotplug).
 *   PAGEFLAGS_ALL_POSSIBLE  leaves exist for every possible pfn below
 *                           space->possible_end_pfn, holes included, so a
 *                           set there never allocates and never fails.
 *
 * Errors are values. Functions that can fail return an int: 0 or a
 * non-negative result on success, or the negative of an enum
 * pageflags_error. pageflags_error_name() names each one.
 *
 * The map is not thread-safe: lookups update a small leaf cache, so callers
 * serialise every call on one map (including tests).
 */
#ifndef DYNFLAGS_PAGEFLAGS_H
#define DYNFLAGS_PAGEFLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGEFLAGS_PAGE_SIZE     4096u   /* bytes in every page the map uses */
#define PAGEFLAGS_PAGE_SHIFT    12      /* physical address -> pfn */
#define PAGEFLAGS_LEAF_SHIFT    15      /* pfn -> leaf number */
#define PAGEFLAGS_LEAF_PFNS     (1ull << PAGEFLAGS_LEAF_SHIFT)  /* 32768 */
#define PAGEFLAGS_SLOT_SHIFT    9       /* 512 pointers per inner node */
#define PAGEFLAGS_SLOTS         (1u << PAGEFLAGS_SLOT_SHIFT)
#define PAGEFLAGS_ROOT_SHIFT_MAX 8      /* root: at most 256 slots */
#define PAGEFLAGS_CACHE_SHIFT   6       /* leaf cache: 64 slots */
#define PAGEFLAGS_MIN_PHYS_BITS 13      /* at least two pfns */
#define PAGEFLAGS_MAX_PHYS_BITS 52      /* the x86-64 architectural limit */
#define PAGEFLAGS_NO_PFN        UINT64_MAX  /* "no such pfn" from iteration */

enum pageflags_error {
	PAGEFLAGS_OK = 0,
	PAGEFLAGS_ERR_RANGE,        /* "out-of-range": pfn beyond the width */
	PAGEFLAGS_ERR_NOT_PRESENT,  /* "not-present": set where no leaf exists */
	PAGEFLAGS_ERR_NO_MEMORY,    /* "out-of-memory": the page source failed */
	PAGEFLAGS_ERR_INVALID,      /* "invalid-argument": a bad parameter */
};

enum pageflags_mode {
	PAGEFLAGS_PRESENT_ONLY,
	PAGEFLAGS_ALL_POSSIBLE,
};

/*
 * Where the map's pages come from. alloc_page returns one 4 KiB page
 * (4 KiB-aligned is best; it need not be zeroed, the library zeroes it) or
 * NULL when there is none; free_page takes back a page alloc_page gave.
 */
struct pageflags_source {
	void *(*alloc_page)(void *ctx);
	void (*free_page)(void *ctx, void *page);
	void *ctx;
};

/*
 * Does the pfn range [start_pfn, end_pfn) (end exclusive) hold at least one
 * pfn of the asked kind? The library asks about whole leaves and whole
 * subtrees, so an answer must consider every pfn of the range, not only
 * its endpoints. The range is never empty and never reaches past the width.
 */
typedef bool (*pageflags_range_fn)(void *ctx, uint64_t start_pfn,
				   uint64_t end_pfn);

/*
 * The pfn space a map covers.
 *   phys_bits         physical address width (CPUID 0x80000008 EAX[7:0]);
 *                     pfns from 2^(phys_bits - 12) up are out of range.
 *   possible_end_pfn  one past the highest pfn that could ever hold memory
 *                     (end of RAM or of hotpluggable ranges, the higher);
 *                     used by all-possible maps; at most 2^(phys_bits - 12).
 *   range_present     required: is any pfn of the range present memory?
 *   range_possible    optional: could any pfn of the range ever be memory?
 *                     NULL means every pfn below possible_end_pfn is
 *                     possible (holes included, as the all-pages mode of
 *                     the original proposal).
 * The callbacks are asked only while pageflags_create() runs.
 */
struct pageflags_space {
	unsigned int phys_bits;
	uint64_t possible_end_pfn;
	pageflags_range_fn range_present;
	pageflags_range_fn range_possible;
	void *ctx;
};

/*
 * A sorted list of disjoint pfn ranges [start_pfn, end_pfn), and a
 * pageflags_range_fn over it (ctx = the list). Tests, the fuzzer, the
 * benchmark and any caller with a plain range list use this one helper.
 */
struct pageflags_range {
	uint64_t start_pfn;
	uint64_t end_pfn;       /* exclusive */
};

struct pageflags_range_list {
	const struct pageflags_range *ranges;
	size_t nr_ranges;
};

bool pageflags_range_list_overlaps(void *list, uint64_t start_pfn,
				   uint64_t end_pfn);

/*
 * One slot of the leaf cache: the leaf number it remembers and that leaf's
 * bits (NULL: that leaf is absent). leaf_nr is PAGEFLAGS_NO_PFN when empty.
 */
struct pageflags_cache_slot {
	uint64_t leaf_nr;
	uint64_t *leaf;
};

/*
 * A map. It lives in one page from the source (its header page), which
 * also holds the leaf cache and the root. Treat the fields as private;
 * they are here only so the one-bit operations below can be inline.
 */
struct pageflags {
	uint64_t pfn_limit;         /* 2^(phys_bits - 12): first out-of-range pfn */
	struct pageflags_cache_slot cache[1u << PAGEFLAGS_CACHE_SHIFT];
	enum pageflags_mode mode;
	unsigned int phys_bits;
	unsigned int inner_levels;  /* levels of 512-slot nodes below the root */
	unsigned int root_slots;    /* 2^(root shift), 1..256 */
	uint64_t nr_leaf_slots;     /* leaf numbers below this may exist */
	uint64_t possible_end_pfn;
	uint64_t nr_leaves;         /* pages holding bits */
	uint64_t nr_inner;          /* pages holding pointers (root excluded) */
	struct pageflags_source source;
	void *root[1u << PAGEFLAGS_ROOT_SHIFT_MAX];
};

/* Counts for reports: `# pageflags: mode=... leaves=N inner=M bytes=B ...`. */
struct pageflags_stats {
	uint64_t nr_leaves;
	uint64_t nr_inner;          /* inner nodes; the root is in the header */
	uint64_t bytes;             /* every page the map holds, header included */
	uint64_t covered_pfns;      /* pfns that have a leaf: nr_leaves * 32768 */
};

/* "ok", "out-of-range", "not-present", "out-of-memory", "invalid-argument";
 * takes an error with either sign. */
const char *pageflags_error_name(int err);

/* "present" or "all", as the kernel report writes the mode. */
const char *pageflags_mode_name(enum pageflags_mode mode);

/*
 * Build a map over `space` with pages from `source` (both are copied; the
 * space's callbacks are called only during this function). On success
 * *mapp is the map and the result is 0. On failure *mapp is NULL, every
 * page taken has been given back, and the result is -PAGEFLAGS_ERR_INVALID
 * or -PAGEFLAGS_ERR_NO_MEMORY.
 */
int pageflags_create(struct pageflags **mapp, enum pageflags_mode mode,
		     const struct pageflags_space *space,
		     const struct pageflags_source *source);

/* Give every page of the map back to its source. NULL is allowed. */
void pageflags_destroy(struct pageflags *map);

/* Clear every bit; the leaves stay. */
void pageflags_clear_all(struct pageflags *map);

/*
 * Give [start_pfn, end_pfn) leaves (memory hotplug). All or nothing: on
 * -PAGEFLAGS_ERR_NO_MEMORY the map is as before and every page taken has
 * been given back. -PAGEFLAGS_ERR_RANGE if end_pfn is beyond the width,
 * -PAGEFLAGS_ERR_INVALID if start_pfn > end_pfn.
 */
int pageflags_grow(struct pageflags *map, uint64_t start_pfn, uint64_t end_pfn);

/* Number of set bits (walks the leaves that exist). */
uint64_t pageflags_count(struct pageflags *map);

/* Bytes of every page the map holds, header included. */
uint64_t pageflags_bytes(const struct pageflags *map);

void pageflags_stats(const struct pageflags *map, struct pageflags_stats *stats);

/* The first out-of-range pfn: 2^(phys_bits - 12). */
uint64_t pageflags_pfn_limit(const struct pageflags *map);

/*
 * Iteration over set bits, skipping absent subtrees whole:
 *
 *     struct pageflags_iter it;
 *     uint64_t pfn;
 *     pageflags_for_each_set(pfn, &it, map)
 *             use(pfn);
 *
 * Clearing the pfn just returned (or any earlier one) while iterating is
 * safe. Other changes to the 64 pfns around the current one may or may
 * not be seen; changes further on are seen.
 */
struct pageflags_iter {
	struct pageflags *map;
	const uint64_t *leaf;       /* leaf being walked; NULL when finished */
	uint64_t word_pfn;          /* pfn of bit 0 of the current word */
	uint64_t bits;              /* bits of that word not yet returned */
};

/* Start an iteration at `pfn` (the first pfn it may return). */
void pageflags_iter_start(struct pageflags_iter *it, struct pageflags *map,
			  uint64_t pfn);

/* Out-of-line part of pageflags_iter_next(): the next non-zero word. */
uint64_t pageflags_iter_next_word(struct pageflags_iter *it);

/* The next set pfn, or PAGEFLAGS_NO_PFN when there are no more. */
static inline uint64_t pageflags_iter_next(struct pageflags_iter *it)
{
	uint64_t bits = it->bits;

	if (!bits)
		return pageflags_iter_next_word(it);
	it->bits = bits & (bits - 1);
	return it->word_pfn + (uint64_t)__builtin_ctzll(bits);
}

#define pageflags_for_each_set(pfn, it, map)                                 \
	for (pageflags_iter_start((it), (map), 0);                           \
	     ((pfn) = pageflags_iter_next(it)) != PAGEFLAGS_NO_PFN;)

/* The first set pfn at or after `pfn`, or PAGEFLAGS_NO_PFN. */
uint64_t pageflags_next_set(struct pageflags *map, uint64_t pfn);

/*
 * One-bit operations. The leaf cache makes repeated use of one leaf cost no
 * tree walk; a miss walks from the root (pageflags_find_leaf) and fills the
 * cache slot. Results:
 *   pageflags_test            1 or 0 (0 where no leaf), or -ERR_RANGE
 *   pageflags_set             0, or -ERR_RANGE, -ERR_NOT_PRESENT (no leaf)
 *   pageflags_clear           0 (also where no leaf), or -ERR_RANGE
 *   pageflags_test_and_set    the old bit, or as pageflags_set
 *   pageflags_test_and_clear  the old bit, or -ERR_RANGE
 */

/* The leaf holding leaf_nr (< map->nr_leaf_slots), or NULL; fills the cache. */
uint64_t *pageflags_find_leaf(struct pageflags *map, uint64_t leaf_nr);

static inline uint64_t *pageflags_leaf_of(struct pageflags *map, uint64_t pfn)
{
	uint64_t leaf_nr = pfn >> PAGEFLAGS_LEAF_SHIFT;
	const struct pageflags_cache_slot *slot =
		&map->cache[leaf_nr & ((1u << PAGEFLAGS_CACHE_SHIFT) - 1)];

	if (slot->leaf_nr == leaf_nr)
		return slot->leaf;
	return pageflags_find_leaf(map, leaf_nr);
}

/* The word of a leaf holding pfn's bit, and the bit within that word. */
#define PAGEFLAGS_WORD(pfn) (((pfn) >> 6) & (PAGEFLAGS_LEAF_PFNS / 64 - 1))
#define PAGEFLAGS_BIT(pfn)  (1ull << ((pfn) & 63))

static inline int pageflags_test(struct pageflags *map, uint64_t pfn)
{
	const uint64_t *leaf;

	if (pfn >= map->pfn_limit)
		return -PAGEFLAGS_ERR_RANGE;
	leaf = pageflags_leaf_of(map, pfn);
	if (!leaf)
		return 0;
	return (leaf[PAGEFLAGS_WORD(pfn)] & PAGEFLAGS_BIT(pfn)) != 0;
}

static inline int pageflags_test_and_set(struct pageflags *map, uint64_t pfn)
{
	uint64_t *leaf, old;

	if (pfn >= map->pfn_limit)
		return -PAGEFLAGS_ERR_RANGE;
	leaf = pageflags_leaf_of(map, pfn);
	if (!leaf)
		return -PAGEFLAGS_ERR_NOT_PRESENT;
	old = leaf[PAGEFLAGS_WORD(pfn)];
	leaf[PAGEFLAGS_WORD(pfn)] = old | PAGEFLAGS_BIT(pfn);
	return (old & PAGEFLAGS_BIT(pfn)) != 0;
}

static inline int pageflags_test_and_clear(struct pageflags *map, uint64_t pfn)
{
	uint64_t *leaf, old;

	if (pfn >= map->pfn_limit)
		return -PAGEFLAGS_ERR_RANGE;
	leaf = pageflags_leaf_of(map, pfn);
	if (!leaf)
		return 0;
	old = leaf[PAGEFLAGS_WORD(pfn)];
	leaf[PAGEFLAGS_WORD(pfn)] = old & ~PAGEFLAGS_BIT(pfn);
	return (old & PAGEFLAGS_BIT(pfn)) != 0;
}

static inline int pageflags_set(struct pageflags *map, uint64_t pfn)
{
	int old = pageflags_test_and_set(map, pfn);

	return old < 0 ? old : 0;
}

static inline int pageflags_clear(struct pageflags *map, uint64_t pfn)
{
	int old = pageflags_test_and_clear(map, pfn);

	return old < 0 ? old : 0;
}

#endif
