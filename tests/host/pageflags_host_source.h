/*
 * pageflags_host_source.h: a page source for host-only pageflags programs
 * (the layouts test and the fuzzer): pages from malloc, counted, with one
 * planned failure. The kernel-portable suite has its own, over
 * ktest_page_alloc(), because it may use nothing but ktest.h.
 */
#ifndef DYNFLAGS_PAGEFLAGS_HOST_SOURCE_H
#define DYNFLAGS_PAGEFLAGS_HOST_SOURCE_H

#include <stdint.h>
#include <stdlib.h>

#include "pageflags/pageflags.h"

static struct {
	uint64_t nr_calls;      /* alloc_pages calls so far */
	uint64_t fail_at;       /* 0: never fail; N: the N-th call fails */
	uint64_t nr_out;        /* pages out now */
} src;

static void *src_alloc(void *ctx, uint64_t nr_pages)
{
	(void)ctx;
	if (++src.nr_calls == src.fail_at)
		return NULL;
	src.nr_out += nr_pages;
	return malloc(nr_pages * PAGE_SIZE);  /* the library zeroes it */
}

static void src_free(void *ctx, void *pages, uint64_t nr_pages)
{
	(void)ctx;
	if (src.nr_out < nr_pages)
		abort();                        /* more pages back than out */
	src.nr_out -= nr_pages;
	free(pages);
}

static const struct page_source host_source = { src_alloc, src_free, NULL };

#endif
