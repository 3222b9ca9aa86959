/*
 * pageflags.h: dynamic page flags, one bit per page frame number (pfn),
 * allocated only where pages can exist. This is the interface and its
 * contract; docs/pageflags.md draws the structure.
 *
 * The idea is the 2005 proposal's: bits live in 4 KiB leaves of 32768
 * pfns (128 MiB of memory each), found through a table of pointers, and
 * a leaf that cannot hold memory is not allocated. Here the table is a
 * small radix tree so that it stays small on sparse 52-bit machines.
 *
 * The library is freestanding: it gets pages from a struct page_source
 * (pageflags/page.h) and learns which pfns exist from a struct
 * pageflags_space. It builds into the kernel and into host programs.
 *
 * Errors are negative values of enum pageflags_error, returned directly;
 * pageflags_strerror() names them. A map's structure changes only in
 * create, grow and shrink; reads (test, iteration) may run at the same time as
 * each other, but anything that writes bits, and grow, must be
 * serialised by the caller.
 */
#ifndef DYNFLAGS_PAGEFLAGS_H
#define DYNFLAGS_PAGEFLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pageflags/page.h"

#define PAGEFLAGS_LEAF_SHIFT    15      /* pfn -> leaf number */
#define PAGEFLAGS_LEAF_PFNS     (1ull << PAGEFLAGS_LEAF_SHIFT)  /* 32768 */
#define PAGEFLAGS_MIN_PHYS_BITS 27      /* at least one whole leaf */
#define PAGEFLAGS_MAX_PHYS_BITS 52      /* the x86-64 architectural limit */
#define PAGEFLAGS_NO_PFN        UINT64_MAX  /* "no such pfn" */

enum pageflags_error {
	PAGEFLAGS_OK = 0,
	PAGEFLAGS_ERR_RANGE = -1,       /* "out-of-range": pfn beyond the width */
	PAGEFLAGS_ERR_NOT_PRESENT = -2, /* "not-present": set where no leaf is */
	PAGEFLAGS_ERR_NO_MEMORY = -3,   /* "out-of-memory": the page source failed */
	PAGEFLAGS_ERR_INVALID = -4,     /* "invalid-argument": a bad parameter */
};

enum pageflags_mode {
	PAGEFLAGS_PRESENT_ONLY, /* leaves where memory is present; grow adds more */
	PAGEFLAGS_ALL_POSSIBLE, /* leaves for every possible pfn, holes included:
				   a set there never allocates and never fails */
};

/*
 * Does [start_pfn, end_pfn) (end exclusive, never empty) hold at least one
 * pfn of the asked kind? The library asks about whole leaves and whole
 * subtrees, so the answer must consider every pfn of the range.
 */
typedef bool (*pageflags_range_fn)(void *ctx, uint64_t start_pfn,
				   uint64_t end_pfn);

/*
 * The pfn space a map covers; the callbacks are called only during create.
 *   phys_bits         physical address width; pfns from 2^(phys_bits - 12)
 *                     are out of range. 27..52.
 *   possible_end_pfn  one past the highest pfn that could ever be memory,
 *                     at most 2^(phys_bits - 12); the map reaches that far
 *                     (rounded up to whole root slots) and grow no
 *                     further. 0: not known, reach the whole width.
 *   range_present     required: is any pfn of the range present memory?
 *   range_possible    optional: could any pfn of it ever be memory? NULL:
 *                     every pfn below possible_end_pfn (or of the width,
 *                     when it is 0) is possible.
 */
struct pageflags_space {
	unsigned int phys_bits;
	uint64_t possible_end_pfn;
	pageflags_range_fn range_present;
	pageflags_range_fn range_possible;
	void *ctx;
};

/* A sorted list of disjoint ranges [start_pfn, end_pfn), and a
 * pageflags_range_fn over it (ctx = the list). */
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

struct pageflags;       /* a map; its fields are not part of the API, but
			   map->mode may be read */

/* Counts for reports: `# pageflags: mode=... leaves=N inner=M bytes=B`. */
struct pageflags_stats {
	uint64_t nr_leaves;     /* pages of bits */
	uint64_t nr_inner;      /* pages of pointers below the root */
	uint64_t bytes;         /* every page the map holds, header included */
	uint64_t covered_pfns;  /* nr_leaves * 32768 */
};

/* "ok", "out-of-range", "not-present", "out-of-memory",
 * "invalid-argument", or "unknown-error". */
const char *pageflags_strerror(int err);

/* "present" or "all", as the kernel report writes the mode. */
const char *pageflags_mode_name(enum pageflags_mode mode);

/*
 * Build a map over `space` with pages from `source` (both copied). All or
 * nothing: on success *mapp is the map and the result 0; on failure *mapp
 * is NULL, every page taken has been given back, and the result is
 * PAGEFLAGS_ERR_INVALID or PAGEFLAGS_ERR_NO_MEMORY.
 */
int pageflags_create(struct pageflags **mapp, enum pageflags_mode mode,
		     const struct pageflags_space *space,
		     const struct page_source *source);

/* Give every page of the map back to its source. NULL is allowed. */
void pageflags_destroy(struct pageflags *map);

/* Clear every bit; the leaves stay. */
void pageflags_clear_all(struct pageflags *map);

/*
 * Give [start_pfn, end_pfn) leaves (memory hotplug). All or nothing: on
 * PAGEFLAGS_ERR_NO_MEMORY the map is as before and every page taken has
 * been given back. PAGEFLAGS_ERR_RANGE if end_pfn is past the map's
 * reach, PAGEFLAGS_ERR_INVALID if start_pfn > end_pfn.
 */
int pageflags_grow(struct pageflags *map, uint64_t start_pfn, uint64_t end_pfn);

/*
 * Take leaves back (memory hot remove): every leaf meeting [start_pfn,
 * end_pfn) for which range_present(ctx, leaf's first pfn, leaf's end)
 * says false is given back, with any inner node left with no leaf; the
 * bits it held go with it. range_present asks the map's pfn space as it
 * is now (the memory already gone), about whole leaves. All or nothing:
 * the arguments are checked first (PAGEFLAGS_ERR_INVALID for start_pfn >
 * end_pfn or no callback, PAGEFLAGS_ERR_RANGE past the map's reach) and
 * nothing changes on error; giving back cannot fail. A cursor holding a
 * leaf given back must be started again.
 */
int pageflags_shrink(struct pageflags *map, uint64_t start_pfn, uint64_t end_pfn,
		     pageflags_range_fn range_present, void *ctx);

/*
 * Call fn(ctx, pages, nr_pages) for every run of pages the map holds:
 * each leaf and inner node (one page), children before their parent, then
 * the header (last; one run of one or more pages). Stops at the first
 * nonzero result and returns it; 0 when all were visited. The shared zero
 * pages are no map's and are not visited. fn must not change the map.
 */
typedef int (*pageflags_pages_fn)(void *ctx, void *pages, uint64_t nr_pages);
int pageflags_for_each_page(struct pageflags *map, pageflags_pages_fn fn,
			    void *ctx);

uint64_t pageflags_count(struct pageflags *map);        /* set bits */
uint64_t pageflags_bytes(const struct pageflags *map);  /* pages held, in bytes */
void pageflags_stats(const struct pageflags *map, struct pageflags_stats *stats);
uint64_t pageflags_pfn_limit(const struct pageflags *map); /* 2^(phys_bits - 12) */

/*
 * One-bit operations. Results:
 *   pageflags_test            1 or 0 (0 where there is no leaf), or ERR_RANGE
 *   pageflags_set             0, or ERR_RANGE, or ERR_NOT_PRESENT (no leaf)
 *   pageflags_clear           0 (also where there is no leaf), or ERR_RANGE
 *   pageflags_test_and_set    the old bit, or as pageflags_set
 *   pageflags_test_and_clear  the old bit, or as pageflags_clear
 * Each walks the tree from the root. They are inline.
 */
static inline int pageflags_test(struct pageflags *map, uint64_t pfn);
static inline int pageflags_set(struct pageflags *map, uint64_t pfn);
static inline int pageflags_clear(struct pageflags *map, uint64_t pfn);
static inline int pageflags_test_and_set(struct pageflags *map, uint64_t pfn);
static inline int pageflags_test_and_clear(struct pageflags *map, uint64_t pfn);

/*
 * A cursor: the same operations, with the same results, remembering the
 * last real leaf used, so a run of calls in one leaf walks the tree once.
 * Keep it in a local variable. It stays good while the map lives and no
 * shrink gives its leaf back (grow and clear_all move no leaf).
 */
struct pageflags_cursor {
	struct pageflags *map;
	uint64_t leaf_nr;       /* pfn >> 15 of the leaf held, or PAGEFLAGS_NO_PFN */
	uint64_t *leaf;         /* that leaf */
};

static inline struct pageflags_cursor pageflags_cursor_start(struct pageflags *map);
static inline int pageflags_cursor_test(struct pageflags_cursor *c, uint64_t pfn);
static inline int pageflags_cursor_set(struct pageflags_cursor *c, uint64_t pfn);
static inline int pageflags_cursor_clear(struct pageflags_cursor *c, uint64_t pfn);
static inline int pageflags_cursor_test_and_set(struct pageflags_cursor *c,
						uint64_t pfn);
static inline int pageflags_cursor_test_and_clear(struct pageflags_cursor *c,
						  uint64_t pfn);

/*
 * Iteration over set bits, skipping absent subtrees whole:
 *
 *     struct pageflags_iter it;
 *     uint64_t pfn;
 *     pageflags_for_each_set(pfn, it, map)
 *             use(pfn);
 *
 * Clearing the pfn just returned (or any earlier one) is safe. Changes to
 * the 64 pfns around the current one may or may not be seen; changes
 * further on are seen. The iterator is a small value passed by value to
 * the out-of-line step, so it stays in registers.
 */
struct pageflags_iter {
	struct pageflags *map;
	const uint64_t *leaf;   /* the leaf being walked; NULL when finished */
	uint64_t word_pfn;      /* pfn of bit 0 of the current word */
	uint64_t bits;          /* bits of that word not yet returned */
};

/* An iterator whose first pfn returned is the first set pfn >= pfn. */
struct pageflags_iter pageflags_iter_start(struct pageflags *map, uint64_t pfn);

/* The next set pfn, or PAGEFLAGS_NO_PFN when there are no more (inline). */
static inline uint64_t pageflags_iter_next(struct pageflags_iter *it);

/* The iterator moved to word 0 of the first leaf at or after the leaf of
 * it.word_pfn; leaf is NULL when there is none. The out-of-line step. */
struct pageflags_iter pageflags_iter_next_leaf(struct pageflags_iter it);

/* The loop asks whether bits are left (pageflags_iter_more) and then takes
 * one, rather than comparing each pfn with PAGEFLAGS_NO_PFN: compiled, its
 * inner loop is a flat bitmap's, one test of the word per set bit. */
#define pageflags_for_each_set(pfn, it, map)                                 \
	for ((it) = pageflags_iter_start((map), 0);                          \
	     pageflags_iter_more(&(it)) && ((pfn) = pageflags_iter_take(&(it)), true);)

/* The first set pfn >= pfn, or PAGEFLAGS_NO_PFN. Cheap when called again
 * with the previous answer + 1: it looks at pfn's word first (inline). */
static inline uint64_t pageflags_next_set(struct pageflags *map, uint64_t pfn);

/* The first pfn of the first leaf at or after pfn's leaf, or
 * PAGEFLAGS_NO_PFN: to walk the leaves themselves (reports). */
uint64_t pageflags_next_leaf(struct pageflags *map, uint64_t pfn);

#include "pageflags/pageflags_inline.h"

#endif
