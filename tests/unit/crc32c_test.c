/*
 * crc32c_test.c: CRC-32C against published vectors, and the table and
 * SSE4.2 implementations against each other and against a bit-at-a-time
 * reference, at every alignment and many lengths.
 *
 * The vectors are the standard check value and the iSCSI ones of RFC 3720,
 * appendix B.4. The instruction cases are skipped on a CPU without SSE4.2,
 * e.g. QEMU's default qemu64 model.
 *
 * The fused copy (crc32c_copy and its two implementations) is checked to
 * do exactly what memcpy followed by crc32c does, for every source and
 * destination offset 0..15 and every length 0..80, plus whole and ragged
 * pages: the same bytes written, none outside them, the same CRC, and
 * every byte counted by crc32c_copied_bytes().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/ktest.h"
#include "kernel/portable/crc32c.h"

typedef uint32_t (*crc_fn)(uint32_t crc, const void *buf, size_t len);
typedef uint32_t (*copy_fn)(uint32_t crc, void *dst, const void *src,
			    size_t len);

/* One bit at a time, straight from the definition: the slowest, plainest. */
static uint32_t crc_bitwise(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t reg = ~crc;

	while (len--) {
		reg ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			reg = (reg >> 1) ^ ((reg & 1) ? 0x82F63B78u : 0);
	}
	return ~reg;
}

/* Deterministic bytes (xorshift64), so a failure can be reproduced. */
static void fill_pattern(unsigned char *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed | 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
}

static void check_vectors(struct ktest *t, crc_fn crc)
{
	unsigned char buf[32];

	KT_EXPECT_EQ(t, crc(0, "123456789", 9), 0xE3069283u);
	KT_EXPECT_EQ(t, crc(0, "", 0), 0);
	KT_EXPECT_EQ(t, crc(0, "a", 1), 0xC1D04330u);
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_EQ(t, crc(0, buf, sizeof(buf)), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	KT_EXPECT_EQ(t, crc(0, buf, sizeof(buf)), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (unsigned char)i;
	KT_EXPECT_EQ(t, crc(0, buf, sizeof(buf)), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (unsigned char)(31 - i);
	KT_EXPECT_EQ(t, crc(0, buf, sizeof(buf)), 0x113FDB5Cu);
}

/*
 * `crc` agrees with the bit-at-a-time reference for every start offset
 * 0..15 and every length 0..80, plus a whole page, on a page of pattern.
 */
static void check_against_reference(struct ktest *t, crc_fn crc)
{
	unsigned char *page = ktest_page_alloc();

	KT_ASSERT(t, page != NULL);
	fill_pattern(page, 4096, 0x5eed);
	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len <= 80; len++)
			if (crc(0x1234, page + off, len) !=
			    crc_bitwise(0x1234, page + off, len))
				ktest_fail(t, __FILE__, __LINE__,
					   "offset %lu length %lu disagrees",
					   (unsigned long)off, (unsigned long)len);
	KT_EXPECT_EQ(t, crc(0, page, 4096), crc_bitwise(0, page, 4096));
	ktest_page_free(page);
}

/* A CRC computed in two pieces equals the CRC of the whole. */
static void check_pieces(struct ktest *t, crc_fn crc)
{
	unsigned char *page = ktest_page_alloc();
	uint32_t whole;

	KT_ASSERT(t, page != NULL);
	fill_pattern(page, 4096, 42);
	whole = crc(0, page, 4096);
	for (size_t split = 0; split <= 4096; split += 131)
		KT_EXPECT_EQ(t, crc(crc(0, page, split), page + split, 4096 - split),
			     whole);
	ktest_page_free(page);
}

static bool hw_or_skip(struct ktest *t)
{
	if (crc32c_hw_available())
		return true;
	ktest_skip(t, "no SSE4.2 crc32 instruction on this CPU");
	return false;
}

static void table_vectors(struct ktest *t)
{
	check_vectors(t, crc32c_table);
}

static void table_matches_reference(struct ktest *t)
{
	check_against_reference(t, crc32c_table);
}

static void table_in_pieces(struct ktest *t)
{
	check_pieces(t, crc32c_table);
}

static void hw_vectors(struct ktest *t)
{
	if (hw_or_skip(t))
		check_vectors(t, crc32c_hw);
}

static void hw_matches_reference(struct ktest *t)
{
	if (hw_or_skip(t))
		check_against_reference(t, crc32c_hw);
}

static void hw_in_pieces(struct ktest *t)
{
	if (hw_or_skip(t))
		check_pieces(t, crc32c_hw);
}

/* crc32c() picks one of the two; whichever it is, the answers hold. */
static void default_vectors(struct ktest *t)
{
	ktest_log(t, "crc32c implementation: %s", crc32c_impl_name());
	check_vectors(t, crc32c);
}

#define GUARD 0xa5   /* what the destination holds outside the copy */

/*
 * One copy of src[0..len) to dst + doff (dst a page; its bytes up to 16
 * past the copy are checked untouched), checked against memcpy + crc32c
 * (the plain one-pass reference being crc_bitwise). Returns false, having
 * reported, on the first thing that differs.
 */
static bool copy_case(struct ktest *t, copy_fn copy, const unsigned char *src,
		      unsigned char *dst, size_t doff, size_t len)
{
	uint64_t counted = crc32c_copied_bytes();
	uint32_t got;
	size_t span = doff + len + 16 < 4096 ? doff + len + 16 : 4096;

	memset(dst, GUARD, span);
	got = copy(0x1234, dst + doff, src, len);
	if (got != crc_bitwise(0x1234, src, len) || memcmp(dst + doff, src, len)) {
		ktest_fail(t, __FILE__, __LINE__,
			   "source offset %lu destination offset %lu length %lu: "
			   "wrong CRC or bytes",
			   (unsigned long)((uintptr_t)src & 15),
			   (unsigned long)doff, (unsigned long)len);
		return false;
	}
	for (size_t i = 0; i < span; i++)
		if ((i < doff || i >= doff + len) && dst[i] != GUARD) {
			ktest_fail(t, __FILE__, __LINE__,
				   "destination offset %lu length %lu: byte %lu "
				   "outside the copy written",
				   (unsigned long)doff, (unsigned long)len,
				   (unsigned long)i);
			return false;
		}
	if (crc32c_copied_bytes() - counted != len) {
		ktest_fail(t, __FILE__, __LINE__, "length %lu counted as %llu",
			   (unsigned long)len,
			   (unsigned long long)(crc32c_copied_bytes() - counted));
		return false;
	}
	return true;
}

static void check_copy(struct ktest *t, copy_fn copy)
{
	unsigned char *src = ktest_page_alloc();
	unsigned char *dst = ktest_page_alloc();
	/* Whole pages, and lengths around them, at a few offsets. */
	static const size_t long_lens[] = { 4096 - 32, 4096 - 17, 4096 - 16 - 7 };
	bool ok = true;

	KT_ASSERT(t, src != NULL && dst != NULL);
	fill_pattern(src, 4096, 0xc0b1);
	for (size_t soff = 0; ok && soff < 16; soff++)
		for (size_t doff = 0; ok && doff < 16; doff++)
			for (size_t len = 0; ok && len <= 80; len++)
				ok = copy_case(t, copy, src + soff, dst, doff, len);
	for (size_t k = 0; ok && k < sizeof(long_lens) / sizeof(long_lens[0]); k++)
		for (size_t off = 0; ok && off < 16; off += 5)
			ok = copy_case(t, copy, src + off, dst, 15 - off, long_lens[k]);
	/* A page to a page, as the snapshot copies. */
	if (ok) {
		uint64_t counted = crc32c_copied_bytes();

		KT_EXPECT_EQ(t, copy(0, dst, src, 4096), crc_bitwise(0, src, 4096));
		KT_EXPECT(t, memcmp(dst, src, 4096) == 0);
		KT_EXPECT_EQ(t, crc32c_copied_bytes() - counted, 4096);
	}
	ktest_page_free(dst);
	ktest_page_free(src);
}

/* Copied in two pieces, continued from the first CRC: as one copy. */
static void check_copy_pieces(struct ktest *t, copy_fn copy)
{
	unsigned char *src = ktest_page_alloc();
	unsigned char *dst = ktest_page_alloc();
	uint32_t whole;

	KT_ASSERT(t, src != NULL && dst != NULL);
	fill_pattern(src, 4096, 99);
	whole = crc32c_table(0, src, 4096);
	for (size_t split = 0; split <= 4096; split += 131) {
		memset(dst, 0, 4096);
		KT_EXPECT_EQ(t, copy(copy(0, dst, src, split), dst + split,
				     src + split, 4096 - split), whole);
		KT_EXPECT(t, memcmp(dst, src, 4096) == 0);
	}
	ktest_page_free(dst);
	ktest_page_free(src);
}

static void table_copy(struct ktest *t)
{
	check_copy(t, crc32c_copy_table);
	check_copy_pieces(t, crc32c_copy_table);
}

static void hw_copy(struct ktest *t)
{
	if (hw_or_skip(t)) {
		check_copy(t, crc32c_copy_hw);
		check_copy_pieces(t, crc32c_copy_hw);
	}
}

/* crc32c_copy() picks as crc32c() does, and counts each byte once. */
static void default_copy(struct ktest *t)
{
	check_copy(t, crc32c_copy);
}

/* Flipping any single bit of a page changes its CRC. */
static void single_bit_flips_detected(struct ktest *t)
{
	unsigned char *page = ktest_page_alloc();
	uint32_t good;

	KT_ASSERT(t, page != NULL);
	fill_pattern(page, 4096, 7);
	good = crc32c(0, page, 4096);
	for (size_t bit = 0; bit < 4096 * 8; bit += 37) {
		page[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (crc32c(0, page, 4096) == good)
			ktest_fail(t, __FILE__, __LINE__,
				   "bit %lu flip not detected", (unsigned long)bit);
		page[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	ktest_page_free(page);
}

KTEST_SUITE(crc32c,
	KTEST_CASE(table_vectors),
	KTEST_CASE(table_matches_reference),
	KTEST_CASE(table_in_pieces),
	KTEST_CASE(hw_vectors),
	KTEST_CASE(hw_matches_reference),
	KTEST_CASE(hw_in_pieces),
	KTEST_CASE(default_vectors),
	KTEST_CASE(table_copy),
	KTEST_CASE(hw_copy),
	KTEST_CASE(default_copy),
	KTEST_CASE(single_bit_flips_detected));
