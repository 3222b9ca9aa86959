/*
 * crc32c.c: CRC-32C by table (slicing-by-8) or by SSE4.2's `crc32`.
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
 * crc_table[0]. The 8 KiB of tables are filled on first use.
 *
 * The instruction. `crc32b`/`crc32q` fold 1 or 8 bytes into the register in
 * hardware, with the same polynomial and bit order. Loads and stores of 8
 * bytes use __builtin_memcpy, which compiles to one unaligned mov even in
 * the kernel's -fno-builtin build.
 *
 * Each implementation folds bytes through two helpers, *_byte and *_word,
 * shared by its plain CRC and its copy (crc32c_copy_*), so the two cannot
 * drift apart. The copy is the same loop with a store added: one pass per
 * buffer, no unrolling. crc32c_copy() picks the instruction when CPUID has
 * it, as crc32c() does; under QEMU's TCG the instruction is emulated bit by
 * bit and is several times slower than the table (docs/performance.md), but
 * the default qemu64 CPU model does not offer it.
 */
#include "kernel/portable/crc32c.h"

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

uint32_t crc32c_table(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t reg = ~crc;

	if (!crc_table_ready)
		crc_table_fill();
	for (; len && ((uintptr_t)p & 7); len--, p++)
		reg = table_byte(reg, *p);
	for (; len >= 8; len -= 8, p += 8)
		reg = table_word(reg, load64(p));
	for (; len; len--, p++)
		reg = table_byte(reg, *p);
	return ~reg;
}

/*
 * The copy, in one pass: each 8-byte word is loaded once, folded into the
 * CRC and stored from the same register, so the CRC is of exactly the
 * bytes written. Bytes before `src` is 8-byte aligned, and the last few,
 * go one at a time; `dst` may have any alignment.
 */
uint32_t crc32c_copy_table(uint32_t crc, void *dst, const void *src, size_t len)
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
	for (; len >= 8; len -= 8, s += 8, d += 8) {
		uint64_t v = load64(s);

		reg = table_word(reg, v);
		store64(d, v);
	}
	for (; len; len--, s++, d++) {
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

uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
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
uint32_t crc32c_copy_hw(uint32_t crc, void *dst, const void *src, size_t len)
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
