/*
 * cmdline_test.c: the command-line parser and the kernel's option table.
 * Runs on the host (TAP) and in the kernel (KTAP). Each case parses into
 * its own struct kernel_options, so the kernel's own options are never
 * touched.
 */
#include <string.h>

#include "kernel/portable/cmdline.h"
#include "kernel/options.h"
#include "kernel/snapshot_boot.h"
#include "tests/ktest.h"

/* Collects what the parser reports. */
struct seen {
	unsigned int unknown, invalid;
	char last_key[32];
	const char *last_reason;
};

static void collect(void *ctx, const struct cmdline_report *r)
{
	struct seen *s = ctx;
	size_t n = r->key_len < sizeof(s->last_key) - 1 ? r->key_len : sizeof(s->last_key) - 1;

	if (r->problem == CMDLINE_UNKNOWN_OPTION)
		s->unknown++;
	else
		s->invalid++;
	memcpy(s->last_key, r->key, n);
	s->last_key[n] = '\0';
	s->last_reason = r->reason;
}

static void defaults_on_empty_line(struct ktest *t)
{
	struct kernel_options o;
	struct seen s = { 0 };

	KT_EXPECT_EQ(t, options_parse(&o, "", collect, &s), 0);
	KT_EXPECT_EQ(t, o.section_bits, 27);
	KT_EXPECT_EQ(t, o.snapshot_bytes, 16ULL << 20);
	KT_EXPECT_EQ(t, o.crash, CRASH_NONE);
	KT_EXPECT_EQ(t, o.fail_alloc_nth, 0);
	KT_EXPECT(t, !o.shell);
	KT_EXPECT_EQ(t, o.shell_idle, 0);
	KT_EXPECT_EQ(t, o.ktest[0], '\0');
	KT_EXPECT_EQ(t, options_parse(&o, NULL, collect, &s), 0);
	KT_EXPECT_EQ(t, options_parse(&o, "   \t ", collect, &s), 0);
}

static void every_option_parses(struct ktest *t)
{
	struct kernel_options o;
	struct seen s = { 0 };

	KT_EXPECT_EQ(t, options_parse(&o, "  section_bits=30 snapshot=64M crash=ud "
					  "fail_alloc=7,every snapshot_corrupt=memmap "
					  "shell shell_idle=90 ktest=a,b", collect, &s), 0);
	KT_EXPECT_EQ(t, o.section_bits, 30);
	KT_EXPECT_EQ(t, o.snapshot_bytes, 64ULL << 20);
	KT_EXPECT_EQ(t, o.crash, CRASH_UD);
	KT_EXPECT_EQ(t, o.fail_alloc_nth, 7);
	KT_EXPECT(t, o.fail_alloc_every);
	KT_EXPECT_EQ(t, o.snapshot_corrupt, CORRUPT_MEMMAP);
	KT_EXPECT(t, o.shell);
	KT_EXPECT_EQ(t, o.shell_idle, 90);
	KT_EXPECT(t, strcmp(o.ktest, "a,b") == 0);
}

static void unknown_option_is_reported_and_ignored(struct ktest *t)
{
	struct kernel_options o;
	struct seen s = { 0 };

	KT_EXPECT_EQ(t, options_parse(&o, "frobnicate=1 section_bits=25 bare", collect, &s), 2);
	KT_EXPECT_EQ(t, s.unknown, 2);
	KT_EXPECT(t, strcmp(s.last_key, "bare") == 0);
	KT_EXPECT_EQ(t, o.section_bits, 25);
}

static void invalid_values_keep_the_default(struct ktest *t)
{
	static const char *const bad[] = {
		"section_bits=21", "section_bits=33", "section_bits=", "section_bits",
		"section_bits=0x", "section_bits=27x", "section_bits=-1",
		"section_bits=99999999999999999999999",
		"snapshot=12Q", "snapshot=2T", "snapshot=M", "snapshot",
		"crash=sideways", "crash", "crash=",
		"fail_alloc=0", "fail_alloc=", "fail_alloc", "fail_alloc=3,evry",
		"fail_alloc=3,", "fail_alloc=,every", "shell=maybe",
		"shell_idle=", "shell_idle=1000001", "shell_idle=soon",
		"snapshot_corrupt=all", "ktest=",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kernel_options o;
	struct seen s = { 0 };

		KT_EXPECT_EQ(t, options_parse(&o, bad[i], collect, &s), 1);
		KT_EXPECT_EQ(t, s.invalid, 1);
		KT_EXPECT(t, s.last_reason != NULL);
		KT_EXPECT_EQ(t, o.section_bits, 27);
		KT_EXPECT_EQ(t, o.snapshot_bytes, 16ULL << 20);
		KT_EXPECT_EQ(t, o.crash, CRASH_NONE);
		KT_EXPECT_EQ(t, o.fail_alloc_nth, 0);
		KT_EXPECT(t, !o.shell);
		KT_EXPECT_EQ(t, o.snapshot_corrupt, CORRUPT_NONE);
		if (ktest_failed(t)) {
			ktest_log(t, "input: %s", bad[i]);
			return;
		}
	}
}

static void later_words_win_and_bad_ones_do_not(struct ktest *t)
{
	struct kernel_options o;
	struct seen s = { 0 };

	KT_EXPECT_EQ(t, options_parse(&o, "section_bits=24 section_bits=28 section_bits=40",
					  collect, &s), 1);
	KT_EXPECT_EQ(t, o.section_bits, 28);
}

/* Each call fills only the struct it is given. */
static void each_caller_has_its_own_options(struct ktest *t)
{
	struct kernel_options a, b;

	KT_EXPECT_EQ(t, options_parse(&a, "section_bits=30 fail_alloc=5 ktest=none", NULL, NULL), 0);
	KT_EXPECT_EQ(t, options_parse(&b, "snapshot=0", NULL, NULL), 0);
	KT_EXPECT_EQ(t, a.section_bits, 30);
	KT_EXPECT_EQ(t, a.fail_alloc_nth, 5);
	KT_EXPECT_EQ(t, a.snapshot_bytes, 16ULL << 20);
	KT_EXPECT(t, strcmp(a.ktest, "none") == 0);
	KT_EXPECT_EQ(t, b.section_bits, 27);
	KT_EXPECT_EQ(t, b.fail_alloc_nth, 0);
	KT_EXPECT_EQ(t, b.snapshot_bytes, 0);
	KT_EXPECT_EQ(t, b.ktest[0], '\0');
}

static void too_long_string_is_refused(struct ktest *t)
{
	static char line[400];
	struct kernel_options o;
	struct seen s = { 0 };

	memcpy(line, "ktest=", 6);
	memset(line + 6, 'x', sizeof(line) - 7);
	line[sizeof(line) - 1] = '\0';
	KT_EXPECT_EQ(t, options_parse(&o, line, collect, &s), 1);
	KT_EXPECT(t, strcmp(s.last_reason, "too long") == 0);
	KT_EXPECT_EQ(t, o.ktest[0], '\0');
}

static void numbers(struct ktest *t)
{
	uint64_t n = 0;

	KT_EXPECT_EQ(t, cmdline_number("0", 1, 0, &n), 0);
	KT_EXPECT_EQ(t, n, 0);
	KT_EXPECT_EQ(t, cmdline_number("0x1F", 4, 0, &n), 0);
	KT_EXPECT_EQ(t, n, 31);
	KT_EXPECT_EQ(t, cmdline_number("18446744073709551615", 20, 0, &n), 0);
	KT_EXPECT_EQ(t, n, UINT64_MAX);
	KT_EXPECT_EQ(t, cmdline_number("18446744073709551616", 20, 0, &n), -1);
	KT_EXPECT_EQ(t, cmdline_number("4k", 2, 1, &n), 0);
	KT_EXPECT_EQ(t, n, 4096);
	KT_EXPECT_EQ(t, cmdline_number("1G", 2, 1, &n), 0);
	KT_EXPECT_EQ(t, n, 1ULL << 30);
	KT_EXPECT_EQ(t, cmdline_number("16777216T", 9, 1, &n), -1);   /* 2^64 */
	KT_EXPECT_EQ(t, cmdline_number("1G", 2, 0, &n), -1);          /* no suffix allowed */
	KT_EXPECT_EQ(t, cmdline_number("", 0, 0, &n), -1);
	KT_EXPECT_EQ(t, cmdline_number("0x", 2, 0, &n), -1);
	KT_EXPECT_EQ(t, cmdline_number("12 ", 3, 0, &n), -1);
}

/* ---- The fw_cfg command line joined to the loader's, and escaping ---- */

/* Append `raw` (raw_len bytes of a file_bytes file) to `loader` in a
 * buffer of `size` bytes. */
static const char *append(char *buf, size_t size, const char *loader, const char *raw,
			  size_t raw_len, uint64_t file_bytes, struct fwcfg_cmdline *out)
{
	memcpy(buf, loader, strlen(loader) + 1);
	options_append_fwcfg(buf, size, raw, raw_len, file_bytes, out);
	return buf;
}

static void fwcfg_line_is_joined_after_a_space(struct ktest *t)
{
	char buf[64];
	struct fwcfg_cmdline f;

	KT_EXPECT(t, strcmp(append(buf, sizeof(buf), "a=1", "b=2", 3, 3, &f), "a=1 b=2") == 0);
	KT_EXPECT(t, !f.truncated);
	KT_EXPECT_EQ(t, f.kept_bytes, 3);
	KT_EXPECT_EQ(t, f.nuls, 0);
	KT_EXPECT(t, strcmp(append(buf, sizeof(buf), "", "b=2", 3, 3, &f), "b=2") == 0);
	KT_EXPECT(t, strcmp(append(buf, sizeof(buf), "a=1", "", 0, 0, &f), "a=1") == 0);
	/* A final NUL (a C string written whole) just ends the line. */
	KT_EXPECT(t, strcmp(append(buf, sizeof(buf), "", "b=2\0\0", 5, 5, &f), "b=2") == 0);
	KT_EXPECT_EQ(t, f.nuls, 0);
	KT_EXPECT(t, !f.truncated);
}

/* 2035 spaces and snapshot=1024K where 2047 bytes fit: the cut word is
 * left out, never read as snapshot=102. */
static void truncation_drops_the_cut_word(struct ktest *t)
{
	static char raw[2049], buf[2048];
	struct kernel_options o;
	struct fwcfg_cmdline f;

	memset(raw, ' ', 2035);
	memcpy(raw + 2035, "snapshot=1024K", 14);       /* 2049 bytes in all */
	append(buf, sizeof(buf), "", raw, 2048, 2049, &f);   /* 2048 read: one over */
	KT_EXPECT(t, f.truncated);
	KT_EXPECT_EQ(t, f.file_bytes, 2049);
	KT_EXPECT_EQ(t, f.kept_bytes, 0);      /* spaces before the cut go too */
	KT_EXPECT_EQ(t, f.dropped_len, 12);
	KT_EXPECT(t, f.dropped && memcmp(f.dropped, "snapshot=102", 12) == 0);
	KT_EXPECT_EQ(t, strlen(buf), 0);
	KT_EXPECT_EQ(t, options_parse(&o, buf, NULL, NULL), 0);
	KT_EXPECT_EQ(t, o.snapshot_bytes, 16ULL << 20);     /* the default, not 10 */
}

static void truncation_at_a_word_end_keeps_the_word(struct ktest *t)
{
	char buf[16];
	struct fwcfg_cmdline f;

	/* 15 bytes fit after "" : "aaaaaaa bbbbbbb" then a space: nothing cut. */
	append(buf, sizeof(buf), "", "aaaaaaa bbbbbbb ccc", 16, 19, &f);
	KT_EXPECT(t, f.truncated);
	KT_EXPECT(t, strcmp(buf, "aaaaaaa bbbbbbb") == 0);
	KT_EXPECT_EQ(t, f.dropped_len, 0);
	/* The loader's line and its space take room first. */
	append(buf, sizeof(buf), "x=1", "aaaaaaa bbbbbbb", 12, 15, &f);
	KT_EXPECT(t, strcmp(buf, "x=1 aaaaaaa") == 0);
	KT_EXPECT_EQ(t, f.dropped_len, 3);
	KT_EXPECT(t, memcmp(f.dropped, "bbb", 3) == 0);
	/* Not read past the cut: the next byte is unknown, so the word goes. */
	append(buf, sizeof(buf), "", "aaaaaaa bbbbbbbc", 15, 40, &f);
	KT_EXPECT(t, strcmp(buf, "aaaaaaa") == 0);
	KT_EXPECT_EQ(t, f.dropped_len, 7);
	/* One word longer than the room: nothing is kept. */
	append(buf, sizeof(buf), "", "0123456789abcdefghij", 16, 20, &f);
	KT_EXPECT_EQ(t, buf[0], '\0');
	KT_EXPECT_EQ(t, f.kept_bytes, 0);
	KT_EXPECT_EQ(t, f.dropped_len, 15);
}

static void nul_inside_separates_words(struct ktest *t)
{
	static const char raw[] = "shell\0snapshot=0\0\0section_bits=30";
	char buf[64];
	struct kernel_options o;
	struct fwcfg_cmdline f;

	append(buf, sizeof(buf), "", raw, sizeof(raw) - 1, sizeof(raw) - 1, &f);
	KT_EXPECT(t, strcmp(buf, "shell snapshot=0  section_bits=30") == 0);
	KT_EXPECT_EQ(t, f.nuls, 3);
	KT_EXPECT(t, !f.truncated);
	KT_EXPECT_EQ(t, options_parse(&o, buf, NULL, NULL), 0);
	KT_EXPECT(t, o.shell);
	KT_EXPECT_EQ(t, o.snapshot_bytes, 0);
	KT_EXPECT_EQ(t, o.section_bits, 30);
}

static void escape_keeps_reports_ascii(struct ktest *t)
{
	char out[64];

	KT_EXPECT_EQ(t, options_escape(out, sizeof(out), "a=1 b", 5), 5);
	KT_EXPECT(t, strcmp(out, "a=1 b") == 0);
	KT_EXPECT_EQ(t, options_escape(out, sizeof(out), "\x01q\"\\\xff\x7f\n", 7), 25);
	KT_EXPECT(t, strcmp(out, "\\x01q\\x22\\x5c\\xff\\x7f\\x0a") == 0);
	/* Cut at a whole escape, always NUL-terminated. */
	KT_EXPECT_EQ(t, options_escape(out, 6, "ab\xee", 3), 2);
	KT_EXPECT(t, strcmp(out, "ab") == 0);
	KT_EXPECT_EQ(t, options_escape(out, 1, "ab", 2), 0);
	KT_EXPECT_EQ(t, out[0], '\0');
}

KTEST_SUITE(cmdline,
	KTEST_CASE(defaults_on_empty_line),
	KTEST_CASE(every_option_parses),
	KTEST_CASE(unknown_option_is_reported_and_ignored),
	KTEST_CASE(invalid_values_keep_the_default),
	KTEST_CASE(later_words_win_and_bad_ones_do_not),
	KTEST_CASE(each_caller_has_its_own_options),
	KTEST_CASE(too_long_string_is_refused),
	KTEST_CASE(numbers),
	KTEST_CASE(fwcfg_line_is_joined_after_a_space),
	KTEST_CASE(truncation_drops_the_cut_word),
	KTEST_CASE(truncation_at_a_word_end_keeps_the_word),
	KTEST_CASE(nul_inside_separates_words),
	KTEST_CASE(escape_keeps_reports_ascii));
