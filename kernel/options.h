/*
 * options.h: the kernel's command-line options, parsed once at boot.
 *
 * The command line is the loader's command line followed by the QEMU fw_cfg
 * file opt/dynflags/cmdline. kernel/options.c holds the table of every
 * option (name, type, range, default); README.md documents each one.
 * After options_parse() the values below are final and read-only.
 */
#ifndef DYNFLAGS_OPTIONS_H
#define DYNFLAGS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/portable/cmdline.h"

enum crash_kind { CRASH_NONE, CRASH_PAGEFAULT, CRASH_DIVIDE, CRASH_UD, CRASH_GP };

enum snapshot_corrupt_kind {
	CORRUPT_NONE, CORRUPT_DATA, CORRUPT_PFN, CORRUPT_TRUNCATE,
	CORRUPT_MAGIC, CORRUPT_MEMMAP,
};

struct kernel_options {
	char ktest[256];             /* "" = every suite, "none", or SUITE[,SUITE] */
	uint32_t crash;              /* enum crash_kind */
	uint32_t section_bits;       /* log2 of the section size in bytes, 22..32 */
	uint64_t fail_alloc_nth;     /* 0 = off; else the N-th allocation fails */
	bool fail_alloc_every;       /* ...and every N-th after it */
	uint64_t snapshot_bytes;     /* workload size in bytes; 0 = no snapshot */
	uint32_t snapshot_corrupt;   /* enum snapshot_corrupt_kind */
	bool shell;                  /* interactive serial shell after the tests */
};

extern struct kernel_options kopts;

/*
 * Reset kopts to the defaults, then parse `line` into it. Problems go to
 * `report` (kmain prints them). Returns the number of problems.
 * Portable: the host tests call it too.
 */
unsigned int options_parse(const char *line, cmdline_report_fn report, void *ctx);

/* Names of the enum values, as written on the command line. */
extern const char *const crash_names[];
extern const char *const snapshot_corrupt_names[];

#endif
