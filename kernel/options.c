/*
 * options.c: the table of kernel command-line options and their defaults.
 * README.md documents each option; keep the two in step.
 */
#include <string.h>

#include "kernel/options.h"
#include "kernel/snapshot_boot.h"

static const struct kernel_options defaults = {
	.ktest = "",                    /* every suite */
	.crash = CRASH_NONE,
	.section_bits = 27,             /* 128 MiB sections, as Linux x86_64 */
	.fail_alloc_nth = 0,
	.fail_alloc_every = false,
	.snapshot_bytes = 16ULL << 20,
	.snapshot_corrupt = CORRUPT_NONE,
	.shell = false,
	.hotplug_wait = 0,
	.hotplug_events = 0,
	.diskbench_bytes = 0,
	.hibernate = false,
	.shell_idle = 0,                /* wait for ever */
};

const char *const crash_names[] = { "none", "pagefault", "divide", "ud", "gp", NULL };
const char *const snapshot_corrupt_names[] = {
	"none", "data", "pfn", "truncate", "magic", "memmap", NULL,
};

/* fail_alloc=N or fail_alloc=N,every (N >= 1); opt->dst is the options. */
static const char *parse_fail_alloc(const struct cmdline_option *opt,
				    const char *v, size_t len)
{
	struct kernel_options *o = opt->dst;
	const char *comma = v ? memchr(v, ',', len) : NULL;
	size_t n_len = comma ? (size_t)(comma - v) : len;
	uint64_t n;

	if (!v)
		return "needs a value";
	if (cmdline_number(v, n_len, 0, &n) != 0 || n == 0)
		return "invalid count";
	if (comma && !(len - n_len - 1 == 5 && memcmp(comma + 1, "every", 5) == 0))
		return "only ',every' may follow the count";
	o->fail_alloc_nth = n;
	o->fail_alloc_every = comma != NULL;
	return NULL;
}

/* diskbench (8 MiB) or diskbench=SIZE (4K..1G); opt->dst is the byte count. */
static const char *parse_diskbench(const struct cmdline_option *opt,
				   const char *v, size_t len)
{
	uint64_t n = 8ULL << 20;

	if (v && (cmdline_number(v, len, 1, &n) != 0 || n < 4096 || n > (1ULL << 30)))
		return "invalid or out of range";
	*(uint64_t *)opt->dst = n;
	return NULL;
}

unsigned int options_parse(struct kernel_options *o, const char *line,
			   cmdline_report_fn report, void *ctx)
{
	/* The table points into *o, so it is built for each call. */
	const struct cmdline_option table[] = {
		{ .name = "ktest", .parse = cmdline_parse_string, .dst = o->ktest,
		  .max = sizeof(o->ktest), .valid_text = "none or SUITE[,SUITE...]",
		  .default_text = "every suite" },
		{ .name = "crash", .parse = cmdline_parse_choice, .dst = &o->crash,
		  .choices = crash_names, .valid_text = "none|pagefault|divide|ud|gp",
		  .default_text = "none" },
		{ .name = "section_bits", .parse = cmdline_parse_u32,
		  .dst = &o->section_bits, .min = 22, .max = 32,
		  .valid_text = "22..32", .default_text = "27" },
		{ .name = "fail_alloc", .parse = parse_fail_alloc, .dst = o,
		  .valid_text = "N or N,every (N >= 1)", .default_text = "off" },
		{ .name = "snapshot", .parse = cmdline_parse_size,
		  .dst = &o->snapshot_bytes, .max = 1ULL << 40,
		  .valid_text = "a size such as 64M, 0 for none", .default_text = "16M" },
		{ .name = "snapshot_corrupt", .parse = cmdline_parse_choice,
		  .dst = &o->snapshot_corrupt, .choices = snapshot_corrupt_names,
		  .valid_text = "none|data|pfn|truncate|magic|memmap", .default_text = "none" },
		{ .name = "shell", .parse = cmdline_parse_flag, .dst = &o->shell,
		  .valid_text = "shell, shell=on or shell=off", .default_text = "off" },
		{ .name = "hotplug_wait", .parse = cmdline_parse_u32, .dst = &o->hotplug_wait,
		  .min = 0, .max = 86400, .valid_text = "0..86400 (seconds)",
		  .default_text = "0" },
		{ .name = "hotplug_events", .parse = cmdline_parse_u32,
		  .dst = &o->hotplug_events, .min = 0, .max = 1000000,
		  .valid_text = "0..1000000 (0: no limit)", .default_text = "0" },
		{ .name = "diskbench", .parse = parse_diskbench, .dst = &o->diskbench_bytes,
		  .valid_text = "diskbench or diskbench=SIZE (4K..1G)", .default_text = "off" },
		{ .name = "hibernate", .parse = cmdline_parse_flag, .dst = &o->hibernate,
		  .valid_text = "hibernate, hibernate=on or hibernate=off", .default_text = "off" },
		{ .name = "shell_idle", .parse = cmdline_parse_u32, .dst = &o->shell_idle,
		  .min = 0, .max = 1000000, .valid_text = "0..1000000 (seconds, 0 for ever)",
		  .default_text = "0" },
	};

	*o = defaults;
	return cmdline_parse(line, table, sizeof(table) / sizeof(table[0]),
			     report, ctx);
}

/* What separates words, for the cut of a truncated line: the parser's
 * spaces (kernel/portable/cmdline.c), and NUL. */
static bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
}

void options_append_fwcfg(char *line, size_t size, const char *raw, size_t raw_len,
			  uint64_t file_bytes, struct fwcfg_cmdline *out)
{
	size_t len = strlen(line), end = raw_len, take, room;
	bool whole = raw_len >= file_bytes;

	memset(out, 0, sizeof(*out));
	out->file_bytes = file_bytes;
	if (whole)
		while (end > 0 && raw[end - 1] == '\0')
			end--;               /* the file's final NULs end the line */
	room = size > len + 1 + (len > 0) ? size - len - 1 - (len > 0) : 0;
	take = end;
	if (!whole || end > room) {
		out->truncated = true;
		take = end < room ? end : room;
		/* The byte after the cut, when it was read, says whether the
		 * cut falls inside a word; when it was not, assume it does. */
		if (take > 0 && !is_separator(raw[take - 1]) &&
		    (take >= raw_len || !is_separator(raw[take]))) {
			size_t word = take;

			while (word > 0 && !is_separator(raw[word - 1]))
				word--;
			out->dropped = raw + word;
			out->dropped_len = take - word;
			take = word;
		}
		while (take > 0 && is_separator(raw[take - 1]))
			take--;              /* no trailing space before the cut */
	}
	out->kept_bytes = take;
	if (take == 0)
		return;
	if (len > 0)
		line[len++] = ' ';
	for (size_t i = 0; i < take; i++) {
		out->nuls += raw[i] == '\0';
		line[len++] = raw[i] ? raw[i] : ' ';
	}
	line[len] = '\0';
}

size_t options_escape(char *out, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (size == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool plain = c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';

		if (n + (plain ? 1 : 4) >= size)
			break;
		if (plain) {
			out[n++] = (char)c;
		} else {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return n;
}
