/*
 * pageflags_boot.h: dynamic page flags over the kernel's real pfn space.
 *
 * The portable library (pageflags/) asks for two things: where its pages
 * come from, and which pfns exist. In the kernel the pages come from the
 * frame allocator and the pfns from the sparse sections (sections.h):
 * present-only maps get leaves where sections hold RAM, all-possible maps
 * for every pfn below max_possible_pfn (RAM and SRAT hotplug ranges).
 */
#ifndef DYNFLAGS_FLAGS_H
#define DYNFLAGS_FLAGS_H

#include "pageflags/pageflags.h"

/* A map over the kernel's pfn space. Returns 0 or PAGEFLAGS_ERR_*. */
int flags_create(struct pageflags **mapp, enum pageflags_mode mode);

/*
 * Print "# pageflags: mode=... leaves=N inner=M bytes=B covered_pfns=P"
 * and one "# pageflags-leaves: mode=... start_pfn=... end_pfn=..." line per
 * run of consecutive leaves.
 */
void flags_report(struct pageflags *map);

/*
 * At boot: build one map in each mode over the real pfn space and report
 * both. Failure to build one is reported (`# pageflags-error: ...`) and
 * leaves that map NULL. Returns the number of maps that failed.
 */
int pageflags_boot(void);

/* The two boot maps (NULL if they could not be built). */
extern struct pageflags *boot_flags_present;
extern struct pageflags *boot_flags_all;

#endif
