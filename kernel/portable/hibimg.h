/*
 * hibimg.h: the hibernation disk header, and the checks a resume makes
 * before it loads a single data page.
 *
 * The disk holds, in 512-byte sectors:
 *
 *   0 .. 7        this header (struct hibimg_header, rest of the 4 KiB zero)
 *   8 ..          a snapshot image (snapimg.h): header page, pfn list,
 *                 data pages, page CRCs; image page i at sector 8 + 8 i
 *
 * The header's signature is written last, after every other sector and a
 * flush, and a resume clears it before it loads any data page, so a
 * half-written image is never taken for a whole one and a resume that
 * fails never comes back. What the header binds the image to:
 *   kernel_build        a hash of the kernel's text and read-only data
 *                       (the image is only meaningful to the same kernel);
 *   memmap_fingerprint  the normalised memory map (the same RAM);
 *   dimms               the DIMMs present (memory hotplug): HIBIMG_DIMMS,
 *                       their count and a CRC-32C over each one's slot,
 *                       start, end and node; 0 without DIMMs;
 *   resume_entry        where the saved kernel continues;
 *   snapimg_header_crc  the image's own header CRC (the two belong together).
 *
 * Portable: only freestanding headers and snapimg.h; host-tested.
 */
#ifndef DYNFLAGS_HIBIMG_H
#define DYNFLAGS_HIBIMG_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/portable/snapimg.h"

#define HIBIMG_SIGNATURE     0x52424948464e5944ull   /* "DYNFHIBR" in memory */
#define HIBIMG_VERSION       1u
#define HIBIMG_IMAGE_SECTOR  8u                      /* the snapimg image's first sector */
#define HIBIMG_SECTOR        512u
#define HIBIMG_SECTORS_PER_PAGE (PAGE_SIZE / HIBIMG_SECTOR)

/* The header's dimms field: count in bits 63..32, the CRC in 31..0; 0 for none. */
#define HIBIMG_DIMMS(count, crc) \
	((count) ? (uint64_t)(count) << 32 | (uint32_t)(crc) : (uint64_t)0)

struct hibimg_header {
	uint64_t signature;           /* HIBIMG_SIGNATURE, or 0: no image */
	uint32_t version;             /* HIBIMG_VERSION */
	uint32_t header_size;         /* sizeof(struct hibimg_header) */
	uint64_t kernel_build;
	uint64_t memmap_fingerprint;
	uint64_t dimms;
	uint64_t image_sector;        /* HIBIMG_IMAGE_SECTOR */
	uint64_t image_pages;         /* the snapimg image's pages */
	uint64_t nr_pages;            /* saved pages */
	uint64_t resume_entry;
	uint64_t generation;          /* resumes so far, when it was written */
	uint32_t snapimg_header_crc;
	uint32_t header_crc;          /* CRC-32C of the struct, this field 0 */
};

/* What the header must match on this boot. */
struct hibimg_expect {
	uint64_t kernel_build;
	uint64_t memmap_fingerprint;
	uint64_t dimms;
	uint64_t resume_entry;
	uint64_t disk_sectors;        /* the disk's capacity */
};

/* The kinds of refusal, as report lines name them (hibimg_strerror). */
enum hibimg_status {
	HIBIMG_OK = 0,
	HIBIMG_NONE = -1,             /* "none": no signature, no image */
	HIBIMG_ERR_SIGNATURE = -2,    /* "signature": a wrong signature, or a
	                                 header (either one) that is damaged */
	HIBIMG_ERR_VERSION = -3,      /* "version" */
	HIBIMG_ERR_KERNEL = -4,       /* "kernel": another kernel build */
	HIBIMG_ERR_MEMMAP = -5,       /* "memmap": other RAM, or other DIMMs */
	HIBIMG_ERR_PFN = -6,          /* "pfn" */
	HIBIMG_ERR_DATA = -7,         /* "data" */
	HIBIMG_ERR_TRUNCATED = -8,    /* "truncated": the disk ends first */
	HIBIMG_ERR_IO = -9,           /* "io": reading or clearing failed */
	HIBIMG_ERR_NOMEM = -10,       /* "no-memory": no frames for the load */
};

const char *hibimg_strerror(int status);

/* A refusal: the kind, and in `detail` the field or check at fault. */
struct hibimg_error {
	int status;
	const char *detail;
	uint64_t expected, found;
};

/* Fill header_crc. */
void hibimg_seal(struct hibimg_header *h);

/*
 * Check a header read from sector 0 (`page`: 4 KiB) against `expect`:
 * signature 0 -> NONE; other signature, header_crc, header_size or
 * image_sector -> SIGNATURE; version; kernel_build and resume_entry ->
 * KERNEL; memmap_fingerprint and dimms -> MEMMAP; an image longer than
 * the disk -> TRUNCATED; the rest of the page not zero -> SIGNATURE.
 */
int hibimg_check(const void *page, const struct hibimg_expect *expect,
		 struct hibimg_error *err);

/*
 * Check the snapimg header page (image page 0) against the disk header,
 * and the pfn list pages (pfn_pages[0 .. layout.pfn_list_pages)) against
 * it: entries strictly ascending, below SNAPIMG_PFN_LIMIT, present on
 * this machine, the tail zero, and pfn_list_crc. Before a single data page
 * is read. Fills *layout. SIGNATURE for a bad image header, PFN otherwise.
 */
int hibimg_check_image_header(const void *snap_page, const struct hibimg_header *h,
			      struct snapimg_layout *layout, struct hibimg_error *err);
int hibimg_check_pfns(const struct snapimg_header *sh,
		      const struct snapimg_layout *layout,
		      const uint64_t *const *pfn_pages,
		      bool (*present)(void *ctx, uint64_t pfn), void *ctx,
		      struct hibimg_error *err);

/* The hibernation kind of a snapimg_validate() refusal. */
int hibimg_from_snapimg(enum snapimg_status st);

#endif
