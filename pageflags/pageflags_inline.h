/*
 * pageflags_inline.h: internals, not part of the API. The map's layout and
 * the walk, which the inline operations of pageflags.h need to see.
 * Include pageflags.h, never this file.
 *
 * The structure, as the 2005 seed's table grown into a radix tree:
 *
 *   map header (1 or more pages)           inner node (0, 1 or 2 levels)
 *   +-------------------+                  +-----------+
 *   | levels, root_slots|   root[i] ---->  | 512 slots | ---> leaf
 *   | counts, source    |                  +-----------+      +------------+
 *   | root[0..slots-1]  |                                     | 512 words  |
 *   +-------------------+   (levels == 0: root[i] is leaf i)  | 32768 bits |
 *                                                             +------------+
 *
 *   leaf_nr = pfn >> 15                     which leaf holds pfn's bit
 *   bit     = pfn & 32767                   word bit >> 6, bit bit & 63
 *   a level-l node's slot for leaf_nr is (leaf_nr >> 9 * (l - 1)) & 511;
 *   the root's is leaf_nr >> 9 * levels.
 *
 * Invariants:
 *   - every slot holds a plain pointer to its child, never NULL: an absent
 *     leaf is pageflags_zero_leaf, an absent level-l subtree is
 *     pageflags_zero_inner[l - 1], whose slots all point one level down.
 *     So a walk never checks for NULL; the zero pages are read-only,
 *     shared, never written, freed or counted;
 *   - the root has root_slots slots; leaf_nr >> 9 * levels < root_slots
 *     is the whole range check of a walk, and the tree reaches no pfn
 *     at or past pfn_limit;
 *   - levels is the fewest that keep the root within the header the
 *     leaves pay for (pageflags.c): machines up to 60 GiB, and big dense
 *     ones, have levels == 0 and the root is a direct table of leaves.
 *
 * Costs: a walk is levels + 1 dependent loads before the word; a leaf
 * costs 4 KiB for 128 MiB of memory (1/32768), inner nodes and the root
 * one more 8-byte pointer per leaf at most.
 */
#ifndef DYNFLAGS_PAGEFLAGS_INLINE_H
#define DYNFLAGS_PAGEFLAGS_INLINE_H

#define PAGEFLAGS_SLOT_SHIFT    9       /* 512 pointers per inner node */
#define PAGEFLAGS_SLOTS         (1u << PAGEFLAGS_SLOT_SHIFT)
#define PAGEFLAGS_LEAF_WORDS    (PAGEFLAGS_LEAF_PFNS / 64)      /* 512 */
#define PAGEFLAGS_MAX_LEVELS    2       /* inner levels for 52 bits */

struct pageflags {
	unsigned int levels;        /* inner levels below the root: 0..2 */
	uint64_t root_slots;        /* at least 1; they fit the header */
	uint64_t pfn_limit;         /* 2^(phys_bits - 12): first out-of-range pfn */
	enum pageflags_mode mode;
	uint64_t header_pages;      /* pages of this header, root included */
	uint64_t nr_leaves;         /* pages of bits */
	uint64_t nr_inner;          /* pages of pointers, the root excluded */
	struct page_source source;
	void *root[];               /* root_slots plain pointers */
};

extern const uint64_t pageflags_zero_leaf[PAGEFLAGS_LEAF_WORDS];
extern void *const pageflags_zero_inner[PAGEFLAGS_MAX_LEVELS][PAGEFLAGS_SLOTS];

/* pfn >> pageflags_shift(l) numbers the subtrees of level l (l = 0:
 * leaves); an inner node's slot is that number & 511. */
static inline unsigned int pageflags_shift(unsigned int level)
{
	return PAGEFLAGS_LEAF_SHIFT + PAGEFLAGS_SLOT_SHIFT * level;
}

/*
 * The walk: the node of level `to` (0: the leaf) on the way to pfn, a
 * zero page where that part of the tree is absent. pfn must be within
 * the tree's reach (pageflags_reaches()). The root slot comes first; then
 * one step down per inner level, counted from the deepest tree's top, a
 * shorter tree skipping the levels it does not have. A map with no inner
 * level (most machines) is the seed's table: root[pfn >> 15] and no step.
 * Counting from a fixed top lets the compiler unroll the loop with fixed
 * shifts.
 */
static inline void *pageflags_walk(const struct pageflags *map, uint64_t pfn,
				   unsigned int to)
{
	unsigned int levels = map->levels;
	void *node = map->root[pfn >> pageflags_shift(levels)];

	for (unsigned int level = PAGEFLAGS_MAX_LEVELS; level > to; level--)
		if (level <= levels)
			node = ((void **)node)[(pfn >> pageflags_shift(level - 1)) &
					       (PAGEFLAGS_SLOTS - 1)];
	return node;
}

/* Does the tree reach pfn? The range check of every walk: the root's
 * slots, each over 512^levels leaves, end there (over one leaf each for
 * a direct table). */
static inline bool pageflags_reaches(const struct pageflags *map, uint64_t pfn)
{
	if (map->levels == 0)
		return pfn >> PAGEFLAGS_LEAF_SHIFT < map->root_slots;
	return pfn < map->root_slots << pageflags_shift(map->levels);
}

/* The word of pfn's bit in a leaf, and the bit in its word. */
#define PAGEFLAGS_WORD(leaf, pfn) ((leaf)[((pfn) >> 6) & (PAGEFLAGS_LEAF_WORDS - 1)])
#define PAGEFLAGS_BIT(pfn)        (1ull << ((pfn) & 63))

/* The result where pfn has no real leaf: a set fails, a test or clear
 * finds 0; beyond the width, all are out of range. */
static inline int pageflags_no_leaf(const struct pageflags *map, uint64_t pfn,
				    bool set)
{
	if (pfn >= map->pfn_limit)
		return PAGEFLAGS_ERR_RANGE;
	return set ? PAGEFLAGS_ERR_NOT_PRESENT : 0;
}

/* Set or clear pfn's bit in a real leaf; the old bit. */
static inline int pageflags_change(uint64_t *leaf, uint64_t pfn, bool set)
{
	uint64_t *word = &PAGEFLAGS_WORD(leaf, pfn), bit = PAGEFLAGS_BIT(pfn);
	int old = (*word & bit) != 0;

	*word = set ? *word | bit : *word & ~bit;
	return old;
}

/* A result of test_and_set or test_and_clear, for set or clear. */
static inline int pageflags_no_old_bit(int r)
{
	return r < 0 ? r : 0;
}

static inline int pageflags_test(struct pageflags *map, uint64_t pfn)
{
	const uint64_t *leaf;

	if (!pageflags_reaches(map, pfn))
		return pageflags_no_leaf(map, pfn, false);
	leaf = pageflags_walk(map, pfn, 0);
	return (PAGEFLAGS_WORD(leaf, pfn) & PAGEFLAGS_BIT(pfn)) != 0;
}

/* Set or clear pfn's bit, walking from the root; the old bit. */
static inline int pageflags_write(struct pageflags *map, uint64_t pfn, bool set)
{
	uint64_t *leaf;

	if (!pageflags_reaches(map, pfn) ||
	    (leaf = pageflags_walk(map, pfn, 0)) == pageflags_zero_leaf)
		return pageflags_no_leaf(map, pfn, set);
	return pageflags_change(leaf, pfn, set);
}

static inline int pageflags_test_and_set(struct pageflags *map, uint64_t pfn)
{
	return pageflags_write(map, pfn, true);
}

static inline int pageflags_test_and_clear(struct pageflags *map, uint64_t pfn)
{
	return pageflags_write(map, pfn, false);
}

static inline int pageflags_set(struct pageflags *map, uint64_t pfn)
{
	return pageflags_no_old_bit(pageflags_write(map, pfn, true));
}

static inline int pageflags_clear(struct pageflags *map, uint64_t pfn)
{
	return pageflags_no_old_bit(pageflags_write(map, pfn, false));
}

static inline struct pageflags_cursor pageflags_cursor_start(struct pageflags *map)
{
	struct pageflags_cursor c = { map, PAGEFLAGS_NO_PFN, NULL };

	return c;
}

/* Is pfn in the cursor's leaf? The usual case, laid out to fall through. */
static inline bool pageflags_cursor_hit(const struct pageflags_cursor *c,
					uint64_t pfn)
{
	return __builtin_expect(pfn >> PAGEFLAGS_LEAF_SHIFT == c->leaf_nr, 1);
}

/* Walk to pfn's leaf and make it the cursor's: false, and the cursor as it
 * was, where pfn has no real leaf (the zero leaf is never the cursor's). */
static inline bool pageflags_cursor_move(struct pageflags_cursor *c, uint64_t pfn)
{
	uint64_t *leaf;

	if (!pageflags_reaches(c->map, pfn) ||
	    (leaf = pageflags_walk(c->map, pfn, 0)) == pageflags_zero_leaf)
		return false;
	c->leaf_nr = pfn >> PAGEFLAGS_LEAF_SHIFT;
	c->leaf = leaf;
	return true;
}

static inline int pageflags_cursor_test(struct pageflags_cursor *c, uint64_t pfn)
{
	if (!pageflags_cursor_hit(c, pfn) && !pageflags_cursor_move(c, pfn))
		return pageflags_no_leaf(c->map, pfn, false);
	return (PAGEFLAGS_WORD(c->leaf, pfn) & PAGEFLAGS_BIT(pfn)) != 0;
}

/* Set or clear pfn's bit through the cursor; the old bit. */
static inline int pageflags_cursor_write(struct pageflags_cursor *c, uint64_t pfn,
					 bool set)
{
	if (pageflags_cursor_hit(c, pfn))
		return pageflags_change(c->leaf, pfn, set);
	if (!pageflags_cursor_move(c, pfn))
		return pageflags_no_leaf(c->map, pfn, set);
	return pageflags_change(c->leaf, pfn, set);
}

static inline int pageflags_cursor_test_and_set(struct pageflags_cursor *c,
						uint64_t pfn)
{
	return pageflags_cursor_write(c, pfn, true);
}

static inline int pageflags_cursor_test_and_clear(struct pageflags_cursor *c,
						  uint64_t pfn)
{
	return pageflags_cursor_write(c, pfn, false);
}

static inline int pageflags_cursor_set(struct pageflags_cursor *c, uint64_t pfn)
{
	return pageflags_no_old_bit(pageflags_cursor_write(c, pfn, true));
}

static inline int pageflags_cursor_clear(struct pageflags_cursor *c, uint64_t pfn)
{
	return pageflags_no_old_bit(pageflags_cursor_write(c, pfn, false));
}

/* Are set bits left? If the current word has none, scan on to the next
 * word that has some. Words are scanned here; only the step to another
 * leaf is out of line. The scan is the unusual case, laid out apart. */
static inline bool pageflags_iter_more(struct pageflags_iter *it)
{
	while (__builtin_expect(!it->bits, 0)) {
		if (!it->leaf)
			return false;
		it->word_pfn += 64;
		if (it->word_pfn & (PAGEFLAGS_LEAF_PFNS - 1))
			it->bits = PAGEFLAGS_WORD(it->leaf, it->word_pfn);
		else
			*it = pageflags_iter_next_leaf(*it);
	}
	return true;
}

/* The lowest bit left in the current word, taken off: its pfn. Only
 * after pageflags_iter_more() said true. */
static inline uint64_t pageflags_iter_take(struct pageflags_iter *it)
{
	uint64_t pfn = it->word_pfn + (uint64_t)__builtin_ctzll(it->bits);

	it->bits &= it->bits - 1;
	return pfn;
}

static inline uint64_t pageflags_iter_next(struct pageflags_iter *it)
{
	return pageflags_iter_more(it) ? pageflags_iter_take(it) : PAGEFLAGS_NO_PFN;
}

/* pageflags_next_set() by the iterator, from a leaf's first pfn or where
 * pfn has no real leaf: out of line. */
uint64_t pageflags_next_set_leaves(struct pageflags *map, uint64_t pfn);

/* pfn's word first, then the rest of its leaf, inline. */
static inline uint64_t pageflags_next_set(struct pageflags *map, uint64_t pfn)
{
	const uint64_t *leaf;
	uint64_t bits;

	if (!pageflags_reaches(map, pfn))
		return pageflags_next_set_leaves(map, pfn);
	leaf = pageflags_walk(map, pfn, 0);
	if (leaf == pageflags_zero_leaf)
		return pageflags_next_set_leaves(map, pfn);
	bits = PAGEFLAGS_WORD(leaf, pfn) & (~0ull << (pfn & 63));
	while (!bits) {
		pfn = (pfn | 63) + 1;
		if (!(pfn & (PAGEFLAGS_LEAF_PFNS - 1)))
			return pageflags_next_set_leaves(map, pfn);
		bits = PAGEFLAGS_WORD(leaf, pfn);
	}
	return (pfn & ~63ull) + (uint64_t)__builtin_ctzll(bits);
}

#endif
