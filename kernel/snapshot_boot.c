/*
 * snapshot_boot.c: snapshot, scramble and restore a workload (see snapshot_boot.h).
 *
 * The frames:
 *
 *   workload       nr_pages frames from frame_alloc(), one at a time, so
 *                  they lie wherever the allocator hands frames out; their
 *                  pfns are the to_save map. Their CRCs live in crcs[], in
 *                  pfn order, in a few contiguous frames of bookkeeping.
 *   image          layout.image_pages frames, first taken into the safe
 *                  map, then used in pfn order as image pages 0, 1, ...
 *   index          the address of image page i, so that the image can be
 *                  read in any order: frames of 512 addresses, from
 *                  frame_alloc_scattered(), so that no long free run is
 *                  needed however big the image (1 GiB: 514 frames of
 *                  addresses and a directory of 2).
 *
 * The image frames, the index, the CRC array and the pages of the three
 * page-flag maps (to_save, safe, forbidden) are all in the forbidden map:
 * the snapshot refuses to save such a page and the restore refuses to
 * write one, so the image can never be saved into itself nor overwritten
 * while it is being read back, and no map can be written over while it
 * is being walked.
 *
 * Pages are reached through the identity map: a pfn's page is at address
 * pfn << PAGE_SHIFT, above 4 GiB too once paging has mapped all RAM.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/hotplug.h"
#include "kernel/portable/crc32c.h"
#include "kernel/pageflags_boot.h"
#include "kernel/frame.h"
#include "kernel/memory_boot.h"
#include "kernel/portable/sections.h"
#include "kernel/sections_boot.h"
#include "kernel/snapshot_boot.h"
#include "kernel/timing.h"
#include "kernel/x86.h"

#define POISON 0xdeadbeefdeadbeefull
#define WORKLOAD_GROUP_PAGES 64         /* the workload comes in runs of up to
					   this many frames (256 KiB) */

static void *pfn_to_page(uint64_t pfn)
{
	return (void *)(uintptr_t)(pfn << PAGE_SHIFT);
}

static uint64_t page_to_pfn(const void *page)
{
	return (uint64_t)(uintptr_t)page >> PAGE_SHIFT;
}

/* Addresses in one frame of the image's index. */
#define INDEX_ENTRIES (PAGE_SIZE / sizeof(uint64_t))

const char *snapshot_strerror(int err)
{
	switch (err) {
	case SNAPSHOT_OK:            return "ok";
	case SNAPSHOT_ERR_NO_MEMORY: return "no-memory";
	case SNAPSHOT_ERR_OVERLAP:   return "overlap";
	case SNAPSHOT_ERR_IMAGE:     return "image";
	case SNAPSHOT_ERR_EMPTY:     return "empty";
	}
	return "unknown";
}

/* Give back every frame whose pfn is set in `map` (NULL: none). */
static void free_marked_frames(struct pageflags *map)
{
	struct pageflags_iter it;
	uint64_t pfn;

	if (!map)
		return;
	pageflags_for_each_set(pfn, it, map)
		frame_free(pfn_to_page(pfn));
}

/* ----------------------------------------------------------- workload --- */

/* The 8-byte words of a workload page: xorshift64 from seed and pfn. */
static void workload_fill(uint64_t *page, uint64_t seed, uint64_t pfn)
{
	uint64_t x = (seed ^ (pfn * 0x9e3779b97f4a7c15ull)) | 1;

	for (size_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		page[i] = x;
	}
}

/*
 * The address of usable page number `n`, counting the usable pages of the
 * memory map from the bottom, then those of the online DIMMs (which no
 * firmware map holds): n below memmap_pages(map, MEM_USABLE) +
 * hotplug_online_pages().
 */
static uint64_t nth_usable_page(const struct memmap *map, uint64_t n)
{
	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		const struct mem_range *r = &map->ranges[i];
		uint64_t pages = (r->end - r->start) >> PAGE_SHIFT;

		if (r->type != MEM_USABLE)
			continue;
		if (n < pages)
			return r->start + (n << PAGE_SHIFT);
		n -= pages;
	}
	return hotplug_nth_online_page(n);
}

int workload_create(struct snapshot_workload *w, uint64_t nr_pages,
		    uint64_t seed, const char **stage)
{
	struct pageflags_iter it;
	uint64_t pfn, i = 0, usable;

	memset(w, 0, sizeof(*w));
	w->seed = seed;
	*stage = "maps";
	if (flags_create(&w->to_save, PAGEFLAGS_PRESENT_ONLY) < 0)
		return SNAPSHOT_ERR_NO_MEMORY;
	*stage = "workload";
	/* The CRC table first: it needs contiguous frames, and the workload,
	 * spread over all usable RAM, leaves few long free runs behind it. */
	w->crc_pages = div_round_up(nr_pages * sizeof(uint32_t), PAGE_SIZE);
	w->crcs = w->crc_pages ? frame_alloc_pages(w->crc_pages) : NULL;
	if (w->crc_pages && !w->crcs) {
		workload_destroy(w);
		return SNAPSHOT_ERR_NO_MEMORY;
	}
	usable = memmap_pages(memmap_get(), MEM_USABLE) + hotplug_online_pages();
	for (; w->nr_pages < nr_pages; w->nr_pages++) {
		/* Page i is asked for at usable page i * usable / nr_pages,
		 * rounded down to a group of WORKLOAD_GROUP_PAGES, so the
		 * workload is spread evenly over all usable RAM, holes skipped,
		 * above 4 GiB too, in runs, as memory in use is. It leaves
		 * only short free runs: what must be contiguous is taken
		 * before it (the CRC table) or is small (the image's index
		 * directory). */
		uint64_t n = w->nr_pages * usable / nr_pages;
		void *page = frame_alloc_from(nth_usable_page(memmap_get(),
							      n - n % WORKLOAD_GROUP_PAGES));

		if (!page || pageflags_set(w->to_save, page_to_pfn(page)) < 0) {
			frame_free(page);
			workload_destroy(w);
			return SNAPSHOT_ERR_NO_MEMORY;
		}
	}
	pageflags_for_each_set(pfn, it, w->to_save) {
		workload_fill(pfn_to_page(pfn), seed, pfn);
		w->crcs[i++] = crc32c(0, pfn_to_page(pfn), PAGE_SIZE);
	}
	*stage = NULL;
	return SNAPSHOT_OK;
}

void workload_destroy(struct snapshot_workload *w)
{
	free_marked_frames(w->to_save);
	pageflags_destroy(w->to_save);
	frame_free_pages(w->crcs, w->crc_pages);
	memset(w, 0, sizeof(*w));
}

uint64_t workload_verify(struct snapshot_workload *w)
{
	struct pageflags_iter it;
	uint64_t pfn, i = 0, good = 0;

	if (!w->to_save)
		return 0;               /* an empty workload */
	pageflags_for_each_set(pfn, it, w->to_save)
		good += crc32c(0, pfn_to_page(pfn), PAGE_SIZE) == w->crcs[i++];
	return good;
}

void workload_scramble(struct snapshot_workload *w)
{
	struct pageflags_iter it;
	uint64_t pfn;

	pageflags_for_each_set(pfn, it, w->to_save) {
		uint64_t *page = pfn_to_page(pfn);

		for (size_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++)
			page[i] = POISON ^ pfn;
	}
}

bool workload_is_poison(struct snapshot_workload *w)
{
	struct pageflags_iter it;
	uint64_t pfn;

	pageflags_for_each_set(pfn, it, w->to_save) {
		const uint64_t *page = pfn_to_page(pfn);

		for (size_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++)
			if (page[i] != (POISON ^ pfn))
				return false;
	}
	return true;
}

/* ----------------------------------------------------------- snapshot --- */

/* Where the index keeps the address of image page i. */
static uint64_t *index_entry(const struct snapshot_image *img, uint64_t i)
{
	uint64_t *frame = img->index[i / INDEX_ENTRIES];

	return &frame[i % INDEX_ENTRIES];
}

static void *image_page(void *ctx, uint64_t i)
{
	return (void *)(uintptr_t)*index_entry(ctx, i);
}

/* Mark the nr pages from `start` as forbidden (through a cursor: a run
 * walks the tree once per leaf). SNAPSHOT_ERR_NO_MEMORY if a page is not
 * in the map. */
static int forbid(struct snapshot_image *img, const void *start, uint64_t nr)
{
	struct pageflags_cursor forbidden = pageflags_cursor_start(img->forbidden);

	for (uint64_t i = 0; i < nr; i++)
		if (pageflags_cursor_set(&forbidden, page_to_pfn(start) + i) < 0)
			return SNAPSHOT_ERR_NO_MEMORY;
	return SNAPSHOT_OK;
}

/* Forbid a run of a map's own pages; for pageflags_for_each_page(). */
static int forbid_run(void *ctx, void *pages, uint64_t nr_pages)
{
	return forbid(ctx, pages, nr_pages);
}

void snapshot_release(struct snapshot_image *img)
{
	free_marked_frames(img->safe);
	pageflags_destroy(img->safe);
	pageflags_destroy(img->forbidden);
	frame_free_scattered(img->index, img->index_pages);
	memset(img, 0, sizeof(*img));
}

/* Take nr frames that are not to be saved into img->safe. */
static int take_safe_pages(struct snapshot_image *img, struct pageflags *to_save,
			   uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++) {
		void *page = frame_alloc();

		if (!page)
			return SNAPSHOT_ERR_NO_MEMORY;
		/* A page to save handed out again is the allocator's bug: hands off. */
		if (pageflags_test(to_save, page_to_pfn(page)) != 0)
			return SNAPSHOT_ERR_OVERLAP;
		if (pageflags_set(img->safe, page_to_pfn(page)) < 0) {
			frame_free(page);
			return SNAPSHOT_ERR_NO_MEMORY;
		}
	}
	return SNAPSHOT_OK;
}

/* The image's index, empty, all of its frames forbidden. */
static int take_index(struct snapshot_image *img)
{
	int err;

	img->index_pages = div_round_up(img->layout.image_pages, INDEX_ENTRIES);
	img->index = frame_alloc_scattered(img->index_pages);
	if (!img->index)
		return SNAPSHOT_ERR_NO_MEMORY;
	err = forbid(img, img->index, frame_dir_pages(img->index_pages));
	for (uint64_t k = 0; !err && k < img->index_pages; k++)
		err = forbid(img, img->index[k], 1);
	return err;
}

/* Image page i is the i-th safe frame in pfn order; all become forbidden. */
static int lay_out_image(struct snapshot_image *img)
{
	struct pageflags_cursor forbidden = pageflags_cursor_start(img->forbidden);
	struct pageflags_iter it;
	uint64_t pfn, i = 0;

	pageflags_for_each_set(pfn, it, img->safe) {
		*index_entry(img, i++) = pfn << PAGE_SHIFT;
		if (pageflags_cursor_set(&forbidden, pfn) < 0)
			return SNAPSHOT_ERR_NO_MEMORY;
	}
	img->pages.nr_image_pages = i;
	img->pages.page = image_page;
	img->pages.ctx = img;
	return SNAPSHOT_OK;
}

/* Walk to_save in pfn order and write the image. */
static int write_image(struct snapshot_image *img, struct snapshot_workload *w,
		       uint64_t fingerprint)
{
	struct pageflags_cursor forbidden = pageflags_cursor_start(img->forbidden);
	struct snapimg_writer wr;
	struct pageflags_iter it;
	uint64_t pfn;

	if (snapimg_writer_start(&wr, &img->pages, w->nr_pages, fingerprint))
		return SNAPSHOT_ERR_IMAGE;
	pageflags_for_each_set(pfn, it, w->to_save) {
		if (pageflags_cursor_test(&forbidden, pfn) != 0)
			return SNAPSHOT_ERR_OVERLAP;
		if (snapimg_writer_add(&wr, pfn, pfn_to_page(pfn)))
			return SNAPSHOT_ERR_IMAGE;
	}
	return snapimg_writer_finish(&wr) ? SNAPSHOT_ERR_IMAGE : SNAPSHOT_OK;
}

int snapshot_take(struct snapshot_image *img, struct snapshot_workload *w,
		  uint64_t fingerprint, const char **stage)
{
	uint64_t start = rdtsc(), copy_start;
	int err = SNAPSHOT_ERR_NO_MEMORY;

	memset(img, 0, sizeof(*img));
	*stage = "maps";
	if (w->nr_pages == 0) {
		*stage = "workload";
		return SNAPSHOT_ERR_EMPTY;
	}
	if (!snapimg_layout(w->nr_pages, &img->layout) ||
	    flags_create(&img->safe, PAGEFLAGS_PRESENT_ONLY) < 0 ||
	    flags_create(&img->forbidden, PAGEFLAGS_PRESENT_ONLY) < 0)
		goto fail;
	/* The maps' own pages: never in the image, never restored onto. */
	if (pageflags_for_each_page(img->safe, forbid_run, img) ||
	    pageflags_for_each_page(img->forbidden, forbid_run, img) ||
	    pageflags_for_each_page(w->to_save, forbid_run, img))
		goto fail;

	*stage = "safe_pages";
	err = take_safe_pages(img, w->to_save, img->layout.image_pages);
	if (err)
		goto fail;

	*stage = "index";
	err = take_index(img);
	if (!err)
		err = forbid(img, w->crcs, w->crc_pages);
	if (err)
		goto fail;
	err = lay_out_image(img);
	if (err)
		goto fail;

	*stage = "image";
	copy_start = rdtsc();
	err = write_image(img, w, fingerprint);
	if (err)
		goto fail;
	img->copy_cycles = rdtsc() - copy_start;
	img->cycles = rdtsc() - start;
	*stage = NULL;
	return SNAPSHOT_OK;
fail:
	snapshot_release(img);
	return err;
}

/* ------------------------------------------------------------ restore --- */

/* A pfn the restore may write: valid, RAM in today's map or an online
 * DIMM, not the image's. */
static bool restorable(void *ctx, uint64_t pfn)
{
	struct snapshot_image *img = ctx;
	const struct mem_range *r = memmap_find(memmap_get(), pfn << PAGE_SHIFT);

	return pfn_valid(pfn) &&
	       ((r && mem_type_is_ram(r->type)) || hotplug_pfn_online(pfn)) &&
	       pageflags_test(img->forbidden, pfn) == 0;
}

enum snapimg_status snapshot_restore(struct snapshot_image *img,
				     uint64_t fingerprint,
				     struct snapimg_error *err,
				     uint64_t *cycles)
{
	const struct snapimg_machine machine = { fingerprint, restorable, img };
	uint64_t start = rdtsc();
	struct snapimg_layout l;
	enum snapimg_status st;

	st = snapimg_validate(&img->pages, &machine, &l, err);
	if (st == SNAPIMG_OK)
		for (uint64_t i = 0; i < l.nr_pages; i++)
			memcpy(pfn_to_page(snapimg_pfn(&img->pages, &l, i)),
			       snapimg_data(&img->pages, &l, i), PAGE_SIZE);
	*cycles = rdtsc() - start;
	return st;
}

/* --------------------------------------------------- memory map, time --- */

uint64_t snapshot_memmap_fingerprint(const struct memmap *map,
				     uint64_t extra_top_bytes)
{
	uint32_t crc = 0, top_ram = map->nr_ranges;

	for (uint32_t i = 0; i < map->nr_ranges; i++)
		if (mem_type_is_ram(map->ranges[i].type))
			top_ram = i;
	for (uint32_t i = 0; i < map->nr_ranges; i++) {
		struct mem_range r = map->ranges[i];

		if (i == top_ram)
			r.end += extra_top_bytes;
		crc = crc32c(crc, &r.start, sizeof(r.start));
		crc = crc32c(crc, &r.end, sizeof(r.end));
		crc = crc32c(crc, &r.type, sizeof(r.type));
	}
	return (uint64_t)map->nr_ranges << 32 | crc;
}

/* MiB/s for `bytes` in `cycles`, in whole MiB. */
static uint64_t mib_per_s(uint64_t bytes, uint64_t cycles)
{
	if (!cycles)
		return 0;
	/* bytes * hz / cycles / 2^20, without overflowing 64 bits */
	return (bytes >> 10) * (tsc_hz() / 1024) / cycles;
}

/* ------------------------------------------------------------- cycle --- */

/* Copy the workload again with memcpy alone: the same bytes, same frames. */
static uint64_t memcpy_cycles(struct snapshot_image *img)
{
	uint64_t start = rdtsc();

	for (uint64_t i = 0; i < img->layout.nr_pages; i++)
		memcpy((void *)snapimg_data(&img->pages, &img->layout, i),
		       pfn_to_page(snapimg_pfn(&img->pages, &img->layout, i)),
		       PAGE_SIZE);
	return rdtsc() - start;
}

static void report_bandwidth(struct snapshot_image *img)
{
	uint64_t hz = tsc_hz();           /* calibrates once */
	uint64_t bytes = img->layout.nr_pages * PAGE_SIZE;
	uint64_t copy = mib_per_s(bytes, img->copy_cycles);
	uint64_t base = mib_per_s(bytes, memcpy_cycles(img));
	uint64_t ratio_x100 = base ? copy * 100 / base : 0;

	kprintf("# snapshot-bandwidth: copy_mib_s=%llu memcpy_mib_s=%llu ratio=%llu.%02llu tsc_hz=%llu tsc_error_ppm=%llu crc32c=%s\n",
		(unsigned long long)copy, (unsigned long long)base,
		(unsigned long long)(ratio_x100 / 100),
		(unsigned long long)(ratio_x100 % 100),
		(unsigned long long)hz, (unsigned long long)tsc_hz_error_ppm(),
		crc32c_impl_name());
}

uint64_t snapshot_damage(struct snapshot_image *img, uint32_t corrupt,
			 uint64_t fingerprint)
{
	uint64_t middle = img->layout.nr_pages / 2;

	switch (corrupt) {
	case CORRUPT_DATA:
		snapimg_damage(&img->pages, SNAPIMG_DAMAGE_DATA, middle);
		break;
	case CORRUPT_PFN:
		snapimg_damage(&img->pages, SNAPIMG_DAMAGE_PFN, middle);
		break;
	case CORRUPT_TRUNCATE:
		snapimg_damage(&img->pages, SNAPIMG_DAMAGE_TRUNCATE, 0);
		break;
	case CORRUPT_MAGIC:
		snapimg_damage(&img->pages, SNAPIMG_DAMAGE_MAGIC, 0);
		break;
	case CORRUPT_MEMMAP:
		return snapshot_memmap_fingerprint(memmap_get(), PAGE_SIZE);
	}
	return fingerprint;
}

static void report_refusal(const struct snapshot_cycle *c)
{
	const struct snapimg_error *e = &c->why;

	kprintf("# restore: refused reason=%s field=%s problem=%s index=%llu",
		snapimg_strerror(e->status), e->field, e->problem,
		(unsigned long long)e->index);
	if (e->pfn != SNAPIMG_NO_PFN)
		kprintf(" pfn=0x%llx", (unsigned long long)e->pfn);
	kprintf(" expected=0x%llx found=0x%llx ram_unchanged=%s\n",
		(unsigned long long)e->expected, (unsigned long long)e->found,
		c->ram_unchanged ? "yes" : "no");
}

/* Where the workload lies: its lowest and highest pfn, pages above 4 GiB. */
static void report_workload(struct snapshot_workload *w)
{
	uint64_t pfn, first = PAGEFLAGS_NO_PFN, last = 0, high = 0;
	struct pageflags_iter it;

	pageflags_for_each_set(pfn, it, w->to_save) {
		if (first == PAGEFLAGS_NO_PFN)
			first = pfn;
		last = pfn;
		high += pfn >= (4ull << 30) >> PAGE_SHIFT;
	}
	kprintf("# snapshot-workload: pages=%llu first_pfn=0x%llx last_pfn=0x%llx pages_above_4g=%llu seed=0x%llx\n",
		(unsigned long long)w->nr_pages, (unsigned long long)first,
		(unsigned long long)last, (unsigned long long)high,
		(unsigned long long)w->seed);
}

/* Snapshot w, damage, scramble, restore, verify; the image is given back. */
static int take_and_restore(struct snapshot_workload *w, uint32_t corrupt,
			    uint64_t fail_nth, bool fail_every,
			    struct snapshot_cycle *out)
{
	uint64_t fingerprint = snapshot_memmap_fingerprint(memmap_get(), 0);
	struct snapshot_image img;
	int err;

	if (fail_nth)
		frame_inject_failure(fail_nth, fail_every);
	err = snapshot_take(&img, w, fingerprint, &out->stage);
	if (fail_nth)
		frame_inject_failure(0, false);
	if (err) {
		out->verified = workload_verify(w);
		return err;
	}
	out->image_bytes = img.layout.image_pages * PAGE_SIZE;
	out->snapshot_cycles = img.cycles;
	kprintf("# snapshot: pages=%llu image_bytes=%llu cycles=%llu image_pages=%llu copy_cycles=%llu\n",
		(unsigned long long)out->nr_pages,
		(unsigned long long)out->image_bytes,
		(unsigned long long)img.cycles,
		(unsigned long long)img.layout.image_pages,
		(unsigned long long)img.copy_cycles);
	report_bandwidth(&img);

	fingerprint = snapshot_damage(&img, corrupt, fingerprint);
	workload_scramble(w);
	out->refused = snapshot_restore(&img, fingerprint, &out->why,
					&out->restore_cycles);
	if (out->refused) {
		out->ram_unchanged = workload_is_poison(w);
		report_refusal(out);
	} else {
		out->verified = workload_verify(w);
		kprintf("# restore: pages=%llu cycles=%llu verified=%llu\n",
			(unsigned long long)out->nr_pages,
			(unsigned long long)out->restore_cycles,
			(unsigned long long)out->verified);
	}
	snapshot_release(&img);
	return SNAPSHOT_OK;
}

void snapshot_cycle(uint64_t bytes, uint32_t corrupt, uint64_t fail_nth,
		    bool fail_every, struct snapshot_cycle *out)
{
	uint64_t before = frame_count_in_use();
	struct snapshot_workload w;

	memset(out, 0, sizeof(*out));
	out->nr_pages = div_round_up(bytes, PAGE_SIZE);
	if (fail_nth)           /* failures are for the snapshot, not before */
		frame_inject_failure(0, false);
	out->error = workload_create(&w, out->nr_pages, 0x5eed, &out->stage);
	if (!out->error) {
		report_workload(&w);
		out->error = take_and_restore(&w, corrupt, fail_nth, fail_every,
					      out);
		workload_destroy(&w);
	}
	if (out->error)
		kprintf("# snapshot-abort: reason=%s stage=%s pages=%llu workload_verified=%llu\n",
			snapshot_strerror(out->error), out->stage,
			(unsigned long long)out->nr_pages,
			(unsigned long long)out->verified);
	out->frames_leaked = frame_count_in_use() - before;
	kprintf("# snapshot-frames: in_use_before=%llu in_use_after=%llu leaked=%llu\n",
		(unsigned long long)before,
		(unsigned long long)(before + out->frames_leaked),
		(unsigned long long)out->frames_leaked);
}

/* ------------------------------------------------------ the boot step --- */

static struct snapshot_result boot_result;

enum snapimg_status snapshot_expected_refusal(uint32_t corrupt)
{
	switch (corrupt) {
	case CORRUPT_DATA:     return SNAPIMG_ERR_DATA;
	case CORRUPT_PFN:      return SNAPIMG_ERR_PFN;
	case CORRUPT_TRUNCATE: return SNAPIMG_ERR_TRUNCATE;
	case CORRUPT_MAGIC:    return SNAPIMG_ERR_MAGIC;
	case CORRUPT_MEMMAP:   return SNAPIMG_ERR_MEMMAP;
	}
	return SNAPIMG_OK;
}

/* Why the cycle fails the boot, or NULL. */
static const char *cycle_problem(const struct snapshot_cycle *c, uint32_t corrupt)
{
	if (c->frames_leaked)
		return "frames leaked";
	if (c->error) {
		/* Only running out of memory may stop it, and cleanly: an
		 * abort after the workload was made leaves it intact. */
		if (c->error != SNAPSHOT_ERR_NO_MEMORY)
			return "snapshot failed";
		if (c->stage && strcmp(c->stage, "workload") &&
		    strcmp(c->stage, "maps") && c->verified != c->nr_pages)
			return "aborted snapshot changed the workload";
		return NULL;
	}
	if (c->refused != snapshot_expected_refusal(corrupt))
		return corrupt == CORRUPT_NONE ? "restore refused" :
		       c->refused == SNAPIMG_OK ? "damaged image restored" :
		       "restore refused for another reason";
	if (c->refused && !c->ram_unchanged)
		return "refused restore changed RAM";
	if (!c->refused && c->verified != c->nr_pages)
		return "restored pages do not match their CRC";
	return NULL;
}

int snapshot_boot(uint64_t bytes, uint32_t corrupt, uint64_t fail_nth,
		  bool fail_every)
{
	struct snapshot_result *r = &boot_result;

	memset(r, 0, sizeof(*r));
	r->bytes = bytes;
	r->corrupt = corrupt;
	r->fail_nth = fail_nth;
	r->fail_every = fail_every;
	if (bytes == 0)
		return 0;
	snapshot_cycle(bytes, corrupt, fail_nth, fail_every, &r->cycle);
	r->ran = true;
	r->problem = cycle_problem(&r->cycle, corrupt);
	if (!r->problem)
		return 0;
	kprintf("# snapshot-error: problem=\"%s\" pages=%llu verified=%llu leaked=%llu\n",
		r->problem, (unsigned long long)r->cycle.nr_pages,
		(unsigned long long)r->cycle.verified,
		(unsigned long long)r->cycle.frames_leaked);
	return 1;
}

const struct snapshot_result *snapshot_boot_result(void)
{
	return &boot_result;
}
