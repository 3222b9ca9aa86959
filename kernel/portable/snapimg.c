/*
 * snapimg.c: build, check and read snapshot images (layout in snapimg.h).
 *
 * The validator trusts nothing in the image: every count is checked
 * before it is used to index anything, every page pointer is checked for
 * NULL, and fields are read with byte copies, so an image at any alignment,
 * of any length and with any contents gives an answer and never a crash.
 * Host tests and a libFuzzer target hold it to that.
 */
#include <string.h>

#include "kernel/portable/crc32c.h"
#include "kernel/portable/snapimg.h"

#define HEADER_CRC_OFFSET offsetof(struct snapimg_header, header_crc)

const char *snapimg_strerror(enum snapimg_status status)
{
	switch (status) {
	case SNAPIMG_OK:           return "ok";
	case SNAPIMG_ERR_TRUNCATE: return "truncate";
	case SNAPIMG_ERR_MAGIC:    return "magic";
	case SNAPIMG_ERR_VERSION:  return "version";
	case SNAPIMG_ERR_HEADER:   return "header";
	case SNAPIMG_ERR_CHECKSUM: return "checksum";
	case SNAPIMG_ERR_MEMMAP:   return "memmap";
	case SNAPIMG_ERR_PFN:      return "pfn";
	case SNAPIMG_ERR_DATA:     return "data";
	case SNAPIMG_ERR_USAGE:    return "usage";
	}
	return "unknown";
}

bool snapimg_layout(uint64_t nr_pages, struct snapimg_layout *layout)
{
	struct snapimg_layout l;

	if (nr_pages > SNAPIMG_MAX_PAGES)
		return false;
	l.nr_pages = nr_pages;
	l.pfn_list_first = 1;
	l.pfn_list_pages = div_round_up(nr_pages, SNAPIMG_PFNS_PER_PAGE);
	l.data_first = l.pfn_list_first + l.pfn_list_pages;
	l.crc_list_first = l.data_first + nr_pages;
	l.crc_list_pages = div_round_up(nr_pages, SNAPIMG_CRCS_PER_PAGE);
	l.image_pages = l.crc_list_first + l.crc_list_pages;
	*layout = l;
	return true;
}

/* Image page i, or NULL if the container does not have it. */
static unsigned char *image_page(const struct snapimg_pages *image, uint64_t i)
{
	if (i >= image->nr_image_pages || !image->page)
		return NULL;
	return image->page(image->ctx, i);
}

static uint64_t load_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t load_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* CRC-32C of the header page, counting the header_crc field as zero. */
static uint32_t header_page_crc(const unsigned char *page0)
{
	static const unsigned char zero[sizeof(uint32_t)];
	uint32_t crc;

	crc = crc32c(0, page0, HEADER_CRC_OFFSET);
	crc = crc32c(crc, zero, sizeof(zero));
	return crc32c(crc, page0 + HEADER_CRC_OFFSET + sizeof(zero),
		      PAGE_SIZE - HEADER_CRC_OFFSET - sizeof(zero));
}

/* CRC-32C of image pages [first, first + nr), or false if one is missing. */
static bool pages_crc(const struct snapimg_pages *image, uint64_t first,
		      uint64_t nr, uint32_t *crc_out, uint64_t *missing)
{
	uint32_t crc = 0;

	for (uint64_t i = first; i < first + nr; i++) {
		const unsigned char *page = image_page(image, i);

		if (!page) {
			*missing = i;
			return false;
		}
		crc = crc32c(crc, page, PAGE_SIZE);
	}
	*crc_out = crc;
	return true;
}

/* ---------------------------------------------------------- validator --- */

/* Fill *err (always non-NULL inside the validator) and return its status. */
static enum snapimg_status refuse(struct snapimg_error *err,
				  enum snapimg_status status, const char *field,
				  const char *problem, uint64_t expected,
				  uint64_t found)
{
	err->status = status;
	err->field = field;
	err->problem = problem;
	err->index = 0;
	err->pfn = SNAPIMG_NO_PFN;
	err->expected = expected;
	err->found = found;
	return status;
}

/* The same, about list entry `index` (a data page number) and its pfn. */
static enum snapimg_status refuse_entry(struct snapimg_error *err,
					enum snapimg_status status,
					const char *field, const char *problem,
					uint64_t index, uint64_t pfn,
					uint64_t expected, uint64_t found)
{
	refuse(err, status, field, problem, expected, found);
	err->index = index;
	err->pfn = pfn;
	return status;
}

static enum snapimg_status refuse_missing(struct snapimg_error *err,
					  uint64_t image_page_index)
{
	return refuse_entry(err, SNAPIMG_ERR_TRUNCATE, "image_pages",
			    "missing_page", image_page_index, SNAPIMG_NO_PFN,
			    image_page_index, 0);
}

/* Steps 1-5 of snapimg_validate(): the header page on its own. */
static enum snapimg_status check_header(const struct snapimg_pages *image,
					struct snapimg_header *h,
					struct snapimg_layout *layout,
					struct snapimg_error *err)
{
	const unsigned char *page0 = image_page(image, 0);
	uint32_t crc;

	if (!page0)
		return refuse_missing(err, 0);
	memcpy(h, page0, sizeof(*h));
	if (h->magic != SNAPIMG_MAGIC)
		return refuse(err, SNAPIMG_ERR_MAGIC, "magic", "mismatch",
			      SNAPIMG_MAGIC, h->magic);
	if (h->version != SNAPIMG_VERSION)
		return refuse(err, SNAPIMG_ERR_VERSION, "version", "mismatch",
			      SNAPIMG_VERSION, h->version);
	if (h->header_size != sizeof(*h))
		return refuse(err, SNAPIMG_ERR_HEADER, "header_size", "mismatch",
			      sizeof(*h), h->header_size);
	if (h->page_size != PAGE_SIZE)
		return refuse(err, SNAPIMG_ERR_HEADER, "page_size", "mismatch",
			      PAGE_SIZE, h->page_size);
	crc = header_page_crc(page0);
	if (crc != h->header_crc)
		return refuse(err, SNAPIMG_ERR_CHECKSUM, "header_crc", "mismatch",
			      h->header_crc, crc);
	for (size_t i = 0; i < sizeof(h->reserved) / sizeof(h->reserved[0]); i++)
		if (h->reserved[i])
			return refuse(err, SNAPIMG_ERR_HEADER, "reserved",
				      "nonzero", 0, h->reserved[i]);
	for (size_t off = sizeof(*h); off < PAGE_SIZE; off++)
		if (page0[off])
			return refuse_entry(err, SNAPIMG_ERR_HEADER,
					    "header_padding", "nonzero", off,
					    SNAPIMG_NO_PFN, 0, page0[off]);
	if (!snapimg_layout(h->nr_pages, layout))
		return refuse(err, SNAPIMG_ERR_HEADER, "nr_pages", "out_of_range",
			      SNAPIMG_MAX_PAGES, h->nr_pages);
	if (h->image_pages != layout->image_pages)
		return refuse(err, SNAPIMG_ERR_HEADER, "image_pages", "mismatch",
			      layout->image_pages, h->image_pages);
	if (image->nr_image_pages < layout->image_pages)
		return refuse(err, SNAPIMG_ERR_TRUNCATE, "image_pages", "short",
			      layout->image_pages, image->nr_image_pages);
	return SNAPIMG_OK;
}

/* Step 7: every pfn list entry, the list's zero tail, then its CRC. */
static enum snapimg_status check_pfn_list(const struct snapimg_pages *image,
					  const struct snapimg_machine *machine,
					  const struct snapimg_header *h,
					  const struct snapimg_layout *l,
					  struct snapimg_error *err)
{
	const uint64_t slots = l->pfn_list_pages * SNAPIMG_PFNS_PER_PAGE;
	const unsigned char *page = NULL;
	uint64_t prev = 0, missing;
	uint32_t crc;

	for (uint64_t i = 0; i < slots; i++) {
		uint64_t slot = i % SNAPIMG_PFNS_PER_PAGE, pfn;

		if (slot == 0) {
			uint64_t at = l->pfn_list_first + i / SNAPIMG_PFNS_PER_PAGE;

			page = image_page(image, at);
			if (!page)
				return refuse_missing(err, at);
		}
		pfn = load_u64(page + slot * sizeof(uint64_t));
		if (i >= l->nr_pages) {
			if (pfn)
				return refuse_entry(err, SNAPIMG_ERR_PFN,
						    "pfn_list", "nonzero", i, pfn,
						    0, pfn);
			continue;
		}
		if (pfn >= SNAPIMG_PFN_LIMIT)
			return refuse_entry(err, SNAPIMG_ERR_PFN, "pfn_list",
					    "out_of_range", i, pfn,
					    SNAPIMG_PFN_LIMIT, pfn);
		if (i > 0 && pfn <= prev)
			return refuse_entry(err, SNAPIMG_ERR_PFN, "pfn_list",
					    "not_ascending", i, pfn, prev + 1, pfn);
		if (!machine->pfn_present(machine->ctx, pfn))
			return refuse_entry(err, SNAPIMG_ERR_PFN, "pfn_list",
					    "not_present", i, pfn, pfn, pfn);
		prev = pfn;
	}
	if (!pages_crc(image, l->pfn_list_first, l->pfn_list_pages, &crc, &missing))
		return refuse_missing(err, missing);
	if (crc != h->pfn_list_crc)
		return refuse(err, SNAPIMG_ERR_PFN, "pfn_list_crc", "mismatch",
			      h->pfn_list_crc, crc);
	return SNAPIMG_OK;
}

/* Steps 8 and 9: the CRC list's zero tail and CRC, then every data page. */
static enum snapimg_status check_data(const struct snapimg_pages *image,
				      const struct snapimg_header *h,
				      const struct snapimg_layout *l,
				      struct snapimg_error *err)
{
	const uint64_t slots = l->crc_list_pages * SNAPIMG_CRCS_PER_PAGE;
	uint64_t missing;
	uint32_t crc;

	if (!pages_crc(image, l->crc_list_first, l->crc_list_pages, &crc, &missing))
		return refuse_missing(err, missing);
	for (uint64_t i = l->nr_pages; i < slots; i++) {
		const unsigned char *page = image_page(image,
			l->crc_list_first + i / SNAPIMG_CRCS_PER_PAGE);
		uint32_t v = load_u32(page + (i % SNAPIMG_CRCS_PER_PAGE) * 4);

		if (v)
			return refuse_entry(err, SNAPIMG_ERR_DATA, "page_crc",
					    "nonzero", i, SNAPIMG_NO_PFN, 0, v);
	}
	if (crc != h->crc_list_crc)
		return refuse(err, SNAPIMG_ERR_DATA, "crc_list_crc", "mismatch",
			      h->crc_list_crc, crc);

	for (uint64_t i = 0; i < l->nr_pages; i++) {
		const unsigned char *crcs = image_page(image,
			l->crc_list_first + i / SNAPIMG_CRCS_PER_PAGE);
		const unsigned char *data = image_page(image, l->data_first + i);
		uint32_t stored, computed;

		if (!data)
			return refuse_missing(err, l->data_first + i);
		stored = load_u32(crcs + (i % SNAPIMG_CRCS_PER_PAGE) * 4);
		computed = crc32c(0, data, PAGE_SIZE);
		if (computed != stored)
			return refuse_entry(err, SNAPIMG_ERR_DATA, "page_crc",
					    "mismatch", i,
					    snapimg_pfn(image, l, i),
					    stored, computed);
	}
	return SNAPIMG_OK;
}

enum snapimg_status snapimg_validate(const struct snapimg_pages *image,
				     const struct snapimg_machine *machine,
				     struct snapimg_layout *layout,
				     struct snapimg_error *err)
{
	struct snapimg_error scratch;
	struct snapimg_header h;
	struct snapimg_layout l;
	enum snapimg_status st;

	if (!err)
		err = &scratch;
	st = check_header(image, &h, &l, err);
	if (st != SNAPIMG_OK)
		return st;
	if (h.memmap_fingerprint != machine->memmap_fingerprint)
		return refuse(err, SNAPIMG_ERR_MEMMAP, "memmap_fingerprint",
			      "mismatch", machine->memmap_fingerprint,
			      h.memmap_fingerprint);
	st = check_pfn_list(image, machine, &h, &l, err);
	if (st != SNAPIMG_OK)
		return st;
	st = check_data(image, &h, &l, err);
	if (st != SNAPIMG_OK)
		return st;
	refuse(err, SNAPIMG_OK, NULL, NULL, 0, 0);
	if (layout)
		*layout = l;
	return SNAPIMG_OK;
}

/* ------------------------------------------------------------- reading --- */

uint64_t snapimg_pfn(const struct snapimg_pages *image,
		     const struct snapimg_layout *layout, uint64_t i)
{
	const unsigned char *page = image_page(image,
		layout->pfn_list_first + i / SNAPIMG_PFNS_PER_PAGE);

	return load_u64(page + (i % SNAPIMG_PFNS_PER_PAGE) * sizeof(uint64_t));
}

const void *snapimg_data(const struct snapimg_pages *image,
			 const struct snapimg_layout *layout, uint64_t i)
{
	return image_page(image, layout->data_first + i);
}

/* ------------------------------------------------------------- writing --- */

enum snapimg_status snapimg_writer_start(struct snapimg_writer *w,
					 const struct snapimg_pages *image,
					 uint64_t nr_pages,
					 uint64_t memmap_fingerprint)
{
	const struct snapimg_layout *l = &w->layout;

	memset(w, 0, sizeof(*w));
	w->image = image;
	w->memmap_fingerprint = memmap_fingerprint;
	if (!snapimg_layout(nr_pages, &w->layout))
		return SNAPIMG_ERR_HEADER;
	if (image->nr_image_pages < l->image_pages)
		return SNAPIMG_ERR_TRUNCATE;
	/* The header, list and CRC pages start zeroed: their tails stay so. */
	for (uint64_t i = 0; i < l->image_pages; i++) {
		unsigned char *page = image_page(image, i);

		if (!page)
			return SNAPIMG_ERR_TRUNCATE;
		if (i < l->data_first || i >= l->crc_list_first)
			memset(page, 0, PAGE_SIZE);
	}
	return SNAPIMG_OK;
}

enum snapimg_status snapimg_writer_add(struct snapimg_writer *w, uint64_t pfn,
				       const void *data)
{
	const struct snapimg_layout *l = &w->layout;
	uint64_t i = w->nr_added;
	unsigned char *list, *copy, *crcs;
	uint32_t crc;

	if (i >= l->nr_pages)
		return SNAPIMG_ERR_USAGE;
	if (pfn >= SNAPIMG_PFN_LIMIT || (i > 0 && pfn <= w->last_pfn))
		return SNAPIMG_ERR_PFN;
	list = image_page(w->image, l->pfn_list_first + i / SNAPIMG_PFNS_PER_PAGE);
	copy = image_page(w->image, l->data_first + i);
	crcs = image_page(w->image, l->crc_list_first + i / SNAPIMG_CRCS_PER_PAGE);
	memcpy(list + (i % SNAPIMG_PFNS_PER_PAGE) * sizeof(uint64_t), &pfn,
	       sizeof(pfn));
	crc = crc32c_copy(0, copy, data, PAGE_SIZE);   /* of what the image holds */
	memcpy(crcs + (i % SNAPIMG_CRCS_PER_PAGE) * sizeof(crc), &crc, sizeof(crc));
	w->nr_added++;
	w->last_pfn = pfn;
	return SNAPIMG_OK;
}

enum snapimg_status snapimg_writer_finish(struct snapimg_writer *w)
{
	const struct snapimg_layout *l = &w->layout;
	unsigned char *page0 = image_page(w->image, 0);
	struct snapimg_header h;
	uint64_t missing;

	if (w->nr_added != l->nr_pages)
		return SNAPIMG_ERR_USAGE;
	memset(&h, 0, sizeof(h));
	h.magic = SNAPIMG_MAGIC;
	h.version = SNAPIMG_VERSION;
	h.header_size = sizeof(h);
	h.page_size = PAGE_SIZE;
	h.nr_pages = l->nr_pages;
	h.image_pages = l->image_pages;
	h.memmap_fingerprint = w->memmap_fingerprint;
	if (!pages_crc(w->image, l->pfn_list_first, l->pfn_list_pages,
		       &h.pfn_list_crc, &missing) ||
	    !pages_crc(w->image, l->crc_list_first, l->crc_list_pages,
		       &h.crc_list_crc, &missing))
		return SNAPIMG_ERR_TRUNCATE;
	memcpy(page0, &h, sizeof(h));
	h.header_crc = header_page_crc(page0);
	memcpy(page0 + HEADER_CRC_OFFSET, &h.header_crc, sizeof(h.header_crc));
	return SNAPIMG_OK;
}

/* ------------------------------------------------------------ damaging --- */

bool snapimg_damage(struct snapimg_pages *image, enum snapimg_damage_kind kind,
		    uint64_t index)
{
	unsigned char *page0 = image_page(image, 0), *page;
	struct snapimg_header h;
	struct snapimg_layout l;
	uint64_t i, pfn;

	if (!page0)
		return false;
	memcpy(&h, page0, sizeof(h));
	if (!snapimg_layout(h.nr_pages, &l) || image->nr_image_pages < l.image_pages)
		return false;
	switch (kind) {
	case SNAPIMG_DAMAGE_MAGIC:
		page0[offsetof(struct snapimg_header, magic)] ^= 0x01;
		return true;
	case SNAPIMG_DAMAGE_TRUNCATE:
		image->nr_image_pages = l.image_pages - 1;
		return true;
	case SNAPIMG_DAMAGE_DATA:
	case SNAPIMG_DAMAGE_PFN:
		break;
	}
	if (l.nr_pages == 0)
		return false;
	i = index % l.nr_pages;
	if (kind == SNAPIMG_DAMAGE_DATA) {
		page = image_page(image, l.data_first + i);
		if (!page)
			return false;
		page[PAGE_SIZE / 2] ^= 0x10;
		return true;
	}
	page = image_page(image, l.pfn_list_first + i / SNAPIMG_PFNS_PER_PAGE);
	if (!page)
		return false;
	pfn = snapimg_pfn(image, &l, i) | SNAPIMG_PFN_LIMIT;
	memcpy(page + (i % SNAPIMG_PFNS_PER_PAGE) * sizeof(uint64_t), &pfn,
	       sizeof(pfn));
	return true;
}
