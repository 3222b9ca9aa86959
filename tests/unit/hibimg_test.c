/*
 * hibimg_test.c: the hibernation disk header and the checks a resume
 * makes before it loads any data page (kernel/portable/hibimg.h).
 */
#include <stdint.h>
#include <string.h>

#include "kernel/portable/hibimg.h"
#include "kernel/portable/snapimg.h"
#include "tests/ktest.h"

#define NR_PAGES 600           /* two pfn list pages */
#define MAX_PAGES 8

static const struct hibimg_expect expect = {
	.kernel_build = 0x1234abcd, .memmap_fingerprint = 0x300000055aa,
	.dimms = 0, .resume_entry = 0x101000, .disk_sectors = 1 << 20,
};

static void make_header(struct hibimg_header *h, uint64_t image_pages)
{
	memset(h, 0, sizeof(*h));
	h->signature = HIBIMG_SIGNATURE;
	h->version = HIBIMG_VERSION;
	h->header_size = sizeof(*h);
	h->kernel_build = expect.kernel_build;
	h->memmap_fingerprint = expect.memmap_fingerprint;
	h->resume_entry = expect.resume_entry;
	h->image_sector = HIBIMG_IMAGE_SECTOR;
	h->image_pages = image_pages;
	h->nr_pages = NR_PAGES;
	hibimg_seal(h);
}

static int check(struct ktest *t, const struct hibimg_header *h,
		 const struct hibimg_expect *e, const char *detail)
{
	unsigned char *page = ktest_page_alloc();
	struct hibimg_error err = { 0, NULL, 0, 0 };
	int st;

	if (!page)
		return HIBIMG_ERR_IO;
	memset(page, 0, PAGE_SIZE);
	memcpy(page, h, sizeof(*h));
	st = hibimg_check(page, e, &err);
	if (detail)
		KT_EXPECT(t, err.detail && strcmp(err.detail, detail) == 0);
	ktest_page_free(page);
	return st;
}

static void header_accepted_and_bound(struct ktest *t)
{
	struct hibimg_header h;
	struct hibimg_expect e = expect;

	make_header(&h, 100);
	KT_EXPECT_EQ(t, check(t, &h, &expect, NULL), HIBIMG_OK);
	e.kernel_build ^= 1;
	KT_EXPECT_EQ(t, check(t, &h, &e, "kernel_build"), HIBIMG_ERR_KERNEL);
	e = expect;
	e.resume_entry += 16;
	KT_EXPECT_EQ(t, check(t, &h, &e, "resume_entry"), HIBIMG_ERR_KERNEL);
	e = expect;
	e.memmap_fingerprint++;
	KT_EXPECT_EQ(t, check(t, &h, &e, "memmap_fingerprint"), HIBIMG_ERR_MEMMAP);
	e = expect;
	e.dimms = 1;
	KT_EXPECT_EQ(t, check(t, &h, &e, "dimms"), HIBIMG_ERR_MEMMAP);
	e = expect;
	e.disk_sectors = HIBIMG_IMAGE_SECTOR + 100 * 8 - 1;
	KT_EXPECT_EQ(t, check(t, &h, &e, "disk_sectors"), HIBIMG_ERR_TRUNCATED);
	e.disk_sectors++;
	KT_EXPECT_EQ(t, check(t, &h, &e, NULL), HIBIMG_OK);
}

/* The DIMMs present: a count and a CRC-32C (HIBIMG_DIMMS); any other set refused. */
static void header_dimms_bound(struct ktest *t)
{
	struct hibimg_header h;
	struct hibimg_expect e = expect;
	struct hibimg_error err = { 0, NULL, 0, 0 };
	unsigned char *page = ktest_page_alloc();

	KT_ASSERT(t, page != NULL);
	KT_EXPECT_EQ(t, HIBIMG_DIMMS(0, 0x1234), 0);
	make_header(&h, 100);
	h.dimms = HIBIMG_DIMMS(1, 0x8a8d2fa1);
	hibimg_seal(&h);
	/* Booted without the DIMM. */
	memset(page, 0, PAGE_SIZE);
	memcpy(page, &h, sizeof(h));
	KT_EXPECT_EQ(t, hibimg_check(page, &e, &err), HIBIMG_ERR_MEMMAP);
	KT_EXPECT(t, err.detail && strcmp(err.detail, "dimms") == 0);
	KT_EXPECT_EQ(t, err.expected, 0);
	KT_EXPECT_EQ(t, err.found, h.dimms);
	KT_EXPECT(t, strcmp(hibimg_strerror(err.status), "memmap") == 0);
	/* Another DIMM (same count, other fingerprint), and one more. */
	e.dimms = HIBIMG_DIMMS(1, 0x8a8d2fa0);
	KT_EXPECT_EQ(t, check(t, &h, &e, "dimms"), HIBIMG_ERR_MEMMAP);
	e.dimms = HIBIMG_DIMMS(2, 0x8a8d2fa1);
	KT_EXPECT_EQ(t, check(t, &h, &e, "dimms"), HIBIMG_ERR_MEMMAP);
	/* The same DIMMs. */
	e.dimms = h.dimms;
	KT_EXPECT_EQ(t, check(t, &h, &e, NULL), HIBIMG_OK);
	/* An image without DIMMs on a machine with one. */
	make_header(&h, 100);
	KT_EXPECT_EQ(t, check(t, &h, &e, "dimms"), HIBIMG_ERR_MEMMAP);
	ktest_page_free(page);
}

static void header_damage_refused(struct ktest *t)
{
	struct hibimg_header h;

	make_header(&h, 100);
	h.signature = 0;
	KT_EXPECT_EQ(t, check(t, &h, &expect, "signature"), HIBIMG_NONE);
	make_header(&h, 100);
	h.signature ^= 1ull << 40;
	KT_EXPECT_EQ(t, check(t, &h, &expect, "signature"), HIBIMG_ERR_SIGNATURE);
	make_header(&h, 100);
	h.version = 2;
	hibimg_seal(&h);
	KT_EXPECT_EQ(t, check(t, &h, &expect, "version"), HIBIMG_ERR_VERSION);
	/* A flipped bit anywhere else: the header's CRC. */
	for (size_t off = 8; off < sizeof(h); off += 4) {
		make_header(&h, 100);
		((unsigned char *)&h)[off] ^= 0x10;
		KT_EXPECT(t, check(t, &h, &expect, NULL) != HIBIMG_OK);
	}
	make_header(&h, 100);
	h.kernel_build ^= 4;        /* no reseal: the CRC names it first */
	KT_EXPECT_EQ(t, check(t, &h, &expect, "header_crc"), HIBIMG_ERR_SIGNATURE);
}

/* A snapimg image of NR_PAGES pages in MAX_PAGES-page chunks is too big
 * to hold here; the checks before loading need only page 0 and the pfn
 * list, so the writer's data and CRC pages go to one scratch page. */
struct partial {
	unsigned char *page0, *pfns[2], *scratch;
	struct snapimg_layout l;
};

static void *partial_page(void *ctx, uint64_t i)
{
	struct partial *p = ctx;

	if (i == 0)
		return p->page0;
	if (i >= p->l.pfn_list_first && i < p->l.pfn_list_first + p->l.pfn_list_pages)
		return p->pfns[i - p->l.pfn_list_first];
	return p->scratch;
}

static bool present_below_1g(void *ctx, uint64_t pfn)
{
	(void)ctx;
	return pfn >= 1 && pfn < (1u << 18);
}

static bool build_partial(struct ktest *t, struct partial *p, struct hibimg_header *h)
{
	struct snapimg_pages pages = { 0, partial_page, p };
	struct snapimg_writer w;
	bool ok = true;

	memset(p, 0, sizeof(*p));
	KT_EXPECT(t, snapimg_layout(NR_PAGES, &p->l));
	KT_EXPECT_EQ(t, p->l.pfn_list_pages, 2);
	p->page0 = ktest_page_alloc();
	p->pfns[0] = ktest_page_alloc();
	p->pfns[1] = ktest_page_alloc();
	p->scratch = ktest_page_alloc();
	if (!p->page0 || !p->pfns[0] || !p->pfns[1] || !p->scratch)
		return false;
	pages.nr_image_pages = p->l.image_pages;
	ok &= snapimg_writer_start(&w, &pages, NR_PAGES, expect.memmap_fingerprint) == SNAPIMG_OK;
	for (uint64_t i = 0; i < NR_PAGES && ok; i++) {
		static unsigned char data[PAGE_SIZE];

		memset(data, (int)i, sizeof(data));
		ok &= snapimg_writer_add(&w, 0x100 + 3 * i, data) == SNAPIMG_OK;
	}
	ok &= snapimg_writer_finish(&w) == SNAPIMG_OK;
	make_header(h, p->l.image_pages);
	memcpy(&h->snapimg_header_crc, p->page0 + offsetof(struct snapimg_header, header_crc),
	       sizeof(uint32_t));
	h->memmap_fingerprint = expect.memmap_fingerprint;
	hibimg_seal(h);
	KT_EXPECT(t, ok);
	return ok;
}

static void free_partial(struct partial *p)
{
	ktest_page_free(p->page0);
	ktest_page_free(p->pfns[0]);
	ktest_page_free(p->pfns[1]);
	ktest_page_free(p->scratch);
}

static int check_pfns(struct partial *p, struct hibimg_error *err)
{
	const uint64_t *lists[2] = { (const uint64_t *)p->pfns[0], (const uint64_t *)p->pfns[1] };

	return hibimg_check_pfns((const struct snapimg_header *)p->page0, &p->l, lists,
				 present_below_1g, NULL, err);
}

static void image_header_and_pfn_list(struct ktest *t)
{
	struct hibimg_header h;
	struct hibimg_error err;
	struct snapimg_layout l;
	struct partial p;

	if (!build_partial(t, &p, &h)) {
		free_partial(&p);
		return;
	}
	KT_EXPECT_EQ(t, hibimg_check_image_header(p.page0, &h, &l, &err), HIBIMG_OK);
	KT_EXPECT_EQ(t, l.image_pages, p.l.image_pages);
	KT_EXPECT_EQ(t, check_pfns(&p, &err), HIBIMG_OK);

	/* The image header's CRC, then its binding to the disk header. */
	p.page0[100] ^= 1;
	KT_EXPECT_EQ(t, hibimg_check_image_header(p.page0, &h, &l, &err), HIBIMG_ERR_SIGNATURE);
	KT_EXPECT(t, strcmp(err.detail, "image_header_crc") == 0);
	p.page0[100] ^= 1;
	h.snapimg_header_crc ^= 1;
	KT_EXPECT_EQ(t, hibimg_check_image_header(p.page0, &h, &l, &err), HIBIMG_ERR_SIGNATURE);
	KT_EXPECT(t, strcmp(err.detail, "snapimg_header_crc") == 0);

	/* A pfn out of order, one not in RAM, a nonzero tail, a flipped bit. */
	((uint64_t *)p.pfns[0])[7] = ((uint64_t *)p.pfns[0])[6];
	KT_EXPECT_EQ(t, check_pfns(&p, &err), HIBIMG_ERR_PFN);
	KT_EXPECT(t, strcmp(err.detail, "pfn_list_order") == 0);
	((uint64_t *)p.pfns[0])[7] = ((uint64_t *)p.pfns[0])[6] + 3;
	KT_EXPECT_EQ(t, check_pfns(&p, &err), HIBIMG_OK);
	((uint64_t *)p.pfns[1])[NR_PAGES - 512 - 1] = 1u << 20;
	KT_EXPECT_EQ(t, check_pfns(&p, &err), HIBIMG_ERR_PFN);
	KT_EXPECT(t, strcmp(err.detail, "pfn_not_ram") == 0);
	((uint64_t *)p.pfns[1])[NR_PAGES - 512 - 1] = 0x100 + 3 * (NR_PAGES - 1);
	((uint64_t *)p.pfns[1])[511] = 5;
	KT_EXPECT_EQ(t, check_pfns(&p, &err), HIBIMG_ERR_PFN);
	KT_EXPECT(t, strcmp(err.detail, "pfn_list_tail") == 0);
	((uint64_t *)p.pfns[1])[511] = 0;
	p.pfns[0][8 * 100] ^= 0x01;      /* entry 100 one higher: still ascending */
	KT_EXPECT_EQ(t, check_pfns(&p, &err), HIBIMG_ERR_PFN);
	KT_EXPECT(t, strcmp(err.detail, "pfn_list_crc") == 0);
	free_partial(&p);
}

static void snapimg_kinds(struct ktest *t)
{
	KT_EXPECT_EQ(t, hibimg_from_snapimg(SNAPIMG_OK), HIBIMG_OK);
	KT_EXPECT_EQ(t, hibimg_from_snapimg(SNAPIMG_ERR_DATA), HIBIMG_ERR_DATA);
	KT_EXPECT_EQ(t, hibimg_from_snapimg(SNAPIMG_ERR_PFN), HIBIMG_ERR_PFN);
	KT_EXPECT_EQ(t, hibimg_from_snapimg(SNAPIMG_ERR_TRUNCATE), HIBIMG_ERR_TRUNCATED);
	KT_EXPECT_EQ(t, hibimg_from_snapimg(SNAPIMG_ERR_MAGIC), HIBIMG_ERR_SIGNATURE);
	KT_EXPECT(t, strcmp(hibimg_strerror(HIBIMG_ERR_TRUNCATED), "truncated") == 0);
	KT_EXPECT(t, strcmp(hibimg_strerror(HIBIMG_ERR_IO), "io") == 0);
	KT_EXPECT(t, strcmp(hibimg_strerror(HIBIMG_ERR_NOMEM), "no-memory") == 0);
}

KTEST_SUITE(hibimg,
	KTEST_CASE(header_accepted_and_bound),
	KTEST_CASE(header_dimms_bound),
	KTEST_CASE(header_damage_refused),
	KTEST_CASE(image_header_and_pfn_list),
	KTEST_CASE(snapimg_kinds));
