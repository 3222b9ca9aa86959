/*
 * cmdline_fuzz.c: libFuzzer target for the command-line parser
 * (kernel/portable/cmdline.c).
 *
 * The harness declares its own option table, one option of every value
 * type (u32, size, flag, choice, string) and a few on purpose awkward
 * ones: a flag "b" whose name is a prefix of "bits", a string "tag" whose
 * one-byte buffer can hold no value, and ranges and buffer sizes the input
 * chooses. It then checks the parser against a plain reference written
 * here from cmdline.h:
 *   - every word of the line is either parsed (and then the option holds
 *     its value, the last valid word winning) or reported, once, in order,
 *     with the right key, value, option, problem and a reason when the
 *     value was refused; the return value counts the reports, with and
 *     without a report callback;
 *   - number and size values stay inside the range the table declares,
 *     choices are an index into the list, strings are NUL-terminated
 *     inside their buffer (heap buffers of exactly the declared size, so
 *     ASan sees a byte written past them);
 *   - the line is copied to a heap buffer ending at its NUL: a read past
 *     the NUL is a heap overflow;
 *   - cmdline_number() agrees with a reference on every input, reads only
 *     its len bytes (no NUL after them) and leaves *out alone on error.
 *
 * Input: byte 0 bit 0 picks the mode.
 *   0 "line":   byte 1 picks the u32 range (bits 0-1), the size range
 *               (bits 2-3), whether "" is a choice (bit 4); byte 2 the
 *               string buffer size (1..24 bytes); the rest up to the first
 *               NUL, at most MAX_LINE bytes, is the line.
 *   1 "number": byte 0 bit 1 turns suffixes on; the rest is the value.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/portable/cmdline.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* Longer lines add time, not paths: the parser is one pass over words. */
#define MAX_LINE   1024

#define U32_UNSET  0xdeadbeefu
#define SIZE_UNSET 0xdeadbeefcafef00dull

/* ------------------------------------------------------ the reference --- */

static bool ref_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* cmdline.h: decimal, or hex after 0x; a final K/M/G/T with suffixes. */
static bool ref_number(const char *v, size_t len, bool suffixes, uint64_t *out)
{
	unsigned __int128 n = 0, scale = 1;
	size_t i = 0;

	if (!v || len == 0)
		return false;
	if (suffixes) {
		const char *units = "KkMmGgTt";
		const char *u = memchr(units, v[len - 1], 8);

		if (u) {
			scale = (unsigned __int128)1 << (10 * (1 + (u - units) / 2));
			len--;
		}
	}
	bool hex = len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X');

	if (hex)
		i = 2;
	if (i == len)
		return false;
	for (; i < len; i++) {
		char c = v[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		n = n * (hex ? 16 : 10) + d;
		if (n > UINT64_MAX)
			return false;
	}
	n *= scale;
	if (n > UINT64_MAX)
		return false;
	*out = (uint64_t)n;
	return true;
}

static bool ref_is(const char *v, size_t len, const char *s)
{
	return v && strlen(s) == len && memcmp(v, s, len) == 0;
}

/* -------------------------------------------------- the option table --- */

enum { OPT_BITS, OPT_B, OPT_MEM, OPT_QUIET, OPT_MODE, OPT_NAME, OPT_TAG,
       OPT_N, NR_OPTS };

static const uint64_t u32_ranges[4][2] = {
	{ 22, 32 }, { 0, UINT32_MAX }, { 1, 1 }, { 100, 0xffff },
};
static const uint64_t size_ranges[4][2] = {
	{ 4096, 1ull << 40 }, { 0, UINT64_MAX }, { 1ull << 20, 1ull << 20 },
	{ 0, 0xfff },
};
static const char *const choices_plain[] = { "none", "fast", "all", "al", NULL };
static const char *const choices_empty[] = { "none", "", "fast", NULL };

/* Where the parser stores, and what the reference expects there. */
struct values {
	uint32_t bits, n, mode;
	uint64_t mem;
	bool b, quiet;
	char *name, *tag;           /* heap buffers of exactly their max bytes */
	bool name_set, tag_set;
};

static struct values got, want;
static char want_name[32];
static struct cmdline_option opts[NR_OPTS];

static void make_table(uint8_t ranges, uint8_t name_size)
{
	const uint64_t *ur = u32_ranges[ranges & 3];
	const uint64_t *sr = size_ranges[(ranges >> 2) & 3];

	opts[OPT_BITS] = (struct cmdline_option){ .name = "bits",
		.parse = cmdline_parse_u32, .dst = &got.bits,
		.min = ur[0], .max = ur[1] };
	opts[OPT_B] = (struct cmdline_option){ .name = "b",
		.parse = cmdline_parse_flag, .dst = &got.b };
	opts[OPT_MEM] = (struct cmdline_option){ .name = "mem",
		.parse = cmdline_parse_size, .dst = &got.mem,
		.min = sr[0], .max = sr[1] };
	opts[OPT_QUIET] = (struct cmdline_option){ .name = "quiet",
		.parse = cmdline_parse_flag, .dst = &got.quiet };
	opts[OPT_MODE] = (struct cmdline_option){ .name = "mode",
		.parse = cmdline_parse_choice, .dst = &got.mode,
		.choices = (ranges & 16) ? choices_empty : choices_plain };
	opts[OPT_NAME] = (struct cmdline_option){ .name = "name",
		.parse = cmdline_parse_string, .dst = got.name, .max = name_size };
	opts[OPT_TAG] = (struct cmdline_option){ .name = "tag",
		.parse = cmdline_parse_string, .dst = got.tag, .max = 1 };
	opts[OPT_N] = (struct cmdline_option){ .name = "n",
		.parse = cmdline_parse_u32, .dst = &got.n,
		.min = 0, .max = UINT32_MAX };
}

/* Would the option take this value? If so, store it in `want`. */
static bool ref_take(int i, const char *v, size_t len)
{
	const struct cmdline_option *o = &opts[i];
	uint64_t n;

	switch (i) {
	case OPT_BITS: case OPT_N:
		if (!ref_number(v, len, false, &n) || n < o->min || n > o->max)
			return false;
		*(i == OPT_BITS ? &want.bits : &want.n) = (uint32_t)n;
		return true;
	case OPT_MEM:
		if (!ref_number(v, len, true, &n) || n < o->min || n > o->max)
			return false;
		want.mem = n;
		return true;
	case OPT_B: case OPT_QUIET: {
		bool on;

		if (!v || ref_is(v, len, "1") || ref_is(v, len, "on") || ref_is(v, len, "yes"))
			on = true;
		else if (ref_is(v, len, "0") || ref_is(v, len, "off") || ref_is(v, len, "no"))
			on = false;
		else
			return false;
		*(i == OPT_B ? &want.b : &want.quiet) = on;
		return true;
	}
	case OPT_MODE:
		for (uint32_t c = 0; o->choices[c]; c++)
			if (ref_is(v, len, o->choices[c])) {
				want.mode = c;
				return true;
			}
		return false;
	case OPT_NAME: case OPT_TAG:
		if (!v || len == 0 || len + 1 > o->max)
			return false;
		if (i == OPT_NAME) {
			memcpy(want_name, v, len);
			want_name[len] = '\0';
			want.name_set = true;
		} else {
			want.tag_set = true;
		}
		return true;
	}
	abort();
}

/* ---------------------------------------------------- what is reported --- */

struct expect {
	const char *key, *value;
	size_t key_len, value_len;
	int problem;
	int opt;                    /* -1: unknown */
};

static struct expect expected[MAX_LINE / 2 + 1];
static size_t nr_expected, nr_seen;
static const char *line_start, *line_end;

static void report(void *ctx, const struct cmdline_report *r)
{
	const struct expect *e;

	CHECK(ctx == &nr_seen);
	CHECK(nr_seen < nr_expected);
	e = &expected[nr_seen++];
	CHECK(r->problem == e->problem);
	CHECK(strcmp(cmdline_strerror(r->problem), "?") != 0);
	CHECK(r->key == e->key && r->key_len == e->key_len);
	CHECK(r->key >= line_start && r->key + r->key_len <= line_end);
	CHECK(r->value == e->value && r->value_len == e->value_len);
	if (r->value)
		CHECK(r->value >= line_start && r->value + r->value_len <= line_end);
	if (e->opt < 0) {
		CHECK(r->opt == NULL && r->problem == CMDLINE_UNKNOWN_OPTION);
	} else {
		CHECK(r->opt == &opts[e->opt]);
		CHECK(r->reason && strlen(r->reason) > 0);
	}
}

/* Split the line as cmdline.h describes and predict every outcome. */
static void predict(const char *line, size_t len)
{
	const char *p = line, *end = line + len;

	nr_expected = 0;
	while (p < end) {
		const char *word, *eq = NULL;
		struct expect e;

		while (p < end && ref_space(*p))
			p++;
		if (p == end)
			break;
		word = p;
		while (p < end && !ref_space(*p)) {
			if (*p == '=' && !eq)
				eq = p;
			p++;
		}
		e = (struct expect){ .key = word, .key_len = (size_t)((eq ? eq : p) - word),
				     .value = eq ? eq + 1 : NULL,
				     .value_len = eq ? (size_t)(p - eq - 1) : 0, .opt = -1 };
		for (int i = 0; i < NR_OPTS; i++)
			if (ref_is(e.key, e.key_len, opts[i].name))
				e.opt = i;
		if (e.opt < 0)
			e.problem = CMDLINE_UNKNOWN_OPTION;
		else if (ref_take(e.opt, e.value, e.value_len))
			continue;
		else
			e.problem = CMDLINE_INVALID_VALUE;
		expected[nr_expected++] = e;
	}
}

static void reset_values(uint8_t name_size)
{
	got.bits = got.n = got.mode = U32_UNSET;
	got.mem = SIZE_UNSET;
	got.b = got.quiet = false;
	memset(got.name, 'X', name_size);
	got.tag[0] = 'X';
}

static void fuzz_line(const uint8_t *data, size_t size)
{
	uint8_t ranges, name_size;
	size_t len;
	char *line;
	unsigned int problems;

	if (size < 2)
		return;
	ranges = data[0];
	name_size = (uint8_t)(1 + data[1] % 24);
	data += 2;
	size -= 2;
	len = strnlen((const char *)data, size < MAX_LINE ? size : MAX_LINE);
	line = malloc(len + 1);
	got.name = malloc(name_size);
	got.tag = malloc(1);
	CHECK(line && got.name && got.tag);
	memcpy(line, data, len);
	line[len] = '\0';
	line_start = line;
	line_end = line + len;

	make_table(ranges, name_size);
	reset_values(name_size);
	want = got;
	predict(line, len);

	nr_seen = 0;
	problems = cmdline_parse(line, opts, NR_OPTS, report, &nr_seen);
	CHECK(problems == nr_expected && nr_seen == nr_expected);

	CHECK(got.bits == want.bits && got.n == want.n);
	CHECK(got.bits == U32_UNSET ||
	      (got.bits >= opts[OPT_BITS].min && got.bits <= opts[OPT_BITS].max));
	CHECK(got.mem == want.mem);
	CHECK(got.mem == SIZE_UNSET ||
	      (got.mem >= opts[OPT_MEM].min && got.mem <= opts[OPT_MEM].max));
	CHECK(got.b == want.b && got.quiet == want.quiet);
	CHECK(got.mode == want.mode);
	if (got.mode != U32_UNSET) {
		uint32_t nr = 0;

		while (opts[OPT_MODE].choices[nr])
			nr++;
		CHECK(got.mode < nr);
	}
	if (want.name_set) {
		CHECK(strnlen(got.name, name_size) < name_size);
		CHECK(strcmp(got.name, want_name) == 0);
	} else {
		for (uint8_t i = 0; i < name_size; i++)
			CHECK(got.name[i] == 'X');
	}
	CHECK(!want.tag_set && got.tag[0] == 'X');  /* one byte holds no value */

	/* The same line without a callback counts the same problems. */
	reset_values(name_size);
	CHECK(cmdline_parse(line, opts, NR_OPTS, NULL, NULL) == nr_expected);

	free(got.tag);
	free(got.name);
	free(line);
}

static void fuzz_number(const uint8_t *data, size_t size, bool suffixes)
{
	/* Exactly `size` bytes and no NUL after them. */
	char *v = malloc(size ? size : 1);
	uint64_t out = SIZE_UNSET, ref = SIZE_UNSET;
	bool ok;
	int rc;

	CHECK(v);
	memcpy(v, data, size);
	rc = cmdline_number(v, size, suffixes, &out);
	ok = ref_number(v, size, suffixes, &ref);
	if (ok)
		CHECK(rc == 0 && out == ref);
	else
		CHECK(rc == CMDLINE_INVALID_VALUE && out == SIZE_UNSET);
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t out = SIZE_UNSET;

	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_number(data + 1, size - 1, data[0] & 2);
	else
		fuzz_line(data + 1, size - 1);

	CHECK(cmdline_number(NULL, 4, 1, &out) == CMDLINE_INVALID_VALUE);
	CHECK(out == SIZE_UNSET);
	CHECK(strcmp(cmdline_strerror(0), "?") == 0);
	CHECK(cmdline_parse(NULL, opts, 0, report, &nr_seen) == 0);
	return 0;
}
