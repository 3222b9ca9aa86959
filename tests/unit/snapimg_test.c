/*
 * snapimg_test.c: the snapshot image format, builder and validator.
 *
 * Each test builds a small image in scattered 4 KiB pages (as the kernel
 * does), damages it in one way, and expects the validator to refuse it for
 * exactly that reason, naming the field, list entry and pfn at fault. One
 * image has 1030 data pages that all share one physical page, so the pfn
 * and CRC lists span several pages without needing 4 MiB.
 *
 * The test machine has RAM at pfns [0x100, 0x80000) except a hole at
 * [0x800, 0x900).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/ktest.h"
#include "kernel/portable/crc32c.h"
#include "kernel/portable/snapimg.h"

#define MAX_IMAGE_PAGES 12
#define FINGERPRINT     0xf00dfeedcafe0001ull
#define NO_PAGE         (~0ull)

struct test_image {
	struct snapimg_pages pages;
	unsigned char *page[MAX_IMAGE_PAGES];
	uint64_t nr_allocated;
	uint64_t missing;          /* image page the container "lost", or NO_PAGE */
};

static const uint64_t five_pfns[] = { 0x100, 0x101, 0x7ff, 0x900, 0x7ffff };
#define NR_FIVE (sizeof(five_pfns) / sizeof(five_pfns[0]))

static bool machine_has(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return pfn >= 0x100 && pfn < 0x80000 && !(pfn >= 0x800 && pfn < 0x900);
}

static const struct snapimg_machine test_machine = {
	FINGERPRINT, machine_has, NULL,
};

static void *test_page(void *ctx, uint64_t i)
{
	struct test_image *img = ctx;

	if (i == img->missing || i >= img->nr_allocated)
		return NULL;
	return img->page[i];
}

/* The contents a saved page at `pfn` has: bytes derived from the pfn. */
static void fill_for_pfn(unsigned char *page, uint64_t pfn)
{
	uint64_t x = pfn * 0x9e3779b97f4a7c15ull + 1;

	for (size_t i = 0; i < PAGE_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		page[i] = (unsigned char)(x >> 24);
	}
}

static void image_free(struct test_image *img)
{
	for (uint64_t i = 0; i < img->nr_allocated; i++)
		ktest_page_free(img->page[i]);
	img->nr_allocated = 0;
}

/* Build a valid image of `nr` pages at `pfns` in freshly allocated pages. */
static bool image_build(struct ktest *t, struct test_image *img,
			const uint64_t *pfns, uint64_t nr)
{
	struct snapimg_layout l;
	struct snapimg_writer w;
	unsigned char *scratch;
	bool ok = true;

	memset(img, 0, sizeof(*img));
	img->missing = NO_PAGE;
	img->pages.page = test_page;
	img->pages.ctx = img;
	if (!snapimg_layout(nr, &l) || l.image_pages > MAX_IMAGE_PAGES)
		return false;
	for (; img->nr_allocated < l.image_pages; img->nr_allocated++) {
		img->page[img->nr_allocated] = ktest_page_alloc();
		if (!img->page[img->nr_allocated]) {
			image_free(img);
			return false;
		}
	}
	img->pages.nr_image_pages = l.image_pages;
	scratch = ktest_page_alloc();
	if (!scratch) {
		image_free(img);
		return false;
	}
	KT_EXPECT_EQ(t, snapimg_writer_start(&w, &img->pages, nr, FINGERPRINT),
		     SNAPIMG_OK);
	for (uint64_t i = 0; i < nr; i++) {
		fill_for_pfn(scratch, pfns[i]);
		if (snapimg_writer_add(&w, pfns[i], scratch) != SNAPIMG_OK)
			ok = false;
	}
	if (snapimg_writer_finish(&w) != SNAPIMG_OK)
		ok = false;
	ktest_page_free(scratch);
	KT_EXPECT(t, ok);
	return ok;
}

static enum snapimg_status validate(struct test_image *img,
				    struct snapimg_error *err)
{
	return snapimg_validate(&img->pages, &test_machine, NULL, err);
}

/* Read-modify-write the header, then make its checksum right again. */
static void header_get(struct test_image *img, struct snapimg_header *h)
{
	memcpy(h, img->page[0], sizeof(*h));
}

static void header_put_resealed(struct test_image *img, struct snapimg_header *h)
{
	h->header_crc = 0;
	memcpy(img->page[0], h, sizeof(*h));
	h->header_crc = crc32c(0, img->page[0], PAGE_SIZE);
	memcpy(img->page[0], h, sizeof(*h));
}

static void set_pfn_entry(struct test_image *img, uint64_t i, uint64_t pfn)
{
	memcpy(img->page[1] + i * sizeof(uint64_t), &pfn, sizeof(pfn));
}

/* Expect exactly this refusal. */
#define EXPECT_REFUSAL(t, err, st, fld, prob)                                 \
	do {                                                                  \
		KT_EXPECT_EQ(t, (err).status, (st));                          \
		KT_EXPECT(t, (err).field && strcmp((err).field, (fld)) == 0); \
		KT_EXPECT(t, (err).problem &&                                 \
			     strcmp((err).problem, (prob)) == 0);             \
	} while (0)

/* ------------------------------------------------------------- layout --- */

static void layout_sizes(struct ktest *t)
{
	struct snapimg_layout l;

	KT_EXPECT_EQ(t, sizeof(struct snapimg_header), 72);
	KT_ASSERT(t, snapimg_layout(0, &l));
	KT_EXPECT_EQ(t, l.image_pages, 1);
	KT_ASSERT(t, snapimg_layout(1, &l));
	KT_EXPECT_EQ(t, l.pfn_list_first, 1);
	KT_EXPECT_EQ(t, l.data_first, 2);
	KT_EXPECT_EQ(t, l.crc_list_first, 3);
	KT_EXPECT_EQ(t, l.image_pages, 4);
	KT_ASSERT(t, snapimg_layout(512, &l));
	KT_EXPECT_EQ(t, l.pfn_list_pages, 1);
	KT_EXPECT_EQ(t, l.image_pages, 1 + 1 + 512 + 1);
	KT_ASSERT(t, snapimg_layout(513, &l));
	KT_EXPECT_EQ(t, l.pfn_list_pages, 2);
	KT_EXPECT_EQ(t, l.crc_list_pages, 1);
	KT_ASSERT(t, snapimg_layout(1025, &l));
	KT_EXPECT_EQ(t, l.pfn_list_pages, 3);
	KT_EXPECT_EQ(t, l.crc_list_pages, 2);
	/* 64 MiB of 4 KiB pages: 16384 data, 32 pfn list and 16 CRC pages. */
	KT_ASSERT(t, snapimg_layout(16384, &l));
	KT_EXPECT_EQ(t, l.image_pages, 1 + 32 + 16384 + 16);
	KT_EXPECT(t, snapimg_layout(SNAPIMG_MAX_PAGES, &l));
	KT_EXPECT(t, !snapimg_layout(SNAPIMG_MAX_PAGES + 1, &l));
	KT_EXPECT(t, !snapimg_layout(~0ull, &l));
}

static void status_names(struct ktest *t)
{
	/* The names the kernel's report and the boot tests use. */
	KT_EXPECT(t, !strcmp(snapimg_strerror(SNAPIMG_ERR_DATA), "data"));
	KT_EXPECT(t, !strcmp(snapimg_strerror(SNAPIMG_ERR_PFN), "pfn"));
	KT_EXPECT(t, !strcmp(snapimg_strerror(SNAPIMG_ERR_TRUNCATE), "truncate"));
	KT_EXPECT(t, !strcmp(snapimg_strerror(SNAPIMG_ERR_MAGIC), "magic"));
	KT_EXPECT(t, !strcmp(snapimg_strerror(SNAPIMG_ERR_MEMMAP), "memmap"));
	KT_EXPECT(t, !strcmp(snapimg_strerror(SNAPIMG_OK), "ok"));
	for (int a = SNAPIMG_OK; a <= SNAPIMG_ERR_USAGE; a++)
		for (int b = a + 1; b <= SNAPIMG_ERR_USAGE; b++)
			KT_EXPECT(t, strcmp(snapimg_strerror(a),
					    snapimg_strerror(b)) != 0);
	KT_EXPECT(t, !strcmp(snapimg_strerror(99), "unknown"));
}

/* ----------------------------------------------------------- good images --- */

static void round_trip(struct ktest *t)
{
	struct test_image img;
	struct snapimg_layout l;
	struct snapimg_error err;
	unsigned char *expect;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	KT_EXPECT_EQ(t, snapimg_validate(&img.pages, &test_machine, &l, &err),
		     SNAPIMG_OK);
	KT_EXPECT_EQ(t, err.status, SNAPIMG_OK);
	KT_EXPECT_EQ(t, l.nr_pages, NR_FIVE);
	expect = ktest_page_alloc();
	if (expect) {
		for (uint64_t i = 0; i < NR_FIVE; i++) {
			fill_for_pfn(expect, five_pfns[i]);
			KT_EXPECT_EQ(t, snapimg_pfn(&img.pages, &l, i), five_pfns[i]);
			KT_EXPECT(t, memcmp(snapimg_data(&img.pages, &l, i), expect,
					    PAGE_SIZE) == 0);
		}
		ktest_page_free(expect);
	}
	image_free(&img);
}

static void empty_image(struct ktest *t)
{
	struct test_image img;
	struct snapimg_layout l;

	KT_ASSERT(t, image_build(t, &img, NULL, 0));
	KT_EXPECT_EQ(t, img.pages.nr_image_pages, 1);
	KT_EXPECT_EQ(t, snapimg_validate(&img.pages, &test_machine, &l, NULL),
		     SNAPIMG_OK);
	KT_EXPECT_EQ(t, l.nr_pages, 0);
	/* Nothing to damage in the data or the pfn list of an empty image. */
	KT_EXPECT(t, !snapimg_damage(&img.pages, SNAPIMG_DAMAGE_DATA, 0));
	KT_EXPECT(t, !snapimg_damage(&img.pages, SNAPIMG_DAMAGE_PFN, 0));
	image_free(&img);
}

/* A container larger than the image is fine: the extra pages are ignored. */
static void spare_pages_ignored(struct ktest *t)
{
	struct test_image img;

	KT_ASSERT(t, image_build(t, &img, five_pfns, 2));
	img.page[img.nr_allocated] = ktest_page_alloc();
	KT_ASSERT(t, img.page[img.nr_allocated] != NULL);
	img.page[img.nr_allocated][7] = 0x55;
	img.nr_allocated++;
	img.pages.nr_image_pages++;
	KT_EXPECT_EQ(t, validate(&img, NULL), SNAPIMG_OK);
	image_free(&img);
}

/* ------------------------------------------------------------- corrupted --- */

static void flipped_data_bit(struct ktest *t)
{
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	for (uint64_t i = 0; i < NR_FIVE; i++) {
		unsigned char *data = img.page[2 + i];
		uint32_t stored = crc32c(0, data, PAGE_SIZE);

		data[i * 811] ^= 0x04;
		KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_DATA);
		EXPECT_REFUSAL(t, err, SNAPIMG_ERR_DATA, "page_crc", "mismatch");
		KT_EXPECT_EQ(t, err.index, i);
		KT_EXPECT_EQ(t, err.pfn, five_pfns[i]);
		KT_EXPECT_EQ(t, err.expected, stored);
		KT_EXPECT_EQ(t, err.found, crc32c(0, data, PAGE_SIZE));
		data[i * 811] ^= 0x04;
	}
	KT_EXPECT_EQ(t, validate(&img, NULL), SNAPIMG_OK);
	KT_EXPECT(t, snapimg_damage(&img.pages, SNAPIMG_DAMAGE_DATA, 3));
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_DATA);
	KT_EXPECT_EQ(t, err.index, 3);
	KT_EXPECT_EQ(t, err.pfn, five_pfns[3]);
	image_free(&img);
}

static void pfn_out_of_range(struct ktest *t)
{
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	KT_EXPECT(t, snapimg_damage(&img.pages, SNAPIMG_DAMAGE_PFN, 2));
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_PFN);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_PFN, "pfn_list", "out_of_range");
	KT_EXPECT_EQ(t, err.index, 2);
	KT_EXPECT_EQ(t, err.pfn, five_pfns[2] | SNAPIMG_PFN_LIMIT);
	/* The largest pfn, all ones, too. */
	set_pfn_entry(&img, 2, five_pfns[2]);
	set_pfn_entry(&img, 4, ~0ull);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_PFN);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_PFN, "pfn_list", "out_of_range");
	KT_EXPECT_EQ(t, err.index, 4);
	KT_EXPECT_EQ(t, err.pfn, ~0ull);
	image_free(&img);
}

/* Below the architectural limit but not RAM on this machine. */
static void pfn_not_present(struct ktest *t)
{
	static const uint64_t absent[] = { 0x100, 0x850, 0x900 };  /* 0x850: hole */
	static const uint64_t beyond[] = { 0x100, 0x80000 };       /* past RAM */
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, absent, 3));
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_PFN);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_PFN, "pfn_list", "not_present");
	KT_EXPECT_EQ(t, err.index, 1);
	KT_EXPECT_EQ(t, err.pfn, 0x850);
	image_free(&img);

	KT_ASSERT(t, image_build(t, &img, beyond, 2));
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_PFN);
	KT_EXPECT_EQ(t, err.index, 1);
	KT_EXPECT_EQ(t, err.pfn, 0x80000);
	image_free(&img);
}

/* Out of order or repeated: each page would be restored twice or lost. */
static void pfn_not_ascending(struct ktest *t)
{
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	set_pfn_entry(&img, 3, five_pfns[2]);     /* a duplicate */
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_PFN);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_PFN, "pfn_list", "not_ascending");
	KT_EXPECT_EQ(t, err.index, 3);
	KT_EXPECT_EQ(t, err.expected, five_pfns[2] + 1);
	set_pfn_entry(&img, 3, five_pfns[3]);
	set_pfn_entry(&img, 0, five_pfns[1]);     /* swapped with the next */
	set_pfn_entry(&img, 1, five_pfns[0]);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_PFN);
	KT_EXPECT_EQ(t, err.index, 1);
	KT_EXPECT_EQ(t, err.pfn, five_pfns[0]);
	image_free(&img);
}

/* A pfn changed to another present one, order kept: only the list CRC sees it. */
static void pfn_changed_within_ram(struct ktest *t)
{
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	set_pfn_entry(&img, 2, five_pfns[2] - 1);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_PFN);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_PFN, "pfn_list_crc", "mismatch");
	image_free(&img);
}

static void pfn_list_tail_nonzero(struct ktest *t)
{
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	set_pfn_entry(&img, 511, 0x200);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_PFN);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_PFN, "pfn_list", "nonzero");
	KT_EXPECT_EQ(t, err.index, 511);
	image_free(&img);
}

static void truncated_image(struct ktest *t)
{
	struct test_image img;
	struct snapimg_error err;
	uint64_t full;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	full = img.pages.nr_image_pages;
	KT_EXPECT(t, snapimg_damage(&img.pages, SNAPIMG_DAMAGE_TRUNCATE, 0));
	KT_EXPECT_EQ(t, img.pages.nr_image_pages, full - 1);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_TRUNCATE);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_TRUNCATE, "image_pages", "short");
	KT_EXPECT_EQ(t, err.expected, full);
	KT_EXPECT_EQ(t, err.found, full - 1);

	/* Cut down to nothing: not even a header. */
	img.pages.nr_image_pages = 0;
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_TRUNCATE);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_TRUNCATE, "image_pages", "missing_page");
	KT_EXPECT_EQ(t, err.index, 0);

	/* Long enough, but a page in the middle is gone (NULL). */
	img.pages.nr_image_pages = full;
	for (uint64_t lost = 1; lost < full; lost++) {
		img.missing = lost;
		KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_TRUNCATE);
		EXPECT_REFUSAL(t, err, SNAPIMG_ERR_TRUNCATE, "image_pages",
			       "missing_page");
		KT_EXPECT_EQ(t, err.index, lost);
	}
	img.missing = NO_PAGE;
	KT_EXPECT_EQ(t, validate(&img, NULL), SNAPIMG_OK);
	image_free(&img);
}

static void wrong_magic(struct ktest *t)
{
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	KT_EXPECT(t, snapimg_damage(&img.pages, SNAPIMG_DAMAGE_MAGIC, 0));
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_MAGIC);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_MAGIC, "magic", "mismatch");
	KT_EXPECT_EQ(t, err.expected, SNAPIMG_MAGIC);
	KT_EXPECT_EQ(t, err.found, SNAPIMG_MAGIC ^ 1);
	/* An all-zero page is no image either. */
	memset(img.page[0], 0, PAGE_SIZE);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_MAGIC);
	KT_EXPECT_EQ(t, err.found, 0);
	image_free(&img);
}

static void wrong_version(struct ktest *t)
{
	struct test_image img;
	struct snapimg_header h;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	header_get(&img, &h);
	h.version = SNAPIMG_VERSION + 1;
	header_put_resealed(&img, &h);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_VERSION);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_VERSION, "version", "mismatch");
	KT_EXPECT_EQ(t, err.expected, SNAPIMG_VERSION);
	KT_EXPECT_EQ(t, err.found, SNAPIMG_VERSION + 1);
	image_free(&img);
}

/* The same image on a machine whose memory map is different. */
static void changed_memmap(struct ktest *t)
{
	struct snapimg_machine other = test_machine;
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	other.memmap_fingerprint = FINGERPRINT ^ 0x100;
	KT_EXPECT_EQ(t, snapimg_validate(&img.pages, &other, NULL, &err),
		     SNAPIMG_ERR_MEMMAP);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_MEMMAP, "memmap_fingerprint",
		       "mismatch");
	KT_EXPECT_EQ(t, err.expected, FINGERPRINT ^ 0x100);
	KT_EXPECT_EQ(t, err.found, FINGERPRINT);
	image_free(&img);
}

/* Any bit of page 0 changed without resealing: the header CRC catches it. */
static void bad_header_checksum(struct ktest *t)
{
	static const size_t offsets[] = {
		offsetof(struct snapimg_header, header_crc),
		offsetof(struct snapimg_header, nr_pages),
		offsetof(struct snapimg_header, image_pages),
		offsetof(struct snapimg_header, memmap_fingerprint),
		offsetof(struct snapimg_header, pfn_list_crc),
		offsetof(struct snapimg_header, reserved),
		sizeof(struct snapimg_header),
		PAGE_SIZE - 1,
	};
	struct test_image img;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
		img.page[0][offsets[k]] ^= 0x80;
		KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_CHECKSUM);
		EXPECT_REFUSAL(t, err, SNAPIMG_ERR_CHECKSUM, "header_crc",
			       "mismatch");
		img.page[0][offsets[k]] ^= 0x80;
	}
	KT_EXPECT_EQ(t, validate(&img, NULL), SNAPIMG_OK);
	image_free(&img);
}

/* Header fields that no writer produces, even with a correct checksum. */
static void impossible_header_fields(struct ktest *t)
{
	struct test_image img;
	struct snapimg_header good, h;
	struct snapimg_error err;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	header_get(&img, &good);

	h = good;
	h.page_size = 8192;
	header_put_resealed(&img, &h);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_HEADER);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_HEADER, "page_size", "mismatch");

	h = good;
	h.header_size = 64;
	header_put_resealed(&img, &h);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_HEADER);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_HEADER, "header_size", "mismatch");

	h = good;
	h.nr_pages = SNAPIMG_MAX_PAGES + 1;
	header_put_resealed(&img, &h);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_HEADER);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_HEADER, "nr_pages", "out_of_range");

	h = good;
	h.nr_pages = NR_FIVE - 1;     /* then image_pages no longer fits */
	header_put_resealed(&img, &h);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_HEADER);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_HEADER, "image_pages", "mismatch");

	h = good;
	h.reserved[1] = 1;
	header_put_resealed(&img, &h);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_HEADER);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_HEADER, "reserved", "nonzero");

	h = good;
	img.page[0][1000] = 0x33;
	header_put_resealed(&img, &h);
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_HEADER);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_HEADER, "header_padding", "nonzero");
	KT_EXPECT_EQ(t, err.index, 1000);
	img.page[0][1000] = 0;

	h = good;
	header_put_resealed(&img, &h);
	KT_EXPECT_EQ(t, validate(&img, NULL), SNAPIMG_OK);
	image_free(&img);
}

/* A stored page CRC changed: the CRC list's own CRC catches it first. */
static void crc_list_damaged(struct ktest *t)
{
	struct test_image img;
	struct snapimg_error err;
	unsigned char *crcs;

	KT_ASSERT(t, image_build(t, &img, five_pfns, NR_FIVE));
	crcs = img.page[img.pages.nr_image_pages - 1];
	crcs[4 * 2] ^= 1;
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_DATA);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_DATA, "crc_list_crc", "mismatch");
	crcs[4 * 2] ^= 1;
	crcs[PAGE_SIZE - 1] = 9;
	KT_EXPECT_EQ(t, validate(&img, &err), SNAPIMG_ERR_DATA);
	EXPECT_REFUSAL(t, err, SNAPIMG_ERR_DATA, "page_crc", "nonzero");
	KT_EXPECT_EQ(t, err.index, SNAPIMG_CRCS_PER_PAGE - 1);
	image_free(&img);
}

/* --------------------------------------------- lists over several pages --- */

/*
 * 1030 data pages, all one physical page: 3 pfn list pages and 2 CRC pages.
 * meta[] holds the header, pfn list and CRC pages; image pages in the data
 * range all map to `shared`.
 */
#define BIG_NR       1030u
#define BIG_META     6u               /* 1 header + 3 pfn list + 2 CRC */

struct big_image {
	struct snapimg_pages pages;
	struct snapimg_layout layout;
	unsigned char *meta[BIG_META];
	unsigned char *shared;
};

static void *big_page(void *ctx, uint64_t i)
{
	struct big_image *big = ctx;
	const struct snapimg_layout *l = &big->layout;

	if (i < l->data_first)
		return big->meta[i];
	if (i < l->crc_list_first)
		return big->shared;
	return big->meta[l->data_first + (i - l->crc_list_first)];
}

static uint64_t big_pfn(uint64_t i)
{
	return 0x1000 + 3 * i;   /* present, ascending, with gaps */
}

static void big_free(struct big_image *big)
{
	for (unsigned i = 0; i < BIG_META; i++)
		ktest_page_free(big->meta[i]);
	ktest_page_free(big->shared);
}

static bool big_build(struct ktest *t, struct big_image *big)
{
	struct snapimg_writer w;
	unsigned char *scratch;
	bool ok = true;

	memset(big, 0, sizeof(*big));
	if (!snapimg_layout(BIG_NR, &big->layout))
		return false;
	KT_EXPECT_EQ(t, big->layout.pfn_list_pages + big->layout.crc_list_pages + 1,
		     BIG_META);
	big->pages.nr_image_pages = big->layout.image_pages;
	big->pages.page = big_page;
	big->pages.ctx = big;
	for (unsigned i = 0; i < BIG_META; i++)
		if (!(big->meta[i] = ktest_page_alloc()))
			ok = false;
	big->shared = ktest_page_alloc();
	scratch = ktest_page_alloc();
	if (!ok || !big->shared || !scratch) {
		ktest_page_free(scratch);
		big_free(big);
		return false;
	}
	fill_for_pfn(scratch, 77);
	ok = snapimg_writer_start(&w, &big->pages, BIG_NR, FINGERPRINT) == SNAPIMG_OK;
	for (uint64_t i = 0; ok && i < BIG_NR; i++)
		ok = snapimg_writer_add(&w, big_pfn(i), scratch) == SNAPIMG_OK;
	ok = ok && snapimg_writer_finish(&w) == SNAPIMG_OK;
	ktest_page_free(scratch);
	KT_EXPECT(t, ok);
	if (!ok)
		big_free(big);
	return ok;
}

static void lists_span_pages(struct ktest *t)
{
	struct big_image big;
	struct snapimg_layout l;
	struct snapimg_error err;

	KT_ASSERT(t, big_build(t, &big));
	KT_EXPECT_EQ(t, snapimg_validate(&big.pages, &test_machine, &l, &err),
		     SNAPIMG_OK);
	KT_EXPECT_EQ(t, l.nr_pages, BIG_NR);
	for (uint64_t i = 0; i < BIG_NR; i += 97)
		KT_EXPECT_EQ(t, snapimg_pfn(&big.pages, &l, i), big_pfn(i));
	KT_EXPECT_EQ(t, snapimg_pfn(&big.pages, &l, BIG_NR - 1), big_pfn(BIG_NR - 1));

	/* An entry on the second pfn list page is named by its index. */
	KT_EXPECT(t, snapimg_damage(&big.pages, SNAPIMG_DAMAGE_PFN, 600));
	KT_EXPECT_EQ(t, snapimg_validate(&big.pages, &test_machine, NULL, &err),
		     SNAPIMG_ERR_PFN);
	KT_EXPECT_EQ(t, err.index, 600);
	KT_EXPECT_EQ(t, err.pfn, big_pfn(600) | SNAPIMG_PFN_LIMIT);
	{
		uint64_t pfn = big_pfn(600);   /* put it back */

		memcpy(big.meta[2] + (600 - 512) * sizeof(uint64_t), &pfn, sizeof(pfn));
	}
	KT_EXPECT_EQ(t, snapimg_validate(&big.pages, &test_machine, NULL, &err),
		     SNAPIMG_OK);

	/* A stored CRC on the second CRC page, with the list CRC resealed. */
	{
		struct snapimg_header h;
		unsigned char *crc_page2 = big.meta[5];

		crc_page2[(1029 - 1024) * 4] ^= 0x20;
		memcpy(&h, big.meta[0], sizeof(h));
		h.crc_list_crc = crc32c(crc32c(0, big.meta[4], PAGE_SIZE),
					crc_page2, PAGE_SIZE);
		h.header_crc = 0;
		memcpy(big.meta[0], &h, sizeof(h));
		h.header_crc = crc32c(0, big.meta[0], PAGE_SIZE);
		memcpy(big.meta[0], &h, sizeof(h));
		KT_EXPECT_EQ(t, snapimg_validate(&big.pages, &test_machine, NULL,
						 &err), SNAPIMG_ERR_DATA);
		EXPECT_REFUSAL(t, err, SNAPIMG_ERR_DATA, "page_crc", "mismatch");
		KT_EXPECT_EQ(t, err.index, 1029);
		KT_EXPECT_EQ(t, err.pfn, big_pfn(1029));
	}
	big_free(&big);
}

/* ------------------------------------------------------------- builder --- */

static void writer_refuses_misuse(struct ktest *t)
{
	struct test_image img;
	struct snapimg_writer w;
	unsigned char *scratch = ktest_page_alloc();

	KT_ASSERT(t, scratch != NULL);
	KT_ASSERT(t, image_build(t, &img, five_pfns, 2));   /* 4 pages */

	KT_EXPECT_EQ(t, snapimg_writer_start(&w, &img.pages, 3, 0),
		     SNAPIMG_ERR_TRUNCATE);                 /* needs 5 */
	KT_EXPECT_EQ(t, snapimg_writer_start(&w, &img.pages, SNAPIMG_MAX_PAGES + 1, 0),
		     SNAPIMG_ERR_HEADER);

	KT_ASSERT(t, snapimg_writer_start(&w, &img.pages, 2, FINGERPRINT) == SNAPIMG_OK);
	KT_EXPECT_EQ(t, snapimg_writer_finish(&w), SNAPIMG_ERR_USAGE);   /* early */
	KT_EXPECT_EQ(t, snapimg_writer_add(&w, SNAPIMG_PFN_LIMIT, scratch),
		     SNAPIMG_ERR_PFN);
	KT_EXPECT_EQ(t, snapimg_writer_add(&w, 0x200, scratch), SNAPIMG_OK);
	KT_EXPECT_EQ(t, snapimg_writer_add(&w, 0x200, scratch), SNAPIMG_ERR_PFN);
	KT_EXPECT_EQ(t, snapimg_writer_add(&w, 0x1ff, scratch), SNAPIMG_ERR_PFN);
	KT_EXPECT_EQ(t, snapimg_writer_add(&w, 0x201, scratch), SNAPIMG_OK);
	KT_EXPECT_EQ(t, snapimg_writer_add(&w, 0x202, scratch), SNAPIMG_ERR_USAGE);
	KT_EXPECT_EQ(t, snapimg_writer_finish(&w), SNAPIMG_OK);
	KT_EXPECT_EQ(t, validate(&img, NULL), SNAPIMG_OK);

	/* Until finish() the header is zero, so a half-built image is refused. */
	KT_ASSERT(t, snapimg_writer_start(&w, &img.pages, 2, FINGERPRINT) == SNAPIMG_OK);
	KT_EXPECT_EQ(t, snapimg_writer_add(&w, 0x200, scratch), SNAPIMG_OK);
	KT_EXPECT_EQ(t, validate(&img, NULL), SNAPIMG_ERR_MAGIC);

	ktest_page_free(scratch);
	image_free(&img);
}

KTEST_SUITE(snapimg,
	KTEST_CASE(layout_sizes),
	KTEST_CASE(status_names),
	KTEST_CASE(round_trip),
	KTEST_CASE(empty_image),
	KTEST_CASE(spare_pages_ignored),
	KTEST_CASE(flipped_data_bit),
	KTEST_CASE(pfn_out_of_range),
	KTEST_CASE(pfn_not_present),
	KTEST_CASE(pfn_not_ascending),
	KTEST_CASE(pfn_changed_within_ram),
	KTEST_CASE(pfn_list_tail_nonzero),
	KTEST_CASE(truncated_image),
	KTEST_CASE(wrong_magic),
	KTEST_CASE(wrong_version),
	KTEST_CASE(changed_memmap),
	KTEST_CASE(bad_header_checksum),
	KTEST_CASE(impossible_header_fields),
	KTEST_CASE(crc_list_damaged),
	KTEST_CASE(lists_span_pages),
	KTEST_CASE(writer_refuses_misuse));
