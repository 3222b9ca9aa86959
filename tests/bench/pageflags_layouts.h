/*
 * pageflags_layouts.h: the machine layouts the pageflags benchmark runs on,
 * also checked by the host test tests/host/pageflags_layouts_test.c.
 *
 * Each layout is the RAM a machine shape has, as sorted pfn ranges
 * [start_pfn, end_pfn), and the physical address width it reports.
 */
#ifndef DYNFLAGS_PAGEFLAGS_LAYOUTS_H
#define DYNFLAGS_PAGEFLAGS_LAYOUTS_H

#include <stddef.h>
#include <stdint.h>

#include "pageflags/pageflags.h"

#define LAYOUT_KIB(n) ((uint64_t)(n) << 10 >> PAGE_SHIFT)
#define LAYOUT_MIB(n) ((uint64_t)(n) << 20 >> PAGE_SHIFT)
#define LAYOUT_GIB(n) ((uint64_t)(n) << 30 >> PAGE_SHIFT)
#define LAYOUT_TIB(n) ((uint64_t)(n) << 40 >> PAGE_SHIFT)

struct bench_layout {
	const char *name;
	const char *what;
	unsigned int phys_bits;
	const struct pageflags_range *ranges;
	size_t nr_ranges;
};

/* QEMU q35 with 6 GiB: 2 GiB below the 32-bit hole, 4 GiB above 4 GiB. */
static const struct pageflags_range layout_qemu6g[] = {
	{ 0, LAYOUT_KIB(636) },                         /* [0, 0x9f000) */
	{ LAYOUT_MIB(1), LAYOUT_GIB(2) },
	{ LAYOUT_GIB(4), LAYOUT_GIB(8) },
};

/* A 4-node server with 1 TiB: 256 GiB per node, 512 GiB apart, with the
 * low holes of node 0 and firmware holes that are not leaf-aligned. */
static const struct pageflags_range layout_server1t[] = {
	{ 0, LAYOUT_KIB(636) },
	{ LAYOUT_MIB(1), LAYOUT_GIB(3) },
	{ LAYOUT_GIB(4), LAYOUT_GIB(256) + LAYOUT_GIB(1) },
	{ LAYOUT_GIB(512), LAYOUT_GIB(600) },
	{ LAYOUT_GIB(600) + LAYOUT_MIB(100), LAYOUT_GIB(768) },
	{ LAYOUT_GIB(1024), LAYOUT_GIB(1280) },
	{ LAYOUT_GIB(1536), LAYOUT_GIB(1792) - LAYOUT_MIB(64) },
};

/* 16 x 4 GiB, one every 4 TiB: spread over a 46-bit space. */
#define LAYOUT_SPREAD46(k) { LAYOUT_TIB(4 * (k)), LAYOUT_TIB(4 * (k)) + LAYOUT_GIB(4) }
static const struct pageflags_range layout_spread46[] = {
	LAYOUT_SPREAD46(0), LAYOUT_SPREAD46(1), LAYOUT_SPREAD46(2),
	LAYOUT_SPREAD46(3), LAYOUT_SPREAD46(4), LAYOUT_SPREAD46(5),
	LAYOUT_SPREAD46(6), LAYOUT_SPREAD46(7), LAYOUT_SPREAD46(8),
	LAYOUT_SPREAD46(9), LAYOUT_SPREAD46(10), LAYOUT_SPREAD46(11),
	LAYOUT_SPREAD46(12), LAYOUT_SPREAD46(13), LAYOUT_SPREAD46(14),
	LAYOUT_SPREAD46(15),
};

/* 8 x 1 GiB, one every 512 TiB: spread over the whole 52-bit space. */
#define LAYOUT_SPREAD52(k) { LAYOUT_TIB(512 * (k)), LAYOUT_TIB(512 * (k)) + LAYOUT_GIB(1) }
static const struct pageflags_range layout_spread52[] = {
	LAYOUT_SPREAD52(0), LAYOUT_SPREAD52(1), LAYOUT_SPREAD52(2),
	LAYOUT_SPREAD52(3), LAYOUT_SPREAD52(4), LAYOUT_SPREAD52(5),
	LAYOUT_SPREAD52(6), LAYOUT_SPREAD52(7),
};

#define LAYOUT(name, what, bits) \
	{ #name, what, bits, layout_##name, sizeof(layout_##name) / sizeof(layout_##name[0]) }

static const struct bench_layout bench_layouts[] = {
	LAYOUT(qemu6g, "QEMU q35, 6 GiB", 40),
	LAYOUT(server1t, "4-node server, 1 TiB with holes", 46),
	LAYOUT(spread46, "16 x 4 GiB over 46 bits", 46),
	LAYOUT(spread52, "8 x 1 GiB over 52 bits", 52),
};

#define NR_BENCH_LAYOUTS (sizeof(bench_layouts) / sizeof(bench_layouts[0]))

/* Pages of RAM in a layout. */
static inline uint64_t layout_present_pages(const struct bench_layout *l)
{
	uint64_t n = 0;

	for (size_t i = 0; i < l->nr_ranges; i++)
		n += l->ranges[i].end_pfn - l->ranges[i].start_pfn;
	return n;
}

/* The memory target: 1.02 x one bit per present page, plus 64 KiB. */
static inline uint64_t layout_bytes_target(const struct bench_layout *l)
{
	return layout_present_pages(l) / 8 * 102 / 100 + 65536;
}

#endif
