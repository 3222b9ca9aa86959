/*
 * crc32c.c: CRC-32C by table (slicing-by-8 and a sparse fold) or by
 * SSE4.2's `crc32`.
 *
 * Inside, a CRC is kept in its "register" form, inverted: the public value
 * `crc` becomes ~crc on the way in and is inverted again on the way out.
 * That is what makes crc32c(0, ...) start from the standard ~0.
 *
 * The table. crc_table[0][b] is the CRC register after feeding one byte b
 * into a zero register, one bit at a time, using the reversed polynomial.
 * crc_table[k][b] is the same byte followed by k zero bytes. With them, eight
 * bytes are folded in with eight lookups and no loop over bits
 * ("slicing-by-8"); odd bytes at the ends go one at a time through
 * crc_table[0]. The 8 KiB of tables are filled on first use. Long buffers
 * go through the sparse fold first (below), which needs no table at all
 * until their last 32 bytes.
 *
 * The instruction. `crc32b`/`crc32q` fold 1 or 8 bytes into the register in
 * hardware, with the same polynomial and bit order. Loads and stores of 8
 * bytes use __builtin_memcpy, which compiles to one unaligned mov even in
 * the kernel's -fno-builtin build.
 *
 * Each implementation has one loop, shared by its plain CRC and its copy
 * (crc32c_copy_*; the plain CRC passes no destination), so the two cannot
 * drift apart. crc32c_copy() picks the instruction when CPUID has it, as
 * crc32c() does; under QEMU's TCG the instruction is emulated bit by bit
 * and is several times slower than the table (docs/performance.md), but
 * the default qemu64 CPU model does not offer it.
 */
#include "kernel/portable/crc32c.h"

/*
 * Code placement, a trick kept here. Under QEMU's TCG, a loop whose body
 * straddles a 4 KiB page boundary runs several times slower: a jump to
 * another guest page is not chained to its translated target. Each CRC
 * routine below is well under 1 KiB, so starting it on a 1 KiB boundary
 * keeps it, and its loop, on one page wherever the linker puts it.
 * tests/host/placement.t checks the kernel build; docs/performance.md
 * ("Code placement") has the figures.
 */
#define ON_ONE_PAGE __attribute__((aligned(1024)))

#define CRC32C_POLY_REVERSED 0x82F63B78u   /* 0x1EDC6F41, bits reversed */

static uint32_t crc_table[8][256];
static bool crc_table_ready;
static uint64_t copied_bytes;   /* through crc32c_copy*(), for the tests */

static void crc_table_fill(void)
{
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t reg = b;

		for (int bit = 0; bit < 8; bit++)
			reg = (reg >> 1) ^ ((reg & 1) ? CRC32C_POLY_REVERSED : 0);
		crc_table[0][b] = reg;
	}
	for (int k = 1; k < 8; k++)
		for (int b = 0; b < 256; b++) {
			uint32_t prev = crc_table[k - 1][b];

			crc_table[k][b] = (prev >> 8) ^ crc_table[0][prev & 0xff];
		}
	crc_table_ready = true;
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));   /* little-endian, any alignment */
	return v;
}

static inline void store64(unsigned char *p, uint64_t v)
{
	__builtin_memcpy(p, &v, sizeof(v));   /* any alignment */
}

/* One byte into the register, by table. */
static inline uint32_t table_byte(uint32_t reg, unsigned char b)
{
	return (reg >> 8) ^ crc_table[0][(reg ^ b) & 0xff];
}

/* Eight bytes (v, little-endian) into the register: slicing-by-8. */
static inline uint32_t table_word(uint32_t reg, uint64_t v)
{
	v ^= reg;
	return crc_table[7][v & 0xff] ^
	       crc_table[6][(v >> 8) & 0xff] ^
	       crc_table[5][(v >> 16) & 0xff] ^
	       crc_table[4][(v >> 24) & 0xff] ^
	       crc_table[3][(v >> 32) & 0xff] ^
	       crc_table[2][(v >> 40) & 0xff] ^
	       crc_table[1][(v >> 48) & 0xff] ^
	       crc_table[0][v >> 56];
}

/*
 * The sparse fold: a trick, kept here and used only by table_run().
 *
 * A reflected CRC reads the message as a polynomial over GF(2) whose
 * first bit (bit 0 of byte 0) has the highest degree, and the CRC is that
 * polynomial, times x^32, modulo P (the CRC-32C polynomial). So anything
 * that leaves the message unchanged modulo P leaves the CRC unchanged. P
 * divides
 *
 *     x^209 + x^144 + x^54 + x^39 + x^14 + 1,
 *
 * so a message bit may be cleared and xored instead into the five bits
 * that lie 209, 195, 170, 155 and 65 bits after it (209 - 0, 209 - 14, ...):
 * a bit of degree d becomes the degrees d - 209 + {144, 54, 39, 14, 0}.
 * Pushing each 64-bit word, in turn, onto the words after it empties the
 * buffer into its last FOLD_WORDS words (256 bits, at least 209), whose
 * CRC from a zero register is the CRC of the whole buffer: leading zero
 * words leave a zero register zero.
 *
 * Per word that is a load, some shifts and xors on FOLD_WORDS pending
 * words held in registers, and (in a copy) a store: no table load at all,
 * where slicing-by-8 makes eight. Under QEMU's TCG every memory access
 * costs a software TLB lookup, and this is what lets the snapshot copy
 * run at half the speed of memcpy (docs/performance.md).
 */
#define FOLD_SPAN  209          /* x^209 is the fold's highest term */
#define FOLD_WORDS 4            /* words a push reaches: 209 bits < 4 * 64 */

/* Xor word m, moved `bits` (64..FOLD_SPAN) stream bits later, into the
 * pending words: ahead[0] is the word after m's, ahead[1] the one after
 * that, and so on. A later stream bit is a higher bit of a little-endian
 * word, so the move is a left shift that spills into the next word. */
static inline void fold_push(uint64_t ahead[FOLD_WORDS], uint64_t m,
			     unsigned int bits)
{
	unsigned int word = bits / 64, shift = bits % 64;

	if (shift == 0) {
		ahead[word - 1] ^= m;
	} else {
		ahead[word - 1] ^= m << shift;
		ahead[word] ^= m >> (64 - shift);
	}
}

/*
 * The table implementation's one loop over nr_words 8-byte words at s,
 * continuing register `reg`; with `copy`, each word is also stored to d
 * as it goes. Always inlined, with `copy` a constant, so the loop holds
 * no test of it. All but the last FOLD_WORDS words go through the fold;
 * those, and buffers that short, through slicing-by-8.
 */
static inline __attribute__((always_inline)) uint32_t
table_run(uint32_t reg, bool copy, unsigned char *d, const unsigned char *s,
	  size_t nr_words)
{
	uint64_t ahead[FOLD_WORDS] = { 0 };
	uint64_t v;

	if (nr_words > FOLD_WORDS) {
		ahead[0] = reg;  /* the register enters as the first word's
				    pending bits; from here the CRC is in ahead[] */
		reg = 0;
		for (; nr_words > FOLD_WORDS; nr_words--, s += 8) {
			uint64_t m = (v = load64(s)) ^ ahead[0];

			if (copy) {
				store64(d, v);
				d += 8;
			}
			for (int k = 0; k < FOLD_WORDS - 1; k++)
				ahead[k] = ahead[k + 1];
			ahead[FOLD_WORDS - 1] = 0;
			fold_push(ahead, m, FOLD_SPAN - 0);
			fold_push(ahead, m, FOLD_SPAN - 14);
			fold_push(ahead, m, FOLD_SPAN - 39);
			fold_push(ahead, m, FOLD_SPAN - 54);
			fold_push(ahead, m, FOLD_SPAN - 144);
		}
	}
	for (int k = 0; nr_words > 0; k++, nr_words--, s += 8) {   /* <= FOLD_WORDS */
		v = load64(s);
		if (copy) {
			store64(d, v);
			d += 8;
		}
		reg = table_word(reg, v ^ ahead[k]);
	}
	return reg;
}

ON_ONE_PAGE uint32_t crc32c_table(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t reg = ~crc;

	if (!crc_table_ready)
		crc_table_fill();
	for (; len && ((uintptr_t)p & 7); len--, p++)
		reg = table_byte(reg, *p);
	reg = table_run(reg, false, NULL, p, len / 8);
	for (p += len & ~(size_t)7, len &= 7; len; len--, p++)
		reg = table_byte(reg, *p);
	return ~reg;
}

/*
 * The copy, in one pass: each 8-byte word is loaded once, folded into the
 * CRC and stored from the same register, so the CRC is of exactly the
 * bytes written. Bytes before `src` is 8-byte aligned, and the last few,
 * go one at a time; `dst` may have any alignment.
 */
ON_ONE_PAGE uint32_t crc32c_copy_table(uint32_t crc, void *dst, const void *src, size_t len)
{
	const unsigned char *s = src;
	unsigned char *d = dst;
	uint32_t reg = ~crc;

	copied_bytes += len;
	if (!crc_table_ready)
		crc_table_fill();
	for (; len && ((uintptr_t)s & 7); len--, s++, d++) {
		*d = *s;
		reg = table_byte(reg, *s);
	}
	reg = table_run(reg, true, d, s, len / 8);
	for (s += len & ~(size_t)7, d += len & ~(size_t)7, len &= 7; len;
	     len--, s++, d++) {
		*d = *s;
		reg = table_byte(reg, *s);
	}
	return ~reg;
}

#if defined(__x86_64__)

bool crc32c_hw_available(void)
{
	static int known = -1;   /* -1 not asked yet, else 0 or 1 */
	uint32_t eax = 1, ebx, ecx = 0, edx;

	if (known < 0) {
		__asm__ volatile("cpuid"
				 : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
		known = (ecx >> 20) & 1;
	}
	return known == 1;
}

static inline uint64_t hw_byte(uint64_t reg, unsigned char b)
{
	__asm__("crc32b %1, %k0" : "+r"(reg) : "rm"(b));
	return reg;
}

static inline uint64_t hw_word(uint64_t reg, uint64_t v)
{
	__asm__("crc32q %1, %0" : "+r"(reg) : "rm"(v));
	return reg;
}

ON_ONE_PAGE uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t reg = (uint32_t)~crc;

	for (; len && ((uintptr_t)p & 7); len--, p++)
		reg = hw_byte(reg, *p);
	for (; len >= 8; len -= 8, p += 8)
		reg = hw_word(reg, load64(p));
	for (; len; len--, p++)
		reg = hw_byte(reg, *p);
	return ~(uint32_t)reg;
}

/* The same one pass as crc32c_copy_table(), with the instruction. */
ON_ONE_PAGE uint32_t crc32c_copy_hw(uint32_t crc, void *dst, const void *src, size_t len)
{
	const unsigned char *s = src;
	unsigned char *d = dst;
	uint64_t reg = (uint32_t)~crc;

	copied_bytes += len;
	for (; len && ((uintptr_t)s & 7); len--, s++, d++) {
		*d = *s;
		reg = hw_byte(reg, *s);
	}
	for (; len >= 8; len -= 8, s += 8, d += 8) {
		uint64_t v = load64(s);

		reg = hw_word(reg, v);
		store64(d, v);
	}
	for (; len; len--, s++, d++) {
		*d = *s;
		reg = hw_byte(reg, *s);
	}
	return ~(uint32_t)reg;
}

#else   /* no such instruction on this architecture */

bool crc32c_hw_available(void)
{
	return false;
}

uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return crc32c_table(crc, buf, len);
}

uint32_t crc32c_copy_hw(uint32_t crc, void *dst, const void *src, size_t len)
{
	return crc32c_copy_table(crc, dst, src, len);
}

#endif

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
	if (crc32c_hw_available())
		return crc32c_hw(crc, buf, len);
	return crc32c_table(crc, buf, len);
}

uint32_t crc32c_copy(uint32_t crc, void *dst, const void *src, size_t len)
{
	if (crc32c_hw_available())
		return crc32c_copy_hw(crc, dst, src, len);
	return crc32c_copy_table(crc, dst, src, len);
}

uint64_t crc32c_copied_bytes(void)
{
	return copied_bytes;
}

const char *crc32c_impl_name(void)
{
	return crc32c_hw_available() ? "sse4.2" : "table";
}
