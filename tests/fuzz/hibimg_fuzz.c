/*
 * hibimg_fuzz.c: libFuzzer target for a resume's checks before loading
 * (kernel/portable/hibimg.h): the disk header (hibimg_check), the image
 * header page (hibimg_check_image_header) and the pfn list
 * (hibimg_check_pfns), in the order resume_boot() runs them.
 *
 * The input describes the machine (kernel build, resume entry, memory-map
 * fingerprint, DIMMs, the disk's sectors, which pfns are RAM) and the
 * disk's first pages. Properties checked on every input:
 *   - no check crashes, reads out of bounds or hits UB (ASan, UBSan: each
 *     page is a separate 4 KiB allocation);
 *   - a refusal carries a named kind (hibimg_strerror() not "unknown") and
 *     a detail;
 *   - an accepted disk header is signed, sealed, version 1, bound to this
 *     machine (build, entry, memory map, DIMMs) and fits on the disk;
 *   - an accepted image header agrees with the disk header, and its pfn
 *     list fits on the disk;
 *   - an accepted pfn list is strictly ascending, below SNAPIMG_PFN_LIMIT,
 *     every pfn RAM on this machine, the tail zero, its CRC right;
 *   - an image the builder made and nobody touched is always accepted.
 *
 * The first input byte picks a mode:
 *   even: "raw": the rest is laid over the header page, the image header
 *         page and the pfn list pages, optionally resealed;
 *   odd:  "built": the input picks nr_pages and the pfn gaps, the builder
 *         makes a valid disk, then the input flips bytes in it, optionally
 *         reseals, and may change the machine.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/portable/crc32c.h"
#include "kernel/portable/hibimg.h"
#include "kernel/portable/snapimg.h"
#include "tests/fuzz/input.h"

#define PAGE       PAGE_SIZE
#define MAX_LIST   4                   /* pfn list pages: up to 2048 pfns */
#define NPAGES     (2 + MAX_LIST)      /* disk header, image header, list */

/* RAM: pfns [lo, hi), less [hole_lo, hole_hi). */
struct ram {
	uint64_t lo, hi, hole_lo, hole_hi;
};

static bool ram_present(void *ctx, uint64_t pfn)
{
	const struct ram *r = ctx;

	return pfn >= r->lo && pfn < r->hi && !(pfn >= r->hole_lo && pfn < r->hole_hi);
}

static void check_kind(int st, const struct hibimg_error *e)
{
	if (st == HIBIMG_OK)
		return;
	if (strcmp(hibimg_strerror(st), "unknown") == 0 || e->status != st || !e->detail ||
	    !e->detail[0])
		abort();
}

/* The image header page's CRC: the whole page, the field as 0. */
static uint32_t snap_crc(const uint8_t *page)
{
	struct snapimg_header c;
	uint32_t crc;

	memcpy(&c, page, sizeof(c));
	c.header_crc = 0;
	crc = crc32c(0, &c, sizeof(c));
	return crc32c(crc, page + sizeof(c), PAGE - sizeof(c));
}

/* Make the lists' and headers' CRCs right (what a careful forger would do). */
static void reseal(uint8_t **pg, int what)
{
	struct hibimg_header *h = (struct hibimg_header *)pg[0];
	struct snapimg_header *sh = (struct snapimg_header *)pg[1];
	struct snapimg_layout l;

	if ((what & 1) && snapimg_layout(sh->nr_pages, &l) && l.pfn_list_pages <= MAX_LIST) {
		uint32_t crc = 0;

		for (uint64_t p = 0; p < l.pfn_list_pages; p++)
			crc = crc32c(crc, pg[2 + p], PAGE);
		sh->pfn_list_crc = crc;
	}
	if (what & 2)
		sh->header_crc = snap_crc(pg[1]);
	if (what & 4)
		h->snapimg_header_crc = sh->header_crc;
	if (what & 8)
		hibimg_seal(h);
}

/* A valid disk for `e` and `ram`: nr_pages pfns from the RAM's start, input gaps. */
static bool build(uint8_t **pg, struct input *in, const struct hibimg_expect *e,
		  const struct ram *ram)
{
	struct hibimg_header *h = (struct hibimg_header *)pg[0];
	struct snapimg_header *sh = (struct snapimg_header *)pg[1];
	uint64_t nr = 1 + take(in, 2) % (MAX_LIST * SNAPIMG_PFNS_PER_PAGE), pfn = ram->lo;
	struct snapimg_layout l;

	if (!snapimg_layout(nr, &l))
		return false;
	for (uint64_t i = 0; i < nr; i++) {
		while (pfn < ram->hi && !ram_present((void *)ram, pfn))
			pfn++;
		if (pfn >= ram->hi)
			return false;
		((uint64_t *)pg[2 + i / SNAPIMG_PFNS_PER_PAGE])[i % SNAPIMG_PFNS_PER_PAGE] = pfn;
		pfn += 1 + take(in, 1) % 4;
	}
	sh->magic = SNAPIMG_MAGIC;
	sh->version = SNAPIMG_VERSION;
	sh->header_size = sizeof(*sh);
	sh->page_size = PAGE;
	sh->nr_pages = nr;
	sh->image_pages = l.image_pages;
	sh->memmap_fingerprint = e->memmap_fingerprint;
	h->signature = HIBIMG_SIGNATURE;
	h->version = HIBIMG_VERSION;
	h->header_size = sizeof(*h);
	h->kernel_build = e->kernel_build;
	h->memmap_fingerprint = e->memmap_fingerprint;
	h->dimms = e->dimms;
	h->image_sector = HIBIMG_IMAGE_SECTOR;
	h->image_pages = l.image_pages;
	h->nr_pages = nr;
	h->resume_entry = e->resume_entry;
	h->generation = take(in, 1);
	reseal(pg, 15);
	return HIBIMG_IMAGE_SECTOR + l.image_pages * HIBIMG_SECTORS_PER_PAGE <= e->disk_sectors;
}

/* The three checks, as a resume runs them; each one's contract asserted. */
static int run(uint8_t **pg, const struct hibimg_expect *e, struct ram *ram)
{
	const struct hibimg_header *h = (const struct hibimg_header *)pg[0];
	const struct snapimg_header *sh = (const struct snapimg_header *)pg[1];
	struct hibimg_error err = { 0, NULL, 0, 0 };
	struct snapimg_layout l;
	const uint64_t *lists[MAX_LIST];
	int st;

	st = hibimg_check(pg[0], e, &err);
	check_kind(st, &err);
	if (st)
		return st;
	if (h->signature != HIBIMG_SIGNATURE || h->version != HIBIMG_VERSION ||
	    h->header_size != sizeof(*h) || h->image_sector != HIBIMG_IMAGE_SECTOR ||
	    h->kernel_build != e->kernel_build || h->resume_entry != e->resume_entry ||
	    h->memmap_fingerprint != e->memmap_fingerprint || h->dimms != e->dimms ||
	    h->image_pages == 0 ||
	    HIBIMG_IMAGE_SECTOR + h->image_pages * HIBIMG_SECTORS_PER_PAGE > e->disk_sectors)
		abort();
	{
		struct hibimg_header c = *h;

		hibimg_seal(&c);
		if (c.header_crc != h->header_crc)
			abort();
		for (size_t i = sizeof(*h); i < PAGE; i++)
			if (pg[0][i])
				abort();
	}
	memset(&err, 0, sizeof(err));
	st = hibimg_check_image_header(pg[1], h, &l, &err);
	check_kind(st, &err);
	if (st)
		return st;
	if (sh->magic != SNAPIMG_MAGIC || sh->nr_pages != h->nr_pages ||
	    sh->image_pages != h->image_pages || l.nr_pages != h->nr_pages ||
	    l.image_pages != h->image_pages || sh->header_crc != h->snapimg_header_crc ||
	    sh->header_crc != snap_crc(pg[1]) || sh->memmap_fingerprint != h->memmap_fingerprint ||
	    l.pfn_list_first != 1 || l.pfn_list_pages * SNAPIMG_PFNS_PER_PAGE < l.nr_pages ||
	    HIBIMG_IMAGE_SECTOR + (1 + l.pfn_list_pages) * HIBIMG_SECTORS_PER_PAGE > e->disk_sectors)
		abort();
	if (l.pfn_list_pages > MAX_LIST)
		return HIBIMG_OK;            /* fits the disk, not this harness's pages */
	for (uint64_t p = 0; p < l.pfn_list_pages; p++)
		lists[p] = (const uint64_t *)pg[2 + p];
	memset(&err, 0, sizeof(err));
	st = hibimg_check_pfns(sh, &l, lists, ram_present, ram, &err);
	check_kind(st, &err);
	if (st)
		return st;
	{
		uint32_t crc = 0;

		for (uint64_t i = 0; i < l.pfn_list_pages * SNAPIMG_PFNS_PER_PAGE; i++) {
			uint64_t pfn = lists[i / SNAPIMG_PFNS_PER_PAGE][i % SNAPIMG_PFNS_PER_PAGE];

			if (i >= l.nr_pages) {
				if (pfn)
					abort();
				continue;
			}
			if (pfn >= SNAPIMG_PFN_LIMIT || !ram_present(ram, pfn) ||
			    (i > 0 && pfn <= lists[(i - 1) / SNAPIMG_PFNS_PER_PAGE][(i - 1) % SNAPIMG_PFNS_PER_PAGE]))
				abort();
		}
		for (uint64_t p = 0; p < l.pfn_list_pages; p++)
			crc = crc32c(crc, lists[p], PAGE);
		if (crc != sh->pfn_list_crc)
			abort();
	}
	return HIBIMG_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	uint8_t *pg[NPAGES];
	struct hibimg_expect e;
	struct ram ram;
	int mode = (int)take(&in, 1);

	for (int i = 0; i < NPAGES; i++)
		pg[i] = calloc(1, PAGE);
	/* The machine. */
	e.kernel_build = take(&in, 1) & 1 ? take(&in, 8) : 0x1234abcd;
	e.memmap_fingerprint = take(&in, 1) & 1 ? take(&in, 8) : 0x300000055aa;
	e.dimms = take(&in, 1) & 1 ? HIBIMG_DIMMS(take(&in, 1), take(&in, 4)) : 0;
	e.resume_entry = 0x101000;
	e.disk_sectors = HIBIMG_IMAGE_SECTOR + take(&in, 3) % (1u << 18);
	ram.lo = 0x100 + take(&in, 1);
	ram.hi = ram.lo + 1 + take(&in, 3) % (1u << 20);
	ram.hole_lo = ram.lo + take(&in, 2);
	ram.hole_hi = ram.hole_lo + take(&in, 1);

	if (mode & 1) {
		bool built = build(pg, &in, &e, &ram);
		int flips = (int)take(&in, 1) % 8;

		if (built && flips == 0 && run(pg, &e, &ram) != HIBIMG_OK)
			abort();                 /* an untouched image is accepted */
		for (int i = 0; i < flips; i++) {
			uint64_t at = take(&in, 2) % (NPAGES * PAGE);

			pg[at / PAGE][at % PAGE] ^= (uint8_t)(take(&in, 1) | 1);
		}
		reseal(pg, (int)take(&in, 1));
		if (take(&in, 1) & 1)
			e.disk_sectors = take(&in, 3);
	} else {
		int what = (int)take(&in, 1);

		for (int i = 0; i < NPAGES && in.left; i++) {
			size_t n = in.left < PAGE ? in.left : PAGE;

			memcpy(pg[i], in.p, n);
			in.p += n;
			in.left -= n;
		}
		reseal(pg, what);
	}
	run(pg, &e, &ram);
	for (int i = 0; i < NPAGES; i++)
		free(pg[i]);
	return 0;
}
