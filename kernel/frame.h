/*
 * frame.h: the early physical frame allocator.
 *
 * It hands out 4 KiB frames of `usable` RAM from the normalised memory map
 * (memmap.h). A frame is named by its identity-mapped address: the pointer
 * returned is also the frame's physical address.
 *
 * It never hands out page 0, the kernel image (boot_info kernel_start..end),
 * the regions the loader still uses (boot_info regions), its own bitmap, or
 * frames it has already given (the page tables come from it, so they are
 * never given twice). Until paging_init() maps all RAM, it gives only frames
 * below the boot page tables' limit (4 GiB); paging raises the limit with
 * frame_set_mapped_limit().
 *
 * Failure is a value: frame_alloc() returns NULL, never panics. Every
 * caller must handle NULL. frame_inject_failure() makes allocations fail
 * on purpose to prove that they do; memory_boot() sets it from the
 * option `fail_alloc=N[,every]` it is given.
 */
#ifndef DYNFLAGS_FRAME_H
#define DYNFLAGS_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/boot_info.h"
#include "kernel/portable/memmap.h"
#include "pageflags/page.h"

/* Counters for leak proofs, in frames. In use now = allocated - freed. */
struct frame_stats {
	uint64_t total;       /* frames managed: usable pages minus exclusions */
	uint64_t free;        /* frames free now (== total - (allocated - freed)) */
	uint64_t allocated;   /* frames handed out since boot */
	uint64_t freed;       /* frames given back since boot */
	uint64_t failed;      /* allocation calls that returned NULL */
	uint64_t injected;    /* ... of which were injected by fail_alloc */
	uint64_t bad_frees;   /* free calls refused (not allocated frames) */
	uint64_t excluded;    /* usable pages never handed out (kernel, loader,
	                         bitmap, page 0) */
	uint64_t bitmap;      /* physical address of the allocator's bitmap */
	uint64_t bitmap_pages;/* frames holding it */
	uint64_t mapped_limit;/* frames at or above this address are not given */
	uint64_t added;       /* frames in ranges added by frame_add_range()
	                         (counted in total and free too) */
	uint64_t nr_ranges;   /* such ranges now */
};

/*
 * Set the allocator up over the usable ranges of `map`, excluding the kernel
 * image and loader regions of `bi`, with no failure injected.
 * Returns 0, or -1 when there is no room for the bitmap (a message is
 * printed).
 */
int frame_init(const struct memmap *map, const struct boot_info *bi);

/* A zeroed 4 KiB frame (identity-mapped address), or NULL. */
void *frame_alloc(void);

/*
 * Like frame_alloc(), but the search starts at phys_addr (bytes) and wraps
 * to 0: the first free frame at or above phys_addr, else the lowest one.
 * It lets a caller spread frames over all of RAM.
 */
void *frame_alloc_from(uint64_t phys_addr);

/*
 * Give a frame back. A pointer that is not a frame currently allocated
 * (unaligned, not usable RAM, excluded, or already free) is refused with a
 * warning line and counted in bad_frees; NULL is ignored.
 */
void frame_free(void *frame);

/*
 * nr_pages physically contiguous zeroed frames (first fit), or NULL. Each
 * frame counts as one allocation for the counters; fault injection counts
 * the call once. Give them back with frame_free_pages(p, nr_pages) (or
 * frame by frame with frame_free()).
 */
void *frame_alloc_pages(uint64_t nr_pages);
void frame_free_pages(void *first, uint64_t nr_pages);

/*
 * nr_pages zeroed frames taken one at a time, wherever they lie, and a
 * directory of their addresses: dir[i] is frame i. Only the directory is
 * contiguous (frame_dir_pages(nr_pages) frames of 512 addresses), so a
 * buffer of any size needs no long free run, as frame_alloc_pages()
 * does: for buffers used page by page (the snapshot's index, the
 * hibernation's lists, diskbench's buffer). nr_pages >= 1. NULL, with
 * nothing kept, if a frame is refused; the directory is the first
 * allocation, then the frames in order.
 */
void **frame_alloc_scattered(uint64_t nr_pages);
void frame_free_scattered(void **dir, uint64_t nr_pages);  /* NULL is ignored */
uint64_t frame_dir_pages(uint64_t nr_pages);

/*
 * The frame allocator as a page source (pageflags/page.h): the kernel's
 * one adapter, for the section table, the page-flag maps and tests.
 */
extern const struct page_source frame_page_source;

/* Is this frame currently handed out? (for tests) */
bool frame_is_allocated(const void *frame);

/* Copy the counters. */
void frame_get_stats(struct frame_stats *out);

/* Frames in use now (allocated - freed), and frames free now. */
uint64_t frame_count_in_use(void);
uint64_t frame_count_free(void);

/*
 * Fault injection, counted from this call on: with every == false the
 * nth-next frame_alloc() fails; with every == true every nth one does.
 * nth == 0 turns injection off (as frame_init() leaves it).
 */
void frame_inject_failure(uint64_t nth, bool every);

/* Frames at or above `limit` (bytes) become available (paging calls this
 * once all RAM is mapped). */
void frame_set_mapped_limit(uint64_t limit);

/*
 * Memory that arrives after boot (hotplug). frame_add_range() makes pfns
 * [start_pfn, end_pfn) frames the allocator hands out, all free, with a
 * bitmap of their own taken from existing frames (one frame_alloc_pages
 * call: a fail_alloc point). The range must be mapped, page aligned, and
 * overlap neither the boot frames nor another added range. Returns 0, or
 * -1 (nothing changed): no room in the range table, a bad range, or no
 * frames for the bitmap.
 *
 * frame_remove_range() takes back a range added exactly so: it refuses
 * (returns -1, nothing changed) while any frame of it is allocated, with
 * their number in *in_use; else the bitmap's frames are given back and
 * 0 returned. *in_use is also -1's answer for a range never added (0).
 *
 * Single frames come from the boot frames first, then from the added
 * ranges; frame_alloc_from() with an address in an added range starts
 * there. frame_alloc_in_range() takes one frame inside [start_pfn,
 * end_pfn) only (for tests and the shell), or NULL.
 */
int frame_add_range(uint64_t start_pfn, uint64_t end_pfn);
int frame_remove_range(uint64_t start_pfn, uint64_t end_pfn, uint64_t *in_use);
void *frame_alloc_in_range(uint64_t start_pfn, uint64_t end_pfn);

/* Frames of [start_pfn, end_pfn) that are handed out (added ranges and
 * boot frames alike). */
uint64_t frame_count_allocated(uint64_t start_pfn, uint64_t end_pfn);

/* Print "# frames: ..." (docs/report-format.md). */
void frame_report(void);

#endif
