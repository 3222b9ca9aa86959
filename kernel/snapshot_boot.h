/*
 * snapshot_boot.h: an in-memory hibernation inside one boot.
 *
 * A workload of pages gets deterministic contents and a recorded CRC per
 * page. The snapshot walks the "to save" page-flag map in pfn order and
 * copies every page into an image (kernel/portable/snapimg.h) built in frames taken
 * for it. The workload is then scrambled, as if power had been lost, and
 * the restore validates the whole image before it writes a single page
 * back, then checks every page against its recorded CRC.
 *
 * Which pages play which part is kept only in page-flag maps
 * (pageflags/pageflags.h), never in per-page fields:
 *   to_save    the pageset: the workload's pfns;
 *   safe       free frames taken to hold the image, each checked not to be
 *              a page to save;
 *   forbidden  the frames the image and its bookkeeping occupy: never saved,
 *              never written by a restore.
 * docs/snapshot.md explains the cycle, the image and the maps.
 *
 * Every function that takes memory gives all of it back on failure; the
 * frame allocator's counters prove it in the tests.
 *
 * At boot, kmain runs the whole cycle once as a step of its own,
 * snapshot_boot(), right after the page flags; the suite "snapshot" reads
 * what it did from snapshot_boot_result(). The shell's `snapshot` and
 * `restore` commands call the same functions one by one.
 */
#ifndef DYNFLAGS_SNAPSHOT_H
#define DYNFLAGS_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/portable/memmap.h"
#include "kernel/portable/snapimg.h"
#include "pageflags/pageflags.h"

/* The damage the option snapshot_corrupt=KIND asks for (kernel/options.c
 * names them: none, data, pfn, truncate, magic, memmap). */
enum snapshot_corrupt_kind {
	CORRUPT_NONE, CORRUPT_DATA, CORRUPT_PFN, CORRUPT_TRUNCATE,
	CORRUPT_MAGIC, CORRUPT_MEMMAP,
};

enum snapshot_error {
	SNAPSHOT_OK = 0,
	SNAPSHOT_ERR_NO_MEMORY = -1,  /* a frame or a map page was refused */
	SNAPSHOT_ERR_OVERLAP = -2,    /* a page to save is one the image uses */
	SNAPSHOT_ERR_IMAGE = -3,      /* the image writer refused a page */
	SNAPSHOT_ERR_EMPTY = -4,      /* nothing to save */
};

/* "ok", "no-memory", "overlap", "image", "empty". */
const char *snapshot_strerror(int err);

/* The pages to save, with what they must hold. */
struct snapshot_workload {
	uint64_t nr_pages;
	uint64_t seed;
	struct pageflags *to_save;   /* the workload's pfns */
	uint32_t *crcs;              /* crcs[i]: CRC-32C of the i-th page in pfn order */
	uint64_t crc_pages;          /* contiguous frames holding crcs[] */
};

/*
 * Take nr_pages frames from the frame allocator, mark them in a new
 * to_save map, fill each with bytes derived from `seed` and its pfn, and
 * record its CRC. Returns SNAPSHOT_OK, or SNAPSHOT_ERR_NO_MEMORY with
 * every frame given back and *w empty (no map, no pages); *stage names the step
 * that failed. An empty workload has no pages: it verifies 0 of 0, and
 * destroying it does nothing.
 */
int workload_create(struct snapshot_workload *w, uint64_t nr_pages,
		    uint64_t seed, const char **stage);
void workload_destroy(struct snapshot_workload *w);

/* How many workload pages hold exactly what workload_create() put there. */
uint64_t workload_verify(struct snapshot_workload *w);

/* Overwrite every workload page with poison (a pattern naming its pfn). */
void workload_scramble(struct snapshot_workload *w);

/* Does every workload page still hold exactly its poison? */
bool workload_is_poison(struct snapshot_workload *w);

/* An image in frames, and the maps saying which frames those are. */
struct snapshot_image {
	struct pageflags *safe;
	struct pageflags *forbidden;
	void **index;                /* frame_alloc_scattered(): frame i / 512 holds,
					at i % 512, the address of image page i */
	uint64_t index_pages;        /* frames of addresses in index[] */
	struct snapimg_pages pages;  /* the image, through the index */
	struct snapimg_layout layout;
	uint64_t cycles;             /* TSC cycles of the whole snapshot */
	uint64_t copy_cycles;        /* ... of which walking and copying pages */
};

/*
 * Snapshot every page of w->to_save into *img, with the memory map
 * fingerprint `fingerprint`. Returns SNAPSHOT_OK, or an error with every
 * frame and map page taken given back (*img is then empty); *stage names
 * the step that failed ("maps", "safe_pages", "index", "image").
 */
int snapshot_take(struct snapshot_image *img, struct snapshot_workload *w,
		  uint64_t fingerprint, const char **stage);

/* Give back every frame and map page of the image. */
void snapshot_release(struct snapshot_image *img);

/*
 * Validate the image against this machine (memory map fingerprint
 * `fingerprint`; every pfn valid, RAM, and not forbidden), and only if it
 * passes, copy every page back to its pfn. Returns SNAPIMG_OK, or the
 * refusal with details in *err, having written nothing. *cycles is the
 * time taken either way.
 */
enum snapimg_status snapshot_restore(struct snapshot_image *img,
				     uint64_t fingerprint,
				     struct snapimg_error *err,
				     uint64_t *cycles);

/*
 * Damage the image as the option snapshot_corrupt=KIND does (corrupt is an
 * enum snapshot_corrupt_kind): data, pfn and truncate hit the middle data
 * page, its pfn list entry or the image's end, magic the header. For
 * memmap the image is left alone and the fingerprint of a memory map with
 * one more page of RAM is returned instead. Returns the fingerprint the
 * restore must then be given.
 */
uint64_t snapshot_damage(struct snapshot_image *img, uint32_t corrupt,
			 uint64_t fingerprint);

/* What a restore must say after snapshot_damage(corrupt): SNAPIMG_OK for
 * CORRUPT_NONE, else the refusal that damage must draw. */
enum snapimg_status snapshot_expected_refusal(uint32_t corrupt);

/*
 * A fingerprint of the normalised memory map: CRC-32C over every range
 * (start, end, type) in the low 32 bits, the number of ranges above.
 * extra_top_bytes is added to the end of the highest RAM range first,
 * to stand for a machine that has that much more memory.
 */
uint64_t snapshot_memmap_fingerprint(const struct memmap *map,
				     uint64_t extra_top_bytes);

/*
 * The whole cycle, printing the report lines (docs/report-format.md):
 * workload, snapshot, bandwidth, damage (corrupt = enum
 * snapshot_corrupt_kind), scramble, restore, verify, give back. With
 * fail_nth != 0, frame allocation failures are injected (frame.h) from the
 * start of the snapshot on, and the snapshot must abort cleanly.
 */
struct snapshot_cycle {
	int error;                   /* snapshot_error of the workload or snapshot */
	const char *stage;           /* where it stopped, or NULL */
	uint64_t nr_pages;
	uint64_t image_bytes;
	uint64_t snapshot_cycles;
	uint64_t restore_cycles;
	uint64_t verified;           /* pages matching their CRC at the end */
	enum snapimg_status refused; /* SNAPIMG_OK when the restore went ahead */
	struct snapimg_error why;
	bool ram_unchanged;          /* after a refusal: every page still poison */
	uint64_t frames_leaked;      /* frames in use after minus before */
};

void snapshot_cycle(uint64_t bytes, uint32_t corrupt, uint64_t fail_nth,
		    bool fail_every, struct snapshot_cycle *out);

/* What the boot step did, for the suite "snapshot" to check. */
struct snapshot_result {
	bool ran;                    /* false until the step ran, or with bytes 0 */
	uint64_t bytes;              /* the arguments it was given */
	uint32_t corrupt;
	uint64_t fail_nth;
	bool fail_every;
	struct snapshot_cycle cycle; /* what snapshot_cycle() found */
	const char *problem;         /* why the step failed the boot, or NULL */
};

/*
 * The boot step: with bytes != 0, snapshot_cycle(bytes, corrupt, fail_nth,
 * fail_every), printing its report lines, and the result recorded for
 * snapshot_boot_result(). bytes == 0 skips it silently. The step fails
 * (a "# snapshot-error:" line, and 1 is returned) when a frame leaked,
 * the restore refused an image it was not asked to damage or accepted
 * one it was, a refused restore changed RAM, a restored page does not
 * match its CRC, or the snapshot stopped for any reason but a lack of
 * memory. Running out of memory (injected by fail_alloc, or a machine too
 * small for the size) ends the step cleanly and is not a failure.
 * Returns the number of boot errors: 0 or 1.
 */
int snapshot_boot(uint64_t bytes, uint32_t corrupt, uint64_t fail_nth,
		  bool fail_every);

/* The last run of snapshot_boot() (all zero before it). */
const struct snapshot_result *snapshot_boot_result(void);

#endif
