/*
 * cmdline_test.c: the command-line parser and the kernel's option table.
 * Runs on the host (TAP) and in the kernel (KTAP).
 */
#include <string.h>

#include "kernel/portable/cmdline.h"
#include "kernel/options.h"
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
	struct seen s = { 0 };

	KT_EXPECT_EQ(t, options_parse("", collect, &s), 0);
	KT_EXPECT_EQ(t, kopts.section_bits, 27);
	KT_EXPECT_EQ(t, kopts.snapshot_bytes, 16ULL << 20);
	KT_EXPECT_EQ(t, kopts.crash, CRASH_NONE);
	KT_EXPECT_EQ(t, kopts.fail_alloc_nth, 0);
	KT_EXPECT(t, !kopts.shell);
	KT_EXPECT_EQ(t, kopts.ktest[0], '\0');
	KT_EXPECT_EQ(t, options_parse(NULL, collect, &s), 0);
	KT_EXPECT_EQ(t, options_parse("   \t ", collect, &s), 0);
}

static void every_option_parses(struct ktest *t)
{
	struct seen s = { 0 };

	KT_EXPECT_EQ(t, options_parse("  section_bits=30 snapshot=64M crash=ud "
				      "fail_alloc=7,every snapshot_corrupt=memmap "
				      "shell ktest=a,b", collect, &s), 0);
	KT_EXPECT_EQ(t, kopts.section_bits, 30);
	KT_EXPECT_EQ(t, kopts.snapshot_bytes, 64ULL << 20);
	KT_EXPECT_EQ(t, kopts.crash, CRASH_UD);
	KT_EXPECT_EQ(t, kopts.fail_alloc_nth, 7);
	KT_EXPECT(t, kopts.fail_alloc_every);
	KT_EXPECT_EQ(t, kopts.snapshot_corrupt, CORRUPT_MEMMAP);
	KT_EXPECT(t, kopts.shell);
	KT_EXPECT(t, strcmp(kopts.ktest, "a,b") == 0);
}

static void unknown_option_is_reported_and_ignored(struct ktest *t)
{
	struct seen s = { 0 };

	KT_EXPECT_EQ(t, options_parse("frobnicate=1 section_bits=25 bare", collect, &s), 2);
	KT_EXPECT_EQ(t, s.unknown, 2);
	KT_EXPECT(t, strcmp(s.last_key, "bare") == 0);
	KT_EXPECT_EQ(t, kopts.section_bits, 25);
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
		"snapshot_corrupt=all", "ktest=",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct seen s = { 0 };

		KT_EXPECT_EQ(t, options_parse(bad[i], collect, &s), 1);
		KT_EXPECT_EQ(t, s.invalid, 1);
		KT_EXPECT(t, s.last_reason != NULL);
		KT_EXPECT_EQ(t, kopts.section_bits, 27);
		KT_EXPECT_EQ(t, kopts.snapshot_bytes, 16ULL << 20);
		KT_EXPECT_EQ(t, kopts.crash, CRASH_NONE);
		KT_EXPECT_EQ(t, kopts.fail_alloc_nth, 0);
		KT_EXPECT(t, !kopts.shell);
		KT_EXPECT_EQ(t, kopts.snapshot_corrupt, CORRUPT_NONE);
		if (ktest_failed(t)) {
			ktest_log(t, "input: %s", bad[i]);
			return;
		}
	}
}

static void later_words_win_and_bad_ones_do_not(struct ktest *t)
{
	struct seen s = { 0 };

	KT_EXPECT_EQ(t, options_parse("section_bits=24 section_bits=28 section_bits=40",
				      collect, &s), 1);
	KT_EXPECT_EQ(t, kopts.section_bits, 28);
}

static void too_long_string_is_refused(struct ktest *t)
{
	static char line[400];
	struct seen s = { 0 };

	memcpy(line, "ktest=", 6);
	memset(line + 6, 'x', sizeof(line) - 7);
	line[sizeof(line) - 1] = '\0';
	KT_EXPECT_EQ(t, options_parse(line, collect, &s), 1);
	KT_EXPECT(t, strcmp(s.last_reason, "too long") == 0);
	KT_EXPECT_EQ(t, kopts.ktest[0], '\0');
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

/*
 * options_parse() rewrites the global kopts. In the kernel the real options
 * must survive this suite, so every case puts them back when it is done.
 */
#define KEEP_KOPTS(fn)                                          \
	static void fn##_keeping_kopts(struct ktest *t)         \
	{                                                       \
		struct kernel_options saved = kopts;            \
		fn(t);                                          \
		kopts = saved;                                  \
	}
KEEP_KOPTS(defaults_on_empty_line)
KEEP_KOPTS(every_option_parses)
KEEP_KOPTS(unknown_option_is_reported_and_ignored)
KEEP_KOPTS(invalid_values_keep_the_default)
KEEP_KOPTS(later_words_win_and_bad_ones_do_not)
KEEP_KOPTS(too_long_string_is_refused)

KTEST_SUITE(cmdline,
	{ "defaults_on_empty_line", defaults_on_empty_line_keeping_kopts },
	{ "every_option_parses", every_option_parses_keeping_kopts },
	{ "unknown_option_is_reported_and_ignored", unknown_option_is_reported_and_ignored_keeping_kopts },
	{ "invalid_values_keep_the_default", invalid_values_keep_the_default_keeping_kopts },
	{ "later_words_win_and_bad_ones_do_not", later_words_win_and_bad_ones_do_not_keeping_kopts },
	{ "too_long_string_is_refused", too_long_string_is_refused_keeping_kopts },
	KTEST_CASE(numbers));
