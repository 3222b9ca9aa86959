/*
 * options.h: the kernel's command-line options, parsed once at boot.
 *
 * The command line is the loader's command line followed by the QEMU fw_cfg
 * file opt/dynflags/cmdline. kernel/options.c holds the table of every
 * option (name, type, range, default); README.md documents each one.
 * kmain owns the one struct kernel_options, fills it with options_parse()
 * and hands the values down to the steps that need them: nothing else
 * reads the command line.
 */
#ifndef DYNFLAGS_OPTIONS_H
#define DYNFLAGS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/portable/cmdline.h"

enum crash_kind { CRASH_NONE, CRASH_PAGEFAULT, CRASH_DIVIDE, CRASH_UD, CRASH_GP };

struct kernel_options {
	char ktest[256];             /* "" = every suite, "none", or SUITE[,SUITE] */
	uint32_t crash;              /* enum crash_kind */
	uint32_t section_bits;       /* log2 of the section size in bytes, 22..32 */
	uint64_t fail_alloc_nth;     /* 0 = off; else the N-th allocation fails */
	bool fail_alloc_every;       /* ...and every N-th after it */
	uint64_t snapshot_bytes;     /* workload size in bytes; 0 = no snapshot */
	uint32_t snapshot_corrupt;   /* enum snapshot_corrupt_kind (kernel/snapshot_boot.h) */
	bool shell;                  /* interactive serial shell after the tests */
};

/*
 * Reset *opts to the defaults, then parse `line` (NULL: empty) into it.
 * Problems go to `report` (kmain prints them). Returns the number of
 * problems. Portable: the host tests call it too.
 */
unsigned int options_parse(struct kernel_options *opts, const char *line,
			   cmdline_report_fn report, void *ctx);

/* Names of the enum values, as written on the command line. */
extern const char *const crash_names[];
extern const char *const snapshot_corrupt_names[];

#endif
