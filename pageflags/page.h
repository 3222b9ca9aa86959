/*
 * page.h: the page, and where pages come from. The lowest header of the
 * project: pageflags/, the portable modules and the kernel all take the
 * page size, the page-source type and div_round_up() from here, so that
 * there is one of each. Freestanding; it includes nothing of the project.
 */
#ifndef DYNFLAGS_PAGE_H
#define DYNFLAGS_PAGE_H

#include <stdint.h>

#define PAGE_SHIFT 12                    /* physical address -> pfn */
#define PAGE_SIZE  (1ull << PAGE_SHIFT)  /* 4096 bytes in a page frame */

/* n / d rounded up: how many pages (or words, or entries) hold n things. */
static inline uint64_t div_round_up(uint64_t n, uint64_t d)
{
	return n / d + (n % d != 0);
}

/*
 * Where a data structure gets its memory. alloc_pages returns nr_pages
 * physically contiguous, 4 KiB-aligned pages, or NULL when there are
 * none; their contents are undefined, so the caller zeroes what it needs.
 * free_pages takes back a run that alloc_pages gave, whole. ctx is passed
 * to both. The kernel has one page source, the frame allocator
 * (frame_page_source in kernel/frame.h); tests bring their own.
 */
struct page_source {
	void *(*alloc_pages)(void *ctx, uint64_t nr_pages);
	void (*free_pages)(void *ctx, void *pages, uint64_t nr_pages);
	void *ctx;
};

#endif
