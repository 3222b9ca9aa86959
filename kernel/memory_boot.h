/*
 * memory_boot.h: bring up the kernel's picture of physical memory, in order:
 * CPUID address widths, the normalised firmware map, the frame allocator,
 * and the kernel's own page tables. Each step prints its report lines.
 */
#ifndef DYNFLAGS_MEMORY_H
#define DYNFLAGS_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/boot_info.h"
#include "kernel/portable/memmap.h"

/*
 * fail_nth and fail_every are the option fail_alloc=N[,every] (0: off):
 * from the moment the frame allocator is up, its allocations fail as
 * frame_inject_failure(fail_nth, fail_every) says, the page tables'
 * first. Returns 0, or -1 after printing a "# <step>-error:" line saying
 * what failed (a malformed map, no RAM, out of frames under fail_alloc).
 */
int memory_boot(const struct boot_info *bi, uint64_t fail_nth, bool fail_every);

/* The kernel's normalised memory map, read-only; NULL before memory_boot()
 * has normalised it. */
const struct memmap *memmap_get(void);

#endif
