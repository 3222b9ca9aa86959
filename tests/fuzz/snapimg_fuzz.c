/*
 * snapimg_fuzz.c: libFuzzer target for the snapshot image validator.
 *
 * Properties checked on every input:
 *   - snapimg_validate() never crashes, reads out of bounds or hits UB
 *     (AddressSanitizer and UBSan are on), whatever the image holds;
 *   - it accepts an image exactly when a plain reference check written here
 *     from the format's description accepts it: every checksum recomputed
 *     with a bit-at-a-time CRC-32C, every field, every pfn, every tail.
 *     In particular it never accepts an image whose recomputed checksums
 *     disagree with the stored ones;
 *   - an image the builder made and nobody touched is always accepted;
 *   - a refusal always carries a named status, field and problem;
 *   - crc32c_table() and crc32c_hw() agree on the input bytes.
 *
 * The first input byte picks a mode:
 *   even: "raw": the rest of the input is laid over a zeroed image of 1..4
 *         pages, then optionally resealed (list CRCs and/or header CRC made
 *         right), so the fuzzer can get past the checksums to the fields.
 *   odd:  "built": the input chooses nr_pages, pfns and contents, the
 *         builder makes a valid image, then the input flips bytes in it,
 *         optionally reseals, truncates, changes the machine's memory-map
 *         fingerprint or punches a hole in its RAM.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/portable/crc32c.h"
#include "kernel/portable/snapimg.h"
#include "tests/fuzz/input.h"

#define PAGE        PAGE_SIZE
#define FINGERPRINT 0x0123456789abcdefull

/* ------------------------------------------------------- the machine --- */

struct machine_ram {
	uint64_t hole_start, hole_end;   /* pfns that are not RAM */
};

/* RAM at pfns [0x100, 0x100000), less the hole. */
static bool ram_present(void *ctx, uint64_t pfn)
{
	const struct machine_ram *ram = ctx;

	if (pfn < 0x100 || pfn >= 0x100000)
		return false;
	return !(pfn >= ram->hole_start && pfn < ram->hole_end);
}

/* ------------------------------------------------- the flat container --- */

static void *flat_page(void *ctx, uint64_t i)
{
	return (uint8_t *)ctx + i * PAGE;
}

/* ------------------------------------------------------- the reference --- */

static uint32_t ref_crc(uint32_t crc, const uint8_t *p, size_t len)
{
	uint32_t reg = ~crc;

	while (len--) {
		reg ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			reg = (reg >> 1) ^ (0x82F63B78u & (0u - (reg & 1)));
	}
	return ~reg;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/* Header offsets, spelled out rather than taken from the struct. */
enum {
	H_MAGIC = 0, H_VERSION = 8, H_HEADER_SIZE = 12, H_PAGE_SIZE = 16,
	H_HEADER_CRC = 20, H_NR_PAGES = 24, H_IMAGE_PAGES = 32,
	H_FINGERPRINT = 40, H_PFN_LIST_CRC = 48, H_CRC_LIST_CRC = 52,
	H_RESERVED = 56, H_SIZE = 72,
};

struct ref_layout {
	uint64_t pfn_pages, crc_pages, total;
};

static bool ref_layout(uint64_t nr, struct ref_layout *l)
{
	if (nr > (1ull << 40))
		return false;
	l->pfn_pages = (nr + 511) / 512;
	l->crc_pages = (nr + 1023) / 1024;
	l->total = 1 + l->pfn_pages + nr + l->crc_pages;
	return true;
}

static uint32_t ref_header_crc(const uint8_t *page0)
{
	uint8_t copy[PAGE];

	memcpy(copy, page0, PAGE);
	memset(copy + H_HEADER_CRC, 0, 4);
	return ref_crc(0, copy, PAGE);
}

/* Does the flat image of npages pages pass every rule of the format? */
static bool ref_accepts(const uint8_t *img, uint64_t npages, uint64_t fingerprint,
			struct machine_ram *ram)
{
	struct ref_layout l;
	uint64_t nr, prev = 0;
	const uint8_t *pfns, *crcs, *data;

	if (npages < 1)
		return false;
	if (get64(img + H_MAGIC) != SNAPIMG_MAGIC || get32(img + H_VERSION) != 1 ||
	    get32(img + H_HEADER_SIZE) != H_SIZE || get32(img + H_PAGE_SIZE) != PAGE ||
	    get32(img + H_HEADER_CRC) != ref_header_crc(img) ||
	    !all_zero(img + H_RESERVED, PAGE - H_RESERVED))
		return false;
	nr = get64(img + H_NR_PAGES);
	if (!ref_layout(nr, &l) || get64(img + H_IMAGE_PAGES) != l.total ||
	    npages < l.total || get64(img + H_FINGERPRINT) != fingerprint)
		return false;
	pfns = img + PAGE;
	data = pfns + l.pfn_pages * PAGE;
	crcs = data + nr * PAGE;
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t pfn = get64(pfns + 8 * i);

		if (pfn >= (1ull << 40) || (i && pfn <= prev) || !ram_present(ram, pfn))
			return false;
		prev = pfn;
	}
	if (!all_zero(pfns + 8 * nr, l.pfn_pages * PAGE - 8 * nr) ||
	    ref_crc(0, pfns, l.pfn_pages * PAGE) != get32(img + H_PFN_LIST_CRC) ||
	    !all_zero(crcs + 4 * nr, l.crc_pages * PAGE - 4 * nr) ||
	    ref_crc(0, crcs, l.crc_pages * PAGE) != get32(img + H_CRC_LIST_CRC))
		return false;
	for (uint64_t i = 0; i < nr; i++)
		if (ref_crc(0, data + i * PAGE, PAGE) != get32(crcs + 4 * i))
			return false;
	return true;
}

/* Make the list CRCs in the header agree with the lists, where they fit. */
static void reseal_lists(uint8_t *img, uint64_t npages)
{
	struct ref_layout l;
	uint64_t nr = get64(img + H_NR_PAGES);
	uint32_t crc;

	if (!ref_layout(nr, &l) || l.total > npages)
		return;
	crc = ref_crc(0, img + PAGE, l.pfn_pages * PAGE);
	memcpy(img + H_PFN_LIST_CRC, &crc, 4);
	crc = ref_crc(0, img + (1 + l.pfn_pages + nr) * PAGE, l.crc_pages * PAGE);
	memcpy(img + H_CRC_LIST_CRC, &crc, 4);
}

static void reseal_header(uint8_t *img)
{
	uint32_t crc = ref_header_crc(img);

	memcpy(img + H_HEADER_CRC, &crc, 4);
}

/* ----------------------------------------------------------- the check --- */

static void check(uint8_t *img, uint64_t npages, uint64_t fingerprint,
		  struct machine_ram *ram, bool must_accept)
{
	struct snapimg_pages pages = { npages, flat_page, img };
	struct snapimg_machine machine = { fingerprint, ram_present, ram };
	struct snapimg_layout layout;
	struct snapimg_error err;
	enum snapimg_status st;

	st = snapimg_validate(&pages, &machine, &layout, &err);
	if ((st == SNAPIMG_OK) != ref_accepts(img, npages, fingerprint, ram))
		abort();
	if (must_accept && st != SNAPIMG_OK)
		abort();
	if (err.status != st)
		abort();
	if (st != SNAPIMG_OK) {
		if (!err.field || !err.problem ||
		    !strcmp(snapimg_strerror(st), "unknown"))
			abort();
		return;
	}
	/* Accepted: reading it back stays inside the image. */
	for (uint64_t i = 0; i < layout.nr_pages; i++) {
		const uint8_t *d = snapimg_data(&pages, &layout, i);

		if (snapimg_pfn(&pages, &layout, i) >= SNAPIMG_PFN_LIMIT ||
		    d < img || d + PAGE > img + npages * PAGE)
			abort();
	}
}

/* ------------------------------------------------------------ the modes --- */

static void raw_mode(struct input *in)
{
	uint64_t npages = 1 + take(in, 1) % 4;
	unsigned flags = take(in, 1);
	struct machine_ram ram = { 0, 0 };
	uint8_t *img = aligned_alloc(PAGE, npages * PAGE);
	size_t n = in->left < npages * PAGE ? in->left : npages * PAGE;

	memset(img, 0, npages * PAGE);
	memcpy(img, in->p, n);
	if (flags & 1)
		reseal_lists(img, npages);
	if (flags & 2)
		reseal_header(img);
	check(img, npages, FINGERPRINT, &ram, false);
	free(img);
}

static void fill(uint8_t *page, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull | 1;

	for (size_t i = 0; i < PAGE; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(page + i, &x, 8);
	}
}

static void built_mode(struct input *in)
{
	uint64_t nr = take(in, 1) % 9, pfn = 0x100 + take(in, 2) * 3;
	unsigned flags = take(in, 1), seed = take(in, 1);
	struct machine_ram ram = { 0, 0 };
	uint64_t fingerprint = FINGERPRINT, npages, extra = (flags >> 5) & 1;
	struct snapimg_layout l;
	struct snapimg_writer w;
	struct snapimg_pages pages;
	bool clean = true;
	uint8_t *img, page[PAGE];

	if (flags & 8) {
		ram.hole_start = 0x100 + take(in, 2) * 3;
		ram.hole_end = ram.hole_start + 1 + take(in, 1);
	}
	snapimg_layout(nr, &l);
	npages = l.image_pages + extra;
	img = aligned_alloc(PAGE, npages * PAGE);
	memset(img, 0xa5, npages * PAGE);
	pages = (struct snapimg_pages){ npages, flat_page, img };
	if (snapimg_writer_start(&w, &pages, nr, FINGERPRINT) != SNAPIMG_OK)
		abort();
	for (uint64_t i = 0; i < nr; i++) {
		fill(page, seed + i);
		if (snapimg_writer_add(&w, pfn, page) != SNAPIMG_OK)
			abort();
		if (!ram_present(&ram, pfn))
			clean = false;
		pfn += 1 + take(in, 1) % 4;
	}
	if (snapimg_writer_finish(&w) != SNAPIMG_OK)
		abort();

	/* Damage: byte flips anywhere in the image, then the options. */
	for (unsigned k = 0; k < 8 && in->left >= 4; k++) {
		uint64_t at = take(in, 1) % l.image_pages * PAGE + take(in, 2) % PAGE;
		uint8_t mask = take(in, 1);

		img[at] ^= mask;
		if (mask)
			clean = false;
	}
	if (flags & 1)
		reseal_lists(img, npages);
	if (flags & 2)
		reseal_header(img);
	if (flags & 4) {
		uint64_t cut = (take(in, 1) % 3) + extra;

		npages -= cut < npages ? cut : npages;
		clean = false;
	}
	if (flags & 16) {
		fingerprint ^= 1ull << (take(in, 1) % 64);
		clean = false;
	}
	check(img, npages, fingerprint, &ram, clean);
	free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	if (crc32c_hw_available() &&
	    crc32c_hw(7, data, size) != crc32c_table(7, data, size))
		abort();
	if (take(&in, 1) & 1)
		built_mode(&in);
	else
		raw_mode(&in);
	return 0;
}
