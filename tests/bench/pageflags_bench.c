/*
 * pageflags_bench.c: `make bench` for pageflags, against three baselines.
 *
 *   flat      one bit per pfn from 0 to the highest RAM pfn: the speed limit
 *   table     the seed's design: one array of leaf pointers, one per 128 MiB
 *             of the reach, over the same 4 KiB leaves: what a lookup with
 *             one pointer load costs, and what the array costs in bytes
 *   pageflags this library, present-only map
 *   roaring   CRoaring 0.2 bitmaps (32-bit keys) under a table indexed by
 *             pfn >> 32, as CRoaring's own Roaring64Map does
 *   judy1     Judy1 arrays (64-bit keys)
 *
 * On each layout of pageflags_layouts.h it runs, for every structure:
 *   set       set one pfn in seven (every present pfn divisible by 7)
 *   test      10 M tests of random present pfns (the same ones for all)
 *   iterate   visit every set bit in order
 *   clear     clear the set bits one by one
 *   next_set  from pfn 0, ask each structure's next-set for the first set
 *             pfn at or after the previous answer + 1, until there is none
 *             (what a caller without an iterator does: the shell's
 *             `flags next`)
 * in rounds where the structures take turns (7 rounds, 3 on a big
 * layout; flat, table and pageflags, whose figures the targets compare,
 * run FAST_RUNS times in each), and prints each workload's fastest run as
 * ns/op, and bytes, each also as a ratio to flat, then prints each target of
 * docs/performance.md with its figure and `met` or `not met`. Results are cross-checked so that every structure
 * agrees. The benchmark does not fail on time.
 *
 * Flat is skipped, and the report says so, when its bitmap would need more
 * than FLAT_MAX_BYTES. Below that it is mapped lazily (untouched pages
 * cost no RAM), but its size is counted in full: a kernel has no lazy zero
 * page.
 */
#define _GNU_SOURCE
#include <Judy.h>
#include <roaring/roaring.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "pageflags/pageflags.h"
#include "tests/bench/pageflags_layouts.h"

#define NR_TESTS       10000000ull
#define NR_RANDOM      (1u << 20)       /* random pfns, reused in turn */
#define FLAT_MAX_BYTES (2ull << 30)
#define STEP           7                /* one pfn in seven */
#define ROUNDS           7              /* rounds of every workload ... */
#define ROUNDS_BIG       3              /* ... or, on a big layout, */
#define ROUNDS_FEW_ABOVE 8000000ull     /* one with more bits set than this */
#define FAST_RUNS        3              /* runs of flat, table and pageflags
					   in every round */

static unsigned int rounds_asked;       /* --rounds=N; 0: the defaults */

enum { W_SET, W_TEST, W_ITER, W_CLEAR, W_NEXT, NR_WORKLOADS };
static const char *const workload_names[NR_WORKLOADS] = {
	"set 1/7", "test 10M", "iterate", "clear", "next_set",
};

enum { S_FLAT, S_TABLE, S_PAGEFLAGS, S_ROARING, S_JUDY, NR_STRUCTS };
static const char *const struct_names[NR_STRUCTS] = {
	"flat", "table", "pageflags", "roaring", "judy1",
};

struct result {
	bool ran;
	double ns[NR_WORKLOADS];        /* per operation */
	uint64_t bytes;                 /* with every bit set */
	uint64_t hits;                  /* tests that found a set bit */
	uint64_t seen, pfn_sum;         /* what iteration visited */
	uint64_t next_seen, next_sum;   /* what the next_set chain found */
};

struct bench {
	const struct bench_layout *layout;
	uint64_t *random_pfns;          /* NR_RANDOM present pfns */
	uint64_t nr_set;                /* bits the set workload sets */
	unsigned int rounds;            /* rounds of the five workloads */
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *map_huge(uint64_t bytes);

/* ------------------------------------------------------------- flat */

struct flat {
	uint64_t *words;
	uint64_t nr_pfns;
	uint64_t bytes;
};

static bool flat_init(struct flat *f, uint64_t nr_pfns)
{
	f->nr_pfns = nr_pfns;
	f->bytes = (nr_pfns + 63) / 64 * 8;
	f->words = map_huge(f->bytes);
	return f->words != NULL;
}

/*
 * Touch the words over RAM now, as pageflags allocates its leaves at
 * create: the workloads then time the bitmap, not first-touch faults.
 */
static void flat_prefault(struct flat *f, const struct bench_layout *l)
{
	for (size_t i = 0; i < l->nr_ranges; i++) {
		uint64_t first = l->ranges[i].start_pfn / 64;
		uint64_t end = (l->ranges[i].end_pfn + 63) / 64;

		memset(&f->words[first], 0, (end - first) * 8);
	}
}

static void flat_fini(struct flat *f)
{
	munmap(f->words, f->bytes);
}

static inline void flat_set(struct flat *f, uint64_t pfn)
{
	if (pfn < f->nr_pfns)
		f->words[pfn >> 6] |= 1ull << (pfn & 63);
}

static inline bool flat_test(struct flat *f, uint64_t pfn)
{
	return pfn < f->nr_pfns && (f->words[pfn >> 6] >> (pfn & 63)) & 1;
}

static inline void flat_clear(struct flat *f, uint64_t pfn)
{
	if (pfn < f->nr_pfns)
		f->words[pfn >> 6] &= ~(1ull << (pfn & 63));
}

static void flat_iterate(struct flat *f, struct result *r)
{
	uint64_t nr_words = f->bytes / 8, seen = 0, sum = 0;

	for (uint64_t w = 0; w < nr_words; w++) {
		for (uint64_t bits = f->words[w]; bits; bits &= bits - 1) {
			seen++;
			sum += w * 64 + (uint64_t)__builtin_ctzll(bits);
		}
	}
	r->seen = seen;
	r->pfn_sum = sum;
}

/* The first set pfn at or after pfn, or PAGEFLAGS_NO_PFN. */
static inline uint64_t flat_next_set(struct flat *f, uint64_t pfn)
{
	uint64_t w = pfn >> 6, nr_words = f->bytes / 8, bits;

	if (pfn >= f->nr_pfns)
		return PAGEFLAGS_NO_PFN;
	bits = f->words[w] & (~0ull << (pfn & 63));
	while (!bits) {
		if (++w == nr_words)
			return PAGEFLAGS_NO_PFN;
		bits = f->words[w];
	}
	return w * 64 + (uint64_t)__builtin_ctzll(bits);
}

static uint64_t flat_bytes(struct flat *f)
{
	return f->bytes;
}

/* -------------------------------------------------------- pageflags */

/*
 * The page source: 4 KiB pages cut from one anonymous mapping advised for
 * huge pages, as the kernel's frame allocator hands out frames of RAM it
 * maps with 2 MiB pages. Pages given back go on a free list.
 */
#define ARENA_BYTES (1ull << 36)        /* address space only (NORESERVE);
					   less where that is refused
					   (under valgrind) */

static struct {
	char *base;
	uint64_t bytes;                 /* size of the mapping */
	uint64_t used;                  /* bytes handed out from base */
	void *free_list;
} arena;

/*
 * An anonymous mapping advised for huge pages, starting on a 2 MiB
 * boundary so that even a small one (flat's bitmap on a small machine,
 * the random pfns) can be one huge page. With 4 KiB pages, where they
 * land in physical memory decides which cache sets a buffer uses, and the
 * figures moved by a third from one run of the benchmark to the next.
 * The slack before the boundary stays mapped and unused.
 */
#define HUGE_PAGE (2ull << 20)

static void *map_huge(uint64_t bytes)
{
	uint64_t size = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	char *p = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p += (HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE;
	madvise(p, size, MADV_HUGEPAGE);
	return p;
}

/* A single page comes off the free list if it can; a run is cut fresh. */
static void *arena_alloc_pages(void *ctx, uint64_t nr_pages)
{
	void *pages = arena.free_list;

	(void)ctx;
	if (pages && nr_pages == 1) {
		arena.free_list = *(void **)pages;
		return pages;
	}
	if (arena.bytes - arena.used < nr_pages * PAGE_SIZE)
		return NULL;
	pages = arena.base + arena.used;
	arena.used += nr_pages * PAGE_SIZE;
	return pages;
}

static void arena_free_pages(void *ctx, void *pages, uint64_t nr_pages)
{
	(void)ctx;
	for (uint64_t i = 0; i < nr_pages; i++) {
		void *page = (char *)pages + i * PAGE_SIZE;

		*(void **)page = arena.free_list;
		arena.free_list = page;
	}
}

static const struct page_source arena_source = {
	arena_alloc_pages, arena_free_pages, NULL,
};

/* ------------------------------------------------------------ table */

/*
 * The seed's design: one array with a leaf pointer for every 128 MiB of
 * the reach (0 to the end of RAM), in one allocation. Present leaves are
 * pages from the arena, as pageflags' are; absent ones point at a shared
 * zero leaf of its own, so a test needs no NULL check. A lookup is one pointer
 * load before the word: the least any structure that is not one flat
 * bitmap can do. The array is mapped lazily but counted in full.
 */
struct table {
	uint64_t **leaves;              /* nr_slots pointers */
	uint64_t nr_slots;
	uint64_t end_pfn;               /* pfns from here on are out of range */
	uint64_t nr_leaves;             /* present leaves (arena pages) */
};

static uint64_t table_zero_leaf[PAGE_SIZE / sizeof(uint64_t)]
	__attribute__((aligned(PAGE_SIZE)));

static uint64_t *table_zero(void)
{
	return table_zero_leaf;
}

static bool table_init(struct table *t, const struct bench_layout *l)
{
	struct pageflags_range_list list = { l->ranges, l->nr_ranges };

	t->end_pfn = l->ranges[l->nr_ranges - 1].end_pfn;
	t->nr_slots = (t->end_pfn + PAGEFLAGS_LEAF_PFNS - 1) >> PAGEFLAGS_LEAF_SHIFT;
	t->nr_leaves = 0;
	t->leaves = map_huge(t->nr_slots * sizeof(uint64_t *));
	if (!t->leaves)
		return false;
	for (uint64_t n = 0; n < t->nr_slots; n++) {
		uint64_t first = n << PAGEFLAGS_LEAF_SHIFT;
		uint64_t *leaf = table_zero();

		if (pageflags_range_list_overlaps(&list, first,
						  first + PAGEFLAGS_LEAF_PFNS)) {
			leaf = arena_alloc_pages(NULL, 1);
			if (!leaf)
				return false;
			memset(leaf, 0, PAGE_SIZE);
			t->nr_leaves++;
		}
		t->leaves[n] = leaf;
	}
	return true;
}

static void table_fini(struct table *t)
{
	for (uint64_t n = 0; n < t->nr_slots; n++)
		if (t->leaves[n] != table_zero())
			arena_free_pages(NULL, t->leaves[n], 1);
	munmap(t->leaves, t->nr_slots * sizeof(uint64_t *));
}

/* The word of pfn's bit; pfn must be below end_pfn. */
static inline uint64_t *table_word(struct table *t, uint64_t pfn)
{
	return &t->leaves[pfn >> PAGEFLAGS_LEAF_SHIFT]
			 [(pfn >> 6) & (PAGEFLAGS_LEAF_PFNS / 64 - 1)];
}

static inline void table_set(struct table *t, uint64_t pfn)
{
	if (pfn < t->end_pfn && t->leaves[pfn >> PAGEFLAGS_LEAF_SHIFT] != table_zero())
		*table_word(t, pfn) |= 1ull << (pfn & 63);
}

static inline bool table_test(struct table *t, uint64_t pfn)
{
	return pfn < t->end_pfn && (*table_word(t, pfn) >> (pfn & 63)) & 1;
}

static inline void table_clear(struct table *t, uint64_t pfn)
{
	if (pfn < t->end_pfn && t->leaves[pfn >> PAGEFLAGS_LEAF_SHIFT] != table_zero())
		*table_word(t, pfn) &= ~(1ull << (pfn & 63));
}

/* Every slot is looked at, present or not, as the seed's iterator does. */
static void table_iterate(struct table *t, struct result *r)
{
	uint64_t seen = 0, sum = 0;

	for (uint64_t n = 0; n < t->nr_slots; n++) {
		const uint64_t *leaf = t->leaves[n];

		if (leaf == table_zero())
			continue;
		for (uint64_t w = 0; w < PAGEFLAGS_LEAF_PFNS / 64; w++) {
			for (uint64_t bits = leaf[w]; bits; bits &= bits - 1) {
				seen++;
				sum += (n << PAGEFLAGS_LEAF_SHIFT) + w * 64 +
				       (uint64_t)__builtin_ctzll(bits);
			}
		}
	}
	r->seen = seen;
	r->pfn_sum = sum;
}

/* The first set pfn at or after pfn: the rest of its leaf, then the next
 * present leaves in the array. */
static inline uint64_t table_next_set(struct table *t, uint64_t pfn)
{
	uint64_t n = pfn >> PAGEFLAGS_LEAF_SHIFT, w, bits;

	if (pfn >= t->end_pfn)
		return PAGEFLAGS_NO_PFN;
	w = (pfn >> 6) & (PAGEFLAGS_LEAF_PFNS / 64 - 1);
	bits = t->leaves[n][w] & (~0ull << (pfn & 63));
	while (!bits) {
		if (++w == PAGEFLAGS_LEAF_PFNS / 64) {
			w = 0;
			do {
				if (++n == t->nr_slots)
					return PAGEFLAGS_NO_PFN;
			} while (t->leaves[n] == table_zero());
		}
		bits = t->leaves[n][w];
	}
	return (n << PAGEFLAGS_LEAF_SHIFT) + w * 64 + (uint64_t)__builtin_ctzll(bits);
}

static uint64_t table_bytes(struct table *t)
{
	return t->nr_slots * sizeof(uint64_t *) + t->nr_leaves * PAGE_SIZE;
}

/* The map as the kernel makes it: possible_end_pfn is the end of RAM (no
 * hotpluggable ranges), so the tree is as tall as that reach needs. */
static struct pageflags *pf_make(const struct bench_layout *l)
{
	struct pageflags_range_list list = { l->ranges, l->nr_ranges };
	struct pageflags_space space = {
		l->phys_bits, l->ranges[l->nr_ranges - 1].end_pfn,
		pageflags_range_list_overlaps, NULL, &list,
	};
	struct pageflags *map;
	int err = pageflags_create(&map, PAGEFLAGS_PRESENT_ONLY, &space,
				   &arena_source);

	if (err) {
		fprintf(stderr, "pageflags_bench: create: %s\n",
			pageflags_strerror(err));
		exit(1);
	}
	return map;
}

/*
 * pageflags is used as its callers use it: the in-order workloads (set,
 * clear) go through a cursor, which the round keeps in a local variable
 * (PF_LOCAL below), and the random tests through plain pageflags_test(),
 * as a cursor saves no walk when every test is in a different leaf.
 */
static inline void pf_set(struct pageflags_cursor *cursor, uint64_t pfn)
{
	pageflags_cursor_set(cursor, pfn);
}

static inline bool pf_test(struct pageflags_cursor *cursor, uint64_t pfn)
{
	return pageflags_test(cursor->map, pfn) == 1;
}

static inline void pf_clear(struct pageflags_cursor *cursor, uint64_t pfn)
{
	pageflags_cursor_clear(cursor, pfn);
}

static void pf_iterate(struct pageflags_cursor *cursor, struct result *r)
{
	struct pageflags_iter it;
	uint64_t pfn, seen = 0, sum = 0;

	pageflags_for_each_set(pfn, it, cursor->map) {
		seen++;
		sum += pfn;
	}
	r->seen = seen;
	r->pfn_sum = sum;
}

static inline uint64_t pf_next_set(struct pageflags_cursor *cursor, uint64_t pfn)
{
	return pageflags_next_set(cursor->map, pfn);
}

static uint64_t pf_bytes(struct pageflags_cursor *cursor)
{
	return pageflags_bytes(cursor->map);
}

/* ---------------------------------------------------------- roaring */

#define ROAR_TABLE 256          /* pfn >> 32 for pfns below 2^40 */

struct roar {
	roaring_bitmap_t *high[ROAR_TABLE];
};

static inline void roar_set(struct roar *r, uint64_t pfn)
{
	roaring_bitmap_t **b = &r->high[pfn >> 32];

	if (!*b)
		*b = roaring_bitmap_create();
	roaring_bitmap_add(*b, (uint32_t)pfn);
}

static inline bool roar_test(struct roar *r, uint64_t pfn)
{
	const roaring_bitmap_t *b = r->high[pfn >> 32];

	return b && roaring_bitmap_contains(b, (uint32_t)pfn);
}

static inline void roar_clear(struct roar *r, uint64_t pfn)
{
	roaring_bitmap_t *b = r->high[pfn >> 32];

	if (b)
		roaring_bitmap_remove(b, (uint32_t)pfn);
}

static void roar_iterate(struct roar *r, struct result *res)
{
	uint64_t seen = 0, sum = 0;

	for (uint64_t h = 0; h < ROAR_TABLE; h++) {
		roaring_uint32_iterator_t it;

		if (!r->high[h])
			continue;
		roaring_init_iterator(r->high[h], &it);
		for (; it.has_value; roaring_advance_uint32_iterator(&it)) {
			seen++;
			sum += h << 32 | it.current_value;
		}
	}
	res->seen = seen;
	res->pfn_sum = sum;
}

/* The first set pfn at or after pfn: CRoaring's iterator moved to the
 * first value >= the low 32 bits, in this table entry or a later one. */
static inline uint64_t roar_next_set(struct roar *r, uint64_t pfn)
{
	uint32_t low = (uint32_t)pfn;

	for (uint64_t h = pfn >> 32; h < ROAR_TABLE; h++, low = 0) {
		roaring_uint32_iterator_t it;

		if (!r->high[h])
			continue;
		roaring_init_iterator(r->high[h], &it);
		if (roaring_move_uint32_iterator_equalorlarger(&it, low))
			return h << 32 | it.current_value;
	}
	return PAGEFLAGS_NO_PFN;
}

/* Serialized size of the containers: close to what they hold in memory. */
static uint64_t roar_bytes(struct roar *r)
{
	uint64_t bytes = sizeof(*r);

	for (unsigned int h = 0; h < ROAR_TABLE; h++)
		if (r->high[h])
			bytes += roaring_bitmap_size_in_bytes(r->high[h]);
	return bytes;
}

static void roar_fini(struct roar *r)
{
	for (unsigned int h = 0; h < ROAR_TABLE; h++)
		if (r->high[h])
			roaring_bitmap_free(r->high[h]);
}

/* ------------------------------------------------------------ judy1 */

struct judy {
	Pvoid_t array;
};

static inline void judy_set(struct judy *j, uint64_t pfn)
{
	Judy1Set(&j->array, pfn, PJE0);
}

static inline bool judy_test(struct judy *j, uint64_t pfn)
{
	return Judy1Test(j->array, pfn, PJE0);
}

static inline void judy_clear(struct judy *j, uint64_t pfn)
{
	Judy1Unset(&j->array, pfn, PJE0);
}

static void judy_iterate(struct judy *j, struct result *r)
{
	Word_t index = 0;
	uint64_t seen = 0, sum = 0;

	for (int ok = Judy1First(j->array, &index, PJE0); ok;
	     ok = Judy1Next(j->array, &index, PJE0)) {
		seen++;
		sum += index;
	}
	r->seen = seen;
	r->pfn_sum = sum;
}

static inline uint64_t judy_next_set(struct judy *j, uint64_t pfn)
{
	Word_t index = pfn;

	return Judy1First(j->array, &index, PJE0) ? index : PAGEFLAGS_NO_PFN;
}

static uint64_t judy_bytes(struct judy *j)
{
	return Judy1MemUsed(j->array);
}

/* --------------------------------------------------------- workloads */

/* The pfns the set workload sets: every present pfn divisible by STEP. */
#define for_each_step_pfn(l, pfn)                                            \
	for (size_t range_ = 0; range_ < (l)->nr_ranges; range_++)           \
		for (uint64_t pfn = first_step((l)->ranges[range_].start_pfn); \
		     pfn < (l)->ranges[range_].end_pfn; pfn += STEP)

/*
 * One body for every structure, so each gets its operations inlined the
 * same way: KIND_set/test/clear/iterate/next_set/bytes on `s`, which LOCAL
 * declares from the structure `sv`: a pointer to it (PTR_LOCAL), or for
 * pageflags a cursor on it in a local variable (PF_LOCAL). Each workload
 * is a function of its own (noinline), so that `valgrind --tool=callgrind`
 * shows its instructions apart: divide by the operations it did. One call
 * of KIND_round is one round of the five workloads; a workload keeps its
 * fastest round.
 */
#define PTR_LOCAL(type, sv)     type *s = (sv)
#define PF_LOCAL(type, sv)      struct pageflags_cursor cursor_ =            \
					pageflags_cursor_start((type *)(sv)), \
				*s = &cursor_

#define DEFINE_ROUND(kind, type, LOCAL)                                      \
static __attribute__((noinline)) void                                        \
kind##_w_set(void *sv, const struct bench_layout *l)                         \
{                                                                            \
	LOCAL(type, sv);                                                     \
	for_each_step_pfn(l, pfn)                                            \
		kind##_set(s, pfn);                                          \
}                                                                            \
static __attribute__((noinline)) uint64_t                                    \
kind##_w_test(void *sv, const uint64_t *random_pfns)                         \
{                                                                            \
	LOCAL(type, sv);                                                     \
	uint64_t hits = 0;                                                   \
	for (uint64_t i = 0; i < NR_TESTS; i++)                              \
		hits += kind##_test(s, random_pfns[i % NR_RANDOM]);          \
	return hits;                                                         \
}                                                                            \
static __attribute__((noinline)) void                                        \
kind##_w_clear(void *sv, const struct bench_layout *l)                       \
{                                                                            \
	LOCAL(type, sv);                                                     \
	for_each_step_pfn(l, pfn)                                            \
		kind##_clear(s, pfn);                                        \
}                                                                            \
static __attribute__((noinline)) void                                        \
kind##_w_next(void *sv, struct result *r)                                    \
{                                                                            \
	LOCAL(type, sv);                                                     \
	uint64_t seen = 0, sum = 0;                                          \
	for (uint64_t pfn = kind##_next_set(s, 0); pfn != PAGEFLAGS_NO_PFN;  \
	     pfn = kind##_next_set(s, pfn + 1)) {                            \
		seen++;                                                      \
		sum += pfn;                                                  \
	}                                                                    \
	r->next_seen = seen;                                                 \
	r->next_sum = sum;                                                   \
}                                                                            \
static void kind##_round(void *sv, const struct bench *b, struct result *r)  \
{                                                                            \
	const struct bench_layout *l = b->layout;                            \
	LOCAL(type, sv);                                                     \
	double t, ns[NR_WORKLOADS];                                          \
                                                                             \
	t = now_ns();                                                        \
	kind##_w_set(sv, l);                                                 \
	ns[W_SET] = (now_ns() - t) / b->nr_set;                              \
	r->bytes = kind##_bytes(s);                                          \
                                                                             \
	t = now_ns();                                                        \
	r->hits = kind##_w_test(sv, b->random_pfns);                         \
	ns[W_TEST] = (now_ns() - t) / NR_TESTS;                              \
                                                                             \
	t = now_ns();                                                        \
	kind##_iterate(s, r);                                                \
	ns[W_ITER] = (now_ns() - t) / b->nr_set;                             \
                                                                             \
	t = now_ns();                                                        \
	kind##_w_next(sv, r);                                                \
	ns[W_NEXT] = (now_ns() - t) / b->nr_set;                             \
                                                                             \
	t = now_ns();                                                        \
	kind##_w_clear(sv, l);                                               \
	ns[W_CLEAR] = (now_ns() - t) / b->nr_set;                            \
	for (int w = 0; w < NR_WORKLOADS; w++)                               \
		if (!r->ran || ns[w] < r->ns[w])                             \
			r->ns[w] = ns[w];                                    \
	r->ran = true;                                                       \
}

/* The first pfn at or after `pfn` that the set workload sets. */
static inline uint64_t first_step(uint64_t pfn)
{
	return (pfn + STEP - 1) / STEP * STEP;
}

DEFINE_ROUND(flat, struct flat, PTR_LOCAL)
DEFINE_ROUND(table, struct table, PTR_LOCAL)
DEFINE_ROUND(pf, struct pageflags, PF_LOCAL)
DEFINE_ROUND(roar, struct roar, PTR_LOCAL)
DEFINE_ROUND(judy, struct judy, PTR_LOCAL)

/* xorshift64*: the same random pfns for every structure and run. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* NR_RANDOM pfns drawn evenly from the layout's RAM. */
static void make_random_pfns(struct bench *b)
{
	const struct bench_layout *l = b->layout;
	uint64_t total = layout_present_pages(l), state = 0x9e3779b97f4a7c15ull;

	b->random_pfns = map_huge(NR_RANDOM * sizeof(uint64_t));
	if (!b->random_pfns) {
		fprintf(stderr, "pageflags_bench: out of memory\n");
		exit(1);
	}
	for (uint32_t i = 0; i < NR_RANDOM; i++) {
		uint64_t n = next_random(&state) % total;
		size_t k = 0;

		while (n >= l->ranges[k].end_pfn - l->ranges[k].start_pfn) {
			n -= l->ranges[k].end_pfn - l->ranges[k].start_pfn;
			k++;
		}
		b->random_pfns[i] = l->ranges[k].start_pfn + n;
	}
}

static uint64_t count_set(const struct bench_layout *l)
{
	uint64_t n = 0;

	for (size_t i = 0; i < l->nr_ranges; i++)
		n += first_step(l->ranges[i].end_pfn) / STEP -
		     first_step(l->ranges[i].start_pfn) / STEP;
	return n;
}

/* --------------------------------------------------------- reporting */

static void print_size(uint64_t bytes)
{
	if (bytes >= 10ull << 30)
		printf("%.0f GiB", bytes / (double)(1ull << 30));
	else if (bytes >= 10ull << 20)
		printf("%.1f MiB", bytes / (double)(1ull << 20));
	else
		printf("%.1f KiB", bytes / 1024.0);
}

static void print_table(const struct result *res)
{
	const struct result *flat = &res[S_FLAT];

	printf("  %-10s", "");
	for (int s = 0; s < NR_STRUCTS; s++)
		printf(" %20s", struct_names[s]);
	printf("\n");
	for (int w = 0; w <= NR_WORKLOADS; w++) {
		printf("  %-10s", w < NR_WORKLOADS ? workload_names[w] : "bytes");
		for (int s = 0; s < NR_STRUCTS; s++) {
			char cell[64];
			double v, f;

			if (!res[s].ran) {
				printf(" %20s", "-");
				continue;
			}
			v = w < NR_WORKLOADS ? res[s].ns[w] : (double)res[s].bytes;
			f = w < NR_WORKLOADS ? flat->ns[w] : (double)flat->bytes;
			if (w < NR_WORKLOADS)
				snprintf(cell, sizeof(cell), "%.2f ns", v);
			else if (v >= 10 * 1048576.0)
				snprintf(cell, sizeof(cell), "%.1f MiB", v / 1048576);
			else
				snprintf(cell, sizeof(cell), "%.1f KiB", v / 1024);
			if (flat->ran)
				snprintf(cell + strlen(cell), sizeof(cell) - strlen(cell),
					 " (%5.2fx)", v / f);
			printf(" %20s", cell);
		}
		printf("\n");
	}
}

static void target(const char *what, bool met, const char *fmt, double v)
{
	printf("  target %-46s ", what);
	printf(fmt, v);
	printf("  %s\n", met ? "met" : "not met");
}

/* A ratio printed for information, with no target. */
static void info(const char *what, double v)
{
	printf("  info   %-46s %.2fx\n", what, v);
}

/* The targets that apply to this layout (docs/performance.md). */
static void check_targets(const struct bench_layout *l, const struct result *res)
{
	const struct result *pf = &res[S_PAGEFLAGS], *flat = &res[S_FLAT];
	const struct result *table = &res[S_TABLE];
	bool is_qemu6g = strcmp(l->name, "qemu6g") == 0;
	bool is_server1t = strcmp(l->name, "server1t") == 0;
	bool sparse = strcmp(l->name, "spread46") == 0 || strcmp(l->name, "spread52") == 0;
	double limit = (double)layout_bytes_target(l);
	double test = pf->ns[W_TEST] / flat->ns[W_TEST];
	double next = pf->ns[W_NEXT] / flat->ns[W_NEXT];

	target("bytes <= 1.02 x present/8 + 64 KiB", pf->bytes <= limit,
	       "%.4f of the limit", pf->bytes / limit);
	if (!flat->ran)
		return;
	if (is_server1t) {
		target("test <= 1.5x flat (DRAM-bound)", test <= 1.5, "%.2fx", test);
		if (table->ran)
			info("test vs table", pf->ns[W_TEST] / table->ns[W_TEST]);
	} else {
		target("test <= 1.35x flat", test <= 1.35, "%.2fx", test);
	}
	target("set through a cursor <= 1.25x flat",
	       pf->ns[W_SET] <= 1.25 * flat->ns[W_SET],
	       "%.2fx", pf->ns[W_SET] / flat->ns[W_SET]);
	target("clear through a cursor <= 1.25x flat",
	       pf->ns[W_CLEAR] <= 1.25 * flat->ns[W_CLEAR],
	       "%.2fx", pf->ns[W_CLEAR] / flat->ns[W_CLEAR]);
	if (!sparse)
		target("iterate <= 1.5x flat (dense)",
		       pf->ns[W_ITER] <= 1.5 * flat->ns[W_ITER],
		       "%.2fx", pf->ns[W_ITER] / flat->ns[W_ITER]);
	else
		target("iterate >= 10x faster than flat (sparse)",
		       flat->ns[W_ITER] >= 10 * pf->ns[W_ITER],
		       "%.1fx faster", flat->ns[W_ITER] / pf->ns[W_ITER]);
	if (is_qemu6g)
		target("next_set from previous + 1 <= 2x flat's", next <= 2,
		       "%.2fx", next);
	else
		info("next_set vs flat's", next);
}

/* Every structure must have seen the same bits. */
static void cross_check(const struct bench *b, const struct result *res)
{
	const struct result *pf = &res[S_PAGEFLAGS];

	for (int s = 0; s < NR_STRUCTS; s++) {
		if (!res[s].ran)
			continue;
		if (res[s].seen != b->nr_set || res[s].hits != pf->hits ||
		    res[s].pfn_sum != pf->pfn_sum ||
		    res[s].next_seen != b->nr_set || res[s].next_sum != pf->pfn_sum) {
			fprintf(stderr, "pageflags_bench: %s disagrees on %s\n",
				struct_names[s], b->layout->name);
			exit(1);
		}
	}
}

static void run_layout(const struct bench_layout *l)
{
	struct result res[NR_STRUCTS] = { 0 };
	struct bench b = { l, NULL, count_set(l), 0 };
	uint64_t end_pfn = l->ranges[l->nr_ranges - 1].end_pfn;
	uint64_t flat_need = (end_pfn + 63) / 64 * 8;
	uint64_t table_need = (end_pfn >> PAGEFLAGS_LEAF_SHIFT) * sizeof(uint64_t *);
	uint64_t present = layout_present_pages(l);
	struct pageflags *map;
	struct roar *roar;
	struct judy judy = { NULL };
	struct flat flat;
	struct table table;
	void *structs[NR_STRUCTS] = { NULL };
	void (*const rounds[NR_STRUCTS])(void *, const struct bench *, struct result *) = {
		[S_FLAT] = flat_round, [S_TABLE] = table_round,
		[S_PAGEFLAGS] = pf_round, [S_ROARING] = roar_round,
		[S_JUDY] = judy_round,
	};

	make_random_pfns(&b);
	b.rounds = rounds_asked ? rounds_asked :
		   b.nr_set > ROUNDS_FEW_ABOVE ? ROUNDS_BIG : ROUNDS;
	printf("\n%s: %s, %u-bit physical addresses\n", l->name, l->what,
	       l->phys_bits);
	printf("  RAM %llu pages (", (unsigned long long)present);
	print_size(present * PAGE_SIZE);
	printf("), %llu bits set, one bit per present page = ",
	       (unsigned long long)b.nr_set);
	print_size(present / 8);
	printf("\n");

	if (flat_need <= FLAT_MAX_BYTES && flat_init(&flat, end_pfn)) {
		flat_prefault(&flat, l);
		structs[S_FLAT] = &flat;
	} else {
		printf("  flat skipped: it would need ");
		print_size(flat_need);
		printf(" (over the %llu GiB this benchmark allows); no ratios\n",
		       FLAT_MAX_BYTES >> 30);
	}
	if (table_need <= FLAT_MAX_BYTES && table_init(&table, l))
		structs[S_TABLE] = &table;
	structs[S_PAGEFLAGS] = map = pf_make(l);
	structs[S_ROARING] = roar = calloc(1, sizeof(*roar));
	structs[S_JUDY] = &judy;
	if (!roar)
		exit(1);

	/*
	 * The machine is shared and its speed drifts, so the structures take
	 * turns: round after round, each runs its five workloads, and every
	 * workload keeps its fastest run. A slow spell then hits all of
	 * them, not the one that happened to run in it. Flat, the table and
	 * pageflags take a fraction of the time CRoaring and Judy1 take, and
	 * the targets compare their figures, so a round gives them FAST_RUNS
	 * turns to the others' one: more runs to keep the fastest of, at
	 * little cost (on server1t, 3 rounds are 9 runs of each).
	 */
	for (unsigned int round = 0; round < b.rounds; round++)
		for (unsigned int run = 0; run < FAST_RUNS; run++)
			for (int i = 0; i < NR_STRUCTS; i++)
				if (structs[i] && (run == 0 || i == S_FLAT ||
						   i == S_TABLE || i == S_PAGEFLAGS))
					rounds[i](structs[i], &b, &res[i]);

	if (structs[S_FLAT])
		flat_fini(&flat);
	if (structs[S_TABLE])
		table_fini(&table);
	if (pageflags_count(map) != 0) {
		fprintf(stderr, "pageflags_bench: bits left after clear\n");
		exit(1);
	}
	pageflags_destroy(map);
	roar_fini(roar);
	free(roar);
	Judy1FreeArray(&judy.array, PJE0);

	cross_check(&b, res);
	print_table(res);
	check_targets(l, res);
	munmap(b.random_pfns, NR_RANDOM * sizeof(uint64_t));
}

static void usage(void)
{
	fprintf(stderr, "usage: pageflags_bench [--rounds=N] [LAYOUT...]\n"
		"  LAYOUT: ");
	for (size_t i = 0; i < NR_BENCH_LAYOUTS; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", bench_layouts[i].name);
	fprintf(stderr, " (default: all)\n"
		"  --rounds=N: N rounds on every layout (default: %u, %u on a big one)\n",
		ROUNDS, ROUNDS_BIG);
	exit(2);
}

int main(int argc, char **argv)
{
	bool wanted[NR_BENCH_LAYOUTS] = { false }, any = false;

	for (int a = 1; a < argc; a++) {
		size_t i;

		if (strncmp(argv[a], "--rounds=", 9) == 0) {
			char *end;
			unsigned long n = strtoul(argv[a] + 9, &end, 10);

			if (end == argv[a] + 9 || *end || n == 0 || n > 1000) {
				fprintf(stderr, "pageflags_bench: bad round count '%s'\n",
					argv[a] + 9);
				usage();
			}
			rounds_asked = (unsigned int)n;
			continue;
		}
		for (i = 0; i < NR_BENCH_LAYOUTS; i++)
			if (strcmp(argv[a], bench_layouts[i].name) == 0)
				break;
		if (i == NR_BENCH_LAYOUTS) {
			fprintf(stderr, "pageflags_bench: unknown layout '%s'\n", argv[a]);
			usage();
		}
		wanted[i] = any = true;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (arena.bytes = ARENA_BYTES; arena.bytes >= 1ull << 30; arena.bytes /= 2)
		if ((arena.base = map_huge(arena.bytes)) != NULL)
			break;
	if (!arena.base) {
		fprintf(stderr, "pageflags_bench: no address space for pages\n");
		return 1;
	}
	printf("pageflags benchmark: ns per operation (ratio to flat); bytes with"
	       " every seventh pfn set\n");
	for (size_t i = 0; i < NR_BENCH_LAYOUTS; i++)
		if (wanted[i] || !any)
			run_layout(&bench_layouts[i]);
	return 0;
}
