/*
 * hibimg.c: the hibernation disk header and the early checks (hibimg.h).
 */
#include "kernel/portable/hibimg.h"

#include <stddef.h>
#include <string.h>

#include "kernel/portable/crc32c.h"

const char *hibimg_strerror(int status)
{
	switch (status) {
	case HIBIMG_OK:            return "ok";
	case HIBIMG_NONE:          return "none";
	case HIBIMG_ERR_SIGNATURE: return "signature";
	case HIBIMG_ERR_VERSION:   return "version";
	case HIBIMG_ERR_KERNEL:    return "kernel";
	case HIBIMG_ERR_MEMMAP:    return "memmap";
	case HIBIMG_ERR_PFN:       return "pfn";
	case HIBIMG_ERR_DATA:      return "data";
	case HIBIMG_ERR_TRUNCATED: return "truncated";
	case HIBIMG_ERR_IO:        return "io";
	case HIBIMG_ERR_NOMEM:     return "no-memory";
	}
	return "unknown";
}

static uint32_t header_crc(const struct hibimg_header *h)
{
	struct hibimg_header c = *h;

	c.header_crc = 0;
	return crc32c(0, &c, sizeof(c));
}

void hibimg_seal(struct hibimg_header *h)
{
	h->header_crc = header_crc(h);
}

static int refuse(struct hibimg_error *err, int status, const char *detail,
		  uint64_t expected, uint64_t found)
{
	if (err) {
		err->status = status;
		err->detail = detail;
		err->expected = expected;
		err->found = found;
	}
	return status;
}

int hibimg_check(const void *page, const struct hibimg_expect *e,
		 struct hibimg_error *err)
{
	const struct hibimg_header *h = page;
	const uint8_t *bytes = page;
	uint64_t sectors;

	if (h->signature == 0)
		return refuse(err, HIBIMG_NONE, "signature", HIBIMG_SIGNATURE, 0);
	if (h->signature != HIBIMG_SIGNATURE)
		return refuse(err, HIBIMG_ERR_SIGNATURE, "signature",
			      HIBIMG_SIGNATURE, h->signature);
	if (h->version != HIBIMG_VERSION)
		return refuse(err, HIBIMG_ERR_VERSION, "version", HIBIMG_VERSION,
			      h->version);
	if (h->header_size != sizeof(*h))
		return refuse(err, HIBIMG_ERR_SIGNATURE, "header_size", sizeof(*h),
			      h->header_size);
	if (h->header_crc != header_crc(h))
		return refuse(err, HIBIMG_ERR_SIGNATURE, "header_crc", h->header_crc,
			      header_crc(h));
	for (size_t i = sizeof(*h); i < PAGE_SIZE; i++)
		if (bytes[i])
			return refuse(err, HIBIMG_ERR_SIGNATURE, "header_padding", 0, i);
	if (h->image_sector != HIBIMG_IMAGE_SECTOR)
		return refuse(err, HIBIMG_ERR_SIGNATURE, "image_sector",
			      HIBIMG_IMAGE_SECTOR, h->image_sector);
	if (h->kernel_build != e->kernel_build)
		return refuse(err, HIBIMG_ERR_KERNEL, "kernel_build", e->kernel_build,
			      h->kernel_build);
	if (h->resume_entry != e->resume_entry)
		return refuse(err, HIBIMG_ERR_KERNEL, "resume_entry", e->resume_entry,
			      h->resume_entry);
	if (h->memmap_fingerprint != e->memmap_fingerprint)
		return refuse(err, HIBIMG_ERR_MEMMAP, "memmap_fingerprint",
			      e->memmap_fingerprint, h->memmap_fingerprint);
	if (h->dimms != e->dimms)
		return refuse(err, HIBIMG_ERR_MEMMAP, "dimms", e->dimms, h->dimms);
	if (h->image_pages == 0 || h->image_pages > SNAPIMG_MAX_PAGES)
		return refuse(err, HIBIMG_ERR_SIGNATURE, "image_pages", 0, h->image_pages);
	sectors = HIBIMG_IMAGE_SECTOR + h->image_pages * HIBIMG_SECTORS_PER_PAGE;
	if (sectors > e->disk_sectors)
		return refuse(err, HIBIMG_ERR_TRUNCATED, "disk_sectors", sectors,
			      e->disk_sectors);
	return HIBIMG_OK;
}

int hibimg_check_image_header(const void *snap_page, const struct hibimg_header *h,
			      struct snapimg_layout *layout, struct hibimg_error *err)
{
	const struct snapimg_header *sh = snap_page;
	struct snapimg_header c = *sh;
	const uint8_t *bytes = snap_page;

	if (sh->magic != SNAPIMG_MAGIC)
		return refuse(err, HIBIMG_ERR_SIGNATURE, "image_magic", SNAPIMG_MAGIC,
			      sh->magic);
	if (sh->version != SNAPIMG_VERSION)
		return refuse(err, HIBIMG_ERR_VERSION, "image_version", SNAPIMG_VERSION,
			      sh->version);
	if (sh->header_size != sizeof(*sh) || sh->page_size != PAGE_SIZE)
		return refuse(err, HIBIMG_ERR_SIGNATURE, "image_header_size",
			      sizeof(*sh), sh->header_size);
	c.header_crc = 0;
	{
		/* The CRC covers the whole page with the field as 0. */
		uint32_t crc = crc32c(0, &c, sizeof(c));

		crc = crc32c(crc, bytes + sizeof(c), PAGE_SIZE - sizeof(c));
		if (crc != sh->header_crc)
			return refuse(err, HIBIMG_ERR_SIGNATURE, "image_header_crc",
				      sh->header_crc, crc);
	}
	if (sh->header_crc != h->snapimg_header_crc)
		return refuse(err, HIBIMG_ERR_SIGNATURE, "snapimg_header_crc",
			      h->snapimg_header_crc, sh->header_crc);
	if (sh->nr_pages != h->nr_pages || sh->image_pages != h->image_pages ||
	    sh->memmap_fingerprint != h->memmap_fingerprint)
		return refuse(err, HIBIMG_ERR_SIGNATURE, "image_nr_pages", h->nr_pages,
			      sh->nr_pages);
	if (!snapimg_layout(sh->nr_pages, layout) ||
	    layout->image_pages != sh->image_pages)
		return refuse(err, HIBIMG_ERR_SIGNATURE, "image_pages",
			      layout->image_pages, sh->image_pages);
	return HIBIMG_OK;
}

int hibimg_check_pfns(const struct snapimg_header *sh,
		      const struct snapimg_layout *layout,
		      const uint64_t *const *pfn_pages,
		      bool (*present)(void *ctx, uint64_t pfn), void *ctx,
		      struct hibimg_error *err)
{
	uint64_t last = 0, crc = 0;

	for (uint64_t p = 0; p < layout->pfn_list_pages; p++) {
		const uint64_t *page = pfn_pages[p];

		for (uint64_t j = 0; j < SNAPIMG_PFNS_PER_PAGE; j++) {
			uint64_t i = p * SNAPIMG_PFNS_PER_PAGE + j, pfn = page[j];

			if (i >= layout->nr_pages) {
				if (pfn)
					return refuse(err, HIBIMG_ERR_PFN, "pfn_list_tail", 0, pfn);
				continue;
			}
			if (pfn >= SNAPIMG_PFN_LIMIT || (i > 0 && pfn <= last))
				return refuse(err, HIBIMG_ERR_PFN, "pfn_list_order", last + 1, pfn);
			if (!present(ctx, pfn))
				return refuse(err, HIBIMG_ERR_PFN, "pfn_not_ram", i, pfn);
			last = pfn;
		}
		crc = crc32c((uint32_t)crc, page, PAGE_SIZE);
	}
	if ((uint32_t)crc != sh->pfn_list_crc)
		return refuse(err, HIBIMG_ERR_PFN, "pfn_list_crc", sh->pfn_list_crc, crc);
	return HIBIMG_OK;
}

int hibimg_from_snapimg(enum snapimg_status st)
{
	switch (st) {
	case SNAPIMG_OK:           return HIBIMG_OK;
	case SNAPIMG_ERR_TRUNCATE: return HIBIMG_ERR_TRUNCATED;
	case SNAPIMG_ERR_VERSION:  return HIBIMG_ERR_VERSION;
	case SNAPIMG_ERR_MEMMAP:   return HIBIMG_ERR_MEMMAP;
	case SNAPIMG_ERR_PFN:      return HIBIMG_ERR_PFN;
	case SNAPIMG_ERR_DATA:     return HIBIMG_ERR_DATA;
	default:                   return HIBIMG_ERR_SIGNATURE;
	}
}
