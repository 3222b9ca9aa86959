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
	uint32_t hotplug_wait;       /* seconds to wait for memory hotplug events */
	uint32_t hotplug_events;     /* ...or until this many came; 0 = no limit */
	uint64_t diskbench_bytes;    /* diskbench[=SIZE]: raw disk bandwidth; 0 = off */
	bool hibernate;              /* hibernate to the virtio disk after the snapshot */
	uint32_t shell_idle;         /* seconds without input that end the shell; 0 = never */
};

/*
 * Reset *opts to the defaults, then parse `line` (NULL: empty) into it.
 * Problems go to `report` (kmain prints them). Returns the number of
 * problems. Portable: the host tests call it too.
 */
unsigned int options_parse(struct kernel_options *opts, const char *line,
			   cmdline_report_fn report, void *ctx);

/* What options_append_fwcfg() did with the fw_cfg command line. */
struct fwcfg_cmdline {
	uint64_t file_bytes;     /* the fw_cfg file's size */
	uint64_t kept_bytes;     /* bytes of it appended to the line */
	bool truncated;          /* it did not fit whole */
	const char *dropped;     /* the word the truncation cut, left out: */
	size_t dropped_len;      /* dropped_len bytes inside the raw file */
	uint32_t nuls;           /* NUL bytes inside it, read as spaces */
};

/*
 * `line` (a buffer of `size` bytes) holds the loader's command line. Append
 * the fw_cfg one to it, after a space when both are non-empty: `raw_len`
 * bytes at `raw`, read from a file of `file_bytes` bytes (raw_len <
 * file_bytes when the rest was not read). NUL bytes at its end end it;
 * NUL bytes inside it separate words, as spaces do. When it does not fit,
 * it is cut at the end of its last whole word: the word the cut falls in
 * is left out and named in *out, never kept as a shorter value. A word
 * ends at a space, tab, newline, carriage return or NUL, or at the end of
 * the file; read one byte more than fits to let the cut see whether it
 * falls at the end of a word. Portable: the host tests call it too.
 */
void options_append_fwcfg(char *line, size_t size, const char *raw, size_t raw_len,
			  uint64_t file_bytes, struct fwcfg_cmdline *out);

/*
 * Copy `len` bytes at `s` into `out` (`size` bytes, always NUL-terminated
 * when size > 0) as printable ASCII for a report line: bytes outside
 * 0x20..0x7e, '"' and backslash become \xNN (two lower-case hex digits); what
 * does not fit is cut at a whole byte's escape. Returns the length written.
 */
size_t options_escape(char *out, size_t size, const char *s, size_t len);

/* Names of the enum values, as written on the command line. */
extern const char *const crash_names[];
extern const char *const snapshot_corrupt_names[];

#endif
