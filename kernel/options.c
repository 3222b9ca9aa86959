/*
 * options.c: the table of kernel command-line options and their defaults.
 * README.md documents each option; keep the two in step.
 */
#include <string.h>

#include "kernel/options.h"

struct kernel_options kopts;

static const struct kernel_options defaults = {
	.ktest = "",                    /* every suite */
	.crash = CRASH_NONE,
	.section_bits = 27,             /* 128 MiB sections, as Linux x86_64 */
	.fail_alloc_nth = 0,
	.fail_alloc_every = false,
	.snapshot_bytes = 16ULL << 20,
	.snapshot_corrupt = CORRUPT_NONE,
	.shell = false,
};

const char *const crash_names[] = { "none", "pagefault", "divide", "ud", "gp", NULL };
const char *const snapshot_corrupt_names[] = {
	"none", "data", "pfn", "truncate", "magic", "memmap", NULL,
};

/* fail_alloc=N or fail_alloc=N,every (N >= 1). */
static const char *parse_fail_alloc(const struct cmdline_option *opt,
				    const char *v, size_t len)
{
	const char *comma = v ? memchr(v, ',', len) : NULL;
	size_t n_len = comma ? (size_t)(comma - v) : len;
	uint64_t n;

	(void)opt;
	if (!v)
		return "needs a value";
	if (cmdline_number(v, n_len, 0, &n) != 0 || n == 0)
		return "invalid count";
	if (comma && !(len - n_len - 1 == 5 && memcmp(comma + 1, "every", 5) == 0))
		return "only ',every' may follow the count";
	kopts.fail_alloc_nth = n;
	kopts.fail_alloc_every = comma != NULL;
	return NULL;
}

static const struct cmdline_option option_table[] = {
	{ .name = "ktest", .parse = cmdline_parse_string, .dst = kopts.ktest,
	  .max = sizeof(kopts.ktest), .valid_text = "none or SUITE[,SUITE...]",
	  .default_text = "every suite" },
	{ .name = "crash", .parse = cmdline_parse_choice, .dst = &kopts.crash,
	  .choices = crash_names, .valid_text = "none|pagefault|divide|ud|gp",
	  .default_text = "none" },
	{ .name = "section_bits", .parse = cmdline_parse_u32,
	  .dst = &kopts.section_bits, .min = 22, .max = 32,
	  .valid_text = "22..32", .default_text = "27" },
	{ .name = "fail_alloc", .parse = parse_fail_alloc,
	  .valid_text = "N or N,every (N >= 1)", .default_text = "off" },
	{ .name = "snapshot", .parse = cmdline_parse_size,
	  .dst = &kopts.snapshot_bytes, .max = 1ULL << 40,
	  .valid_text = "a size such as 64M, 0 for none", .default_text = "16M" },
	{ .name = "snapshot_corrupt", .parse = cmdline_parse_choice,
	  .dst = &kopts.snapshot_corrupt, .choices = snapshot_corrupt_names,
	  .valid_text = "none|data|pfn|truncate|magic|memmap", .default_text = "none" },
	{ .name = "shell", .parse = cmdline_parse_flag, .dst = &kopts.shell,
	  .valid_text = "shell, shell=on or shell=off", .default_text = "off" },
};

unsigned int options_parse(const char *line, cmdline_report_fn report, void *ctx)
{
	kopts = defaults;
	return cmdline_parse(line, option_table,
			     sizeof(option_table) / sizeof(option_table[0]),
			     report, ctx);
}
