/*
 * snapimg.h: the snapshot image format, its builder and its validator.
 *
 * A snapshot image is a sequence of 4 KiB image pages:
 *
 *   image page 0           header (struct snapimg_header, rest of page zero)
 *   1 .. P                 pfn list: one uint64_t pfn per saved page,
 *                          strictly ascending, 512 per page, tail zero
 *   P+1 .. P+N             data: the saved pages, in pfn-list order
 *   P+N+1 .. P+N+C         page CRCs: one CRC-32C per data page,
 *                          1024 per page, tail zero
 *
 * with N = nr_pages, P = ceil(N / 512) and C = ceil(N / 1024). Every byte is
 * under a checksum: the header page under header_crc, the pfn list pages
 * under pfn_list_crc, the CRC pages under crc_list_crc (those two are in the
 * header), and each data page under its own CRC.
 *
 * The image pages need not be contiguous: they are reached through a
 * struct snapimg_pages, whose page() callback returns image page i. In the
 * kernel they are scattered frames; on the host, an array or a flat buffer.
 *
 * The validator is portable too. What it must know of the machine it
 * restores on comes in a struct snapimg_machine: the fingerprint of the
 * current memory map, and a callback saying whether a pfn is valid and
 * present now. It checks everything before a restore touches a byte of RAM
 * and, when it refuses, says which check failed, on which field, list
 * entry, pfn and value (struct snapimg_error).
 *
 * All fields are little-endian, as the x86_64 kernel and host store them.
 * Units: "pages" are 4 KiB pages; indexes into the pfn list are data page
 * numbers (0 .. nr_pages-1); "image pages" count every page of the image.
 */
#ifndef DYNFLAGS_SNAPIMG_H
#define DYNFLAGS_SNAPIMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pageflags/page.h"

#define SNAPIMG_MAGIC          0x50414e53464e5944ull   /* "DYNFSNAP" in memory */
#define SNAPIMG_VERSION        1u
#define SNAPIMG_PFNS_PER_PAGE  (PAGE_SIZE / sizeof(uint64_t))   /* 512 */
#define SNAPIMG_CRCS_PER_PAGE  (PAGE_SIZE / sizeof(uint32_t))   /* 1024 */
/* pfns are below 2^40: 52-bit physical addresses, the x86_64 limit. */
#define SNAPIMG_PFN_LIMIT      (1ull << (52 - 12))
/* At most one saved page per possible pfn. */
#define SNAPIMG_MAX_PAGES      SNAPIMG_PFN_LIMIT
#define SNAPIMG_NO_PFN         (~0ull)   /* struct snapimg_error: no pfn involved */

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the image format is little-endian");

/* The first bytes of image page 0. Everything after it in the page is 0. */
struct snapimg_header {
	uint64_t magic;               /* SNAPIMG_MAGIC */
	uint32_t version;             /* SNAPIMG_VERSION */
	uint32_t header_size;         /* sizeof(struct snapimg_header) */
	uint32_t page_size;           /* PAGE_SIZE */
	uint32_t header_crc;          /* CRC-32C of image page 0, this field as 0 */
	uint64_t nr_pages;            /* saved pages = pfn list entries = CRCs */
	uint64_t image_pages;         /* pages of the whole image, header included */
	uint64_t memmap_fingerprint;  /* of the memory map the image was taken on */
	uint32_t pfn_list_crc;        /* CRC-32C of all pfn list pages */
	uint32_t crc_list_crc;        /* CRC-32C of all page-CRC pages */
	uint64_t reserved[2];         /* 0 */
};

/* Where each part of an image of nr_pages saved pages lies, in image pages. */
struct snapimg_layout {
	uint64_t nr_pages;
	uint64_t pfn_list_first, pfn_list_pages;
	uint64_t data_first;
	uint64_t crc_list_first, crc_list_pages;
	uint64_t image_pages;         /* total */
};

/*
 * The image's pages. page(ctx, i) returns image page i (4 KiB, any
 * alignment) for i < nr_image_pages, or NULL if that page is missing.
 * The container may hold more pages than the image needs; the rest are
 * ignored. Fewer makes the image truncated.
 */
struct snapimg_pages {
	uint64_t nr_image_pages;
	void *(*page)(void *ctx, uint64_t index);
	void *ctx;
};

/* What the validator needs to know about the machine it restores on. */
struct snapimg_machine {
	uint64_t memmap_fingerprint;
	/* Is `pfn` valid and present (backed by RAM) on this machine now? */
	bool (*pfn_present)(void *ctx, uint64_t pfn);
	void *ctx;
};

/* Why an image was refused: 0 or a negative value; snapimg_strerror()
 * gives the report name. */
enum snapimg_status {
	SNAPIMG_OK = 0,
	SNAPIMG_ERR_TRUNCATE = -1,  /* "truncate": fewer image pages than the header needs */
	SNAPIMG_ERR_MAGIC = -2,     /* "magic" */
	SNAPIMG_ERR_VERSION = -3,   /* "version" */
	SNAPIMG_ERR_HEADER = -4,    /* "header": a header field is impossible */
	SNAPIMG_ERR_CHECKSUM = -5,  /* "checksum": the header's own CRC disagrees */
	SNAPIMG_ERR_MEMMAP = -6,    /* "memmap": taken on another memory map */
	SNAPIMG_ERR_PFN = -7,       /* "pfn": a pfn list entry, or the list's CRC */
	SNAPIMG_ERR_DATA = -8,      /* "data": a data page's CRC, or the CRC list's */
	SNAPIMG_ERR_USAGE = -9,     /* "usage": the builder was called wrongly */
};

/*
 * The details of a refusal. `field` names the header field or list at
 * fault ("magic", "version", "header_size", "page_size", "header_crc",
 * "nr_pages", "image_pages", "reserved", "header_padding",
 * "memmap_fingerprint", "pfn_list", "pfn_list_crc", "page_crc",
 * "crc_list_crc"); `problem` says what is wrong with it in a word
 * "short", "missing_page"). `index` is the data page number for a list
 * entry or data page (with `pfn` its pfn, when known), the image page
 * number for a missing page, the byte offset for header_padding, and 0
 * otherwise; `pfn` is SNAPIMG_NO_PFN when no pfn is involved. `expected` is
 * what the check required (for a CRC: the stored one) and `found` what it
 * saw (for a CRC: the recomputed one).
 */
struct snapimg_error {
	enum snapimg_status status;
	const char *field;
	const char *problem;
	uint64_t index;
	uint64_t pfn;
	uint64_t expected;
	uint64_t found;
};

/* "ok", "truncate", "magic", ... for a status. */
const char *snapimg_strerror(enum snapimg_status status);

/*
 * The layout of an image of nr_pages saved pages. Returns false (and leaves
 * *layout alone) if nr_pages exceeds SNAPIMG_MAX_PAGES.
 */
bool snapimg_layout(uint64_t nr_pages, struct snapimg_layout *layout);

/*
 * Check `image` completely against `machine`, in this order, and stop at
 * the first problem:
 *   1. the header page is there (truncate);
 *   2. magic (magic), version (version);
 *   3. header_size, page_size (header); header_crc (checksum);
 *   4. reserved fields and page 0 after the header are zero, nr_pages is
 *      possible and image_pages matches its layout (header);
 *   5. every image page the layout needs is there (truncate);
 *   6. memmap_fingerprint equals the machine's (memmap);
 *   7. each pfn is below SNAPIMG_PFN_LIMIT, above the one before it and
 *      present on the machine, the list's tail is zero, then pfn_list_crc
 *      (pfn) -- entries first, so a bad entry is named, not just the list;
 *   8. the CRC list's tail is zero and crc_list_crc (data);
 *   9. each data page against its CRC (data).
 * Returns SNAPIMG_OK and fills *layout (if not NULL), or the status of the
 * first failed check with its details in *err (if not NULL).
 */
enum snapimg_status snapimg_validate(const struct snapimg_pages *image,
				     const struct snapimg_machine *machine,
				     struct snapimg_layout *layout,
				     struct snapimg_error *err);

/*
 * Reading a validated image: the pfn of data page i, and its contents.
 * Only for an image snapimg_validate() accepted, with its layout.
 */
uint64_t snapimg_pfn(const struct snapimg_pages *image,
		     const struct snapimg_layout *layout, uint64_t i);
const void *snapimg_data(const struct snapimg_pages *image,
			 const struct snapimg_layout *layout, uint64_t i);

/*
 * Building an image: start, add each saved page in ascending pfn order,
 * finish. The container must hold at least the layout's image_pages.
 * add() copies the page into the image and checksums it; finish() writes
 * the list CRCs and the header last, so an image is never valid before it
 * is whole. Each returns SNAPIMG_OK or the reason it cannot go on.
 */
struct snapimg_writer {
	const struct snapimg_pages *image;
	struct snapimg_layout layout;
	uint64_t memmap_fingerprint;
	uint64_t nr_added;            /* data pages written so far */
	uint64_t last_pfn;            /* of the last page added */
};

enum snapimg_status snapimg_writer_start(struct snapimg_writer *w,
					 const struct snapimg_pages *image,
					 uint64_t nr_pages,
					 uint64_t memmap_fingerprint);
enum snapimg_status snapimg_writer_add(struct snapimg_writer *w, uint64_t pfn,
				       const void *data);
enum snapimg_status snapimg_writer_finish(struct snapimg_writer *w);

/*
 * Damaging an image on purpose, so tests and the kernel's snapshot_corrupt
 * option can prove the validator refuses it. Each kind changes the image
 * the way its name says, at data page `index` (taken modulo nr_pages):
 *   DATA      flip one bit in the middle of that data page;
 *   PFN       replace that pfn list entry by one beyond SNAPIMG_PFN_LIMIT;
 *   TRUNCATE  drop the image's last page (nr_image_pages shrinks);
 *   MAGIC     flip one bit of the magic.
 * ("A changed memory map" is a property of the restoring machine, not of
 * the image: give the validator a different fingerprint.) Returns false if
 * the image is too small or empty for that kind.
 */
enum snapimg_damage_kind {
	SNAPIMG_DAMAGE_DATA, SNAPIMG_DAMAGE_PFN, SNAPIMG_DAMAGE_TRUNCATE,
	SNAPIMG_DAMAGE_MAGIC,
};
bool snapimg_damage(struct snapimg_pages *image, enum snapimg_damage_kind kind,
		    uint64_t index);

#endif
