/*
 * text_test.c: host tests of the GNU-EFI loader's text helpers (text.c):
 * EFI status names and the load options -> command line conversion.
 * (Host only: boot/efi/ is not linked into the kernel.)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/ktest.h"
#include "boot/efi/text.h"

#define ERR(n) ((1ull << 63) | (n))

static void status_names(struct ktest *t)
{
	KT_EXPECT(t, strcmp(efi_status_name(0), "EFI_SUCCESS") == 0);
	KT_EXPECT(t, strcmp(efi_status_name(ERR(14)), "EFI_NOT_FOUND") == 0);
	KT_EXPECT(t, strcmp(efi_status_name(ERR(2)), "EFI_INVALID_PARAMETER") == 0);
	KT_EXPECT(t, strcmp(efi_status_name(ERR(9)), "EFI_OUT_OF_RESOURCES") == 0);
	KT_EXPECT(t, strcmp(efi_status_name(ERR(1)), "EFI_LOAD_ERROR") == 0);
	KT_EXPECT(t, strcmp(efi_status_name(ERR(33)), "EFI_COMPROMISED_DATA") == 0);
	/* Gaps in the table, codes past it, and warnings. */
	KT_EXPECT(t, strcmp(efi_status_name(ERR(29)), "EFI_UNKNOWN_ERROR") == 0);
	KT_EXPECT(t, strcmp(efi_status_name(ERR(0)), "EFI_UNKNOWN_ERROR") == 0);
	KT_EXPECT(t, strcmp(efi_status_name(ERR(1000)), "EFI_UNKNOWN_ERROR") == 0);
	KT_EXPECT(t, strcmp(efi_status_name(4), "EFI_WARNING") == 0);
}

/* Write s as UCS-2 little-endian into buf; returns the bytes written,
 * with the NUL terminator when nul is set. */
static uint64_t ucs2(uint8_t *buf, const char *s, int nul)
{
	uint64_t n = 0;

	for (; *s; s++) {
		buf[n++] = (uint8_t)*s;
		buf[n++] = 0;
	}
	if (nul) {
		buf[n++] = 0;
		buf[n++] = 0;
	}
	return n;
}

/* Convert `in` (as UCS-2, NUL-terminated if nul) and expect `want`. */
static void expect_options(struct ktest *t, const char *in, int nul,
			   const char *want)
{
	uint8_t raw[256];
	char out[64];
	uint64_t n = ucs2(raw, in, nul);

	KT_EXPECT_EQ(t, load_options_ascii(raw, n, out, sizeof(out)), LOAD_OPTIONS_OK);
	if (strcmp(out, want) != 0)
		ktest_fail(t, __FILE__, __LINE__, "\"%s\" gave \"%s\", want \"%s\"",
			   in, out, want);
}

static void options_become_ascii(struct ktest *t)
{
	uint8_t raw[16];
	char out[64];
	uint64_t n;

	expect_options(t, "ktest=none shell", 1, "ktest=none shell");
	/* Without a terminator, and with spaces and tabs around. */
	expect_options(t, " \tsection_bits=24  ", 0, "section_bits=24");

	/* Bytes after the terminator are not part of the options. */
	n = ucs2(raw, "a=1", 1);
	raw[n] = 0x01;
	raw[n + 1] = 0xd8;
	KT_EXPECT_EQ(t, load_options_ascii(raw, n + 2, out, sizeof(out)), LOAD_OPTIONS_OK);
	KT_EXPECT(t, strcmp(out, "a=1") == 0);

	/* None at all. */
	KT_EXPECT_EQ(t, load_options_ascii(NULL, 0, out, sizeof(out)), LOAD_OPTIONS_OK);
	KT_EXPECT(t, strcmp(out, "") == 0);
}

static void program_path_is_dropped(struct ktest *t)
{
	expect_options(t, "\\EFI\\BOOT\\BOOTX64.EFI ktest=all", 1, "ktest=all");
	expect_options(t, "fs0:\\loader.efi", 1, "");
	/* Only the first word is a candidate, and only if it ends in .efi. */
	expect_options(t, "efi=1 x.efi", 1, "efi=1 x.efi");
}

static void binary_options_are_refused(struct ktest *t)
{
	/* Binary optional data: here a GUID. */
	static const uint8_t guid[16] = {
		0x4e, 0xac, 0x08, 0x81, 0x11, 0x9f, 0x59, 0x4d,
		0x85, 0x0e, 0xe2, 0x1a, 0x52, 0x2c, 0x59, 0xb2 };
	uint8_t raw[8];
	char out[64];

	KT_EXPECT_EQ(t, load_options_ascii(guid, sizeof(guid), out, sizeof(out)),
		     LOAD_OPTIONS_NOT_TEXT);
	KT_EXPECT(t, strcmp(out, "") == 0);

	/* An odd size cannot be UCS-2. */
	KT_EXPECT_EQ(t, load_options_ascii("a\0b", 3, out, sizeof(out)),
		     LOAD_OPTIONS_NOT_TEXT);

	/* Non-ASCII characters (U+00E9) and control characters. */
	ucs2(raw, "ab", 0);
	raw[2] = 0xe9;
	KT_EXPECT_EQ(t, load_options_ascii(raw, 4, out, sizeof(out)),
		     LOAD_OPTIONS_NOT_TEXT);
	raw[2] = '\n';
	KT_EXPECT_EQ(t, load_options_ascii(raw, 4, out, sizeof(out)),
		     LOAD_OPTIONS_NOT_TEXT);
	KT_EXPECT(t, strcmp(out, "") == 0);
}

static void too_long_options(struct ktest *t)
{
	uint8_t raw[64];
	char out[8];
	uint64_t n;

	n = ucs2(raw, "1234567", 1);            /* 7 chars + NUL fit 8 */
	KT_EXPECT_EQ(t, load_options_ascii(raw, n, out, sizeof(out)), LOAD_OPTIONS_OK);
	KT_EXPECT(t, strcmp(out, "1234567") == 0);
	n = ucs2(raw, "12345678", 1);
	KT_EXPECT_EQ(t, load_options_ascii(raw, n, out, sizeof(out)),
		     LOAD_OPTIONS_TOO_LONG);
	KT_EXPECT(t, strcmp(out, "") == 0);
	KT_EXPECT_EQ(t, load_options_ascii(raw, n, out, 0), LOAD_OPTIONS_TOO_LONG);
}

static void expect_take(struct ktest *t, const char *in, const char *word,
			int found, const char *out)
{
	char line[64];
	size_t n = strlen(in);

	memcpy(line, in, n + 1);
	KT_EXPECT_EQ(t, take_word(line, word), found);
	if (strcmp(line, out) != 0)
		ktest_fail(t, __FILE__, __LINE__, "take_word(\"%s\", \"%s\") left \"%s\", not \"%s\"",
			   in, word, line, out);
}

static void loader_words_are_taken_out(struct ktest *t)
{
	expect_take(t, "efi_test=stale_map_key", "efi_test=stale_map_key", 1, "");
	expect_take(t, "efi_test=stale_map_key ktest=none", "efi_test=stale_map_key", 1, "ktest=none");
	expect_take(t, "ktest=none efi_test=stale_map_key", "efi_test=stale_map_key", 1, "ktest=none");
	expect_take(t, "a efi_test=stale_map_key b", "efi_test=stale_map_key", 1, "a b");
	expect_take(t, "xefi_test=stale_map_key b", "efi_test=stale_map_key", 0, "xefi_test=stale_map_key b");
	expect_take(t, "efi_test=stale_map_keyx", "efi_test=stale_map_key", 0, "efi_test=stale_map_keyx");
	expect_take(t, "", "efi_test=stale_map_key", 0, "");
	expect_take(t, "a a", "a", 1, "a");
}

KTEST_SUITE(efi_text,
	    KTEST_CASE(status_names),
	    KTEST_CASE(options_become_ascii),
	    KTEST_CASE(program_path_is_dropped),
	    KTEST_CASE(binary_options_are_refused),
	    KTEST_CASE(too_long_options),
	    KTEST_CASE(loader_words_are_taken_out));
