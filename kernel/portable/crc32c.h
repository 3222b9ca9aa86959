/*
 * crc32c.h: CRC-32C (Castagnoli), the checksum of the snapshot image.
 *
 * CRC-32C is the reflected CRC with polynomial 0x1EDC6F41 (0x82F63B78 bit
 * reversed), initial value ~0 and final xor ~0; crc32c("123456789") is
 * 0xE3069283. It is the CRC that SSE4.2's `crc32` instruction computes, so
 * on CPUs that have it the checksum costs about one instruction per 8 bytes.
 *
 * Portable: builds for the kernel and for the host. Two implementations give
 * the same answers and are both tested:
 *   - a table one that runs anywhere (slicing-by-8, after a table-free
 *     "sparse fold" over all but the last 32 bytes of a long buffer);
 *   - the `crc32` instruction, used only when CPUID says SSE4.2 is present.
 *     It works on general-purpose registers, so the kernel's
 *     -mgeneral-regs-only does not stand in its way.
 *
 * Every function takes and returns a *finished* CRC, so a checksum can be
 * computed in pieces:  crc32c(crc32c(0, a, n), b, m) == crc32c(0, a|b, n+m).
 */
#ifndef DYNFLAGS_CRC32C_H
#define DYNFLAGS_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CRC-32C of buf[0..len) continued from `crc` (0 to start), fastest way. */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

/* The same, always with the table. */
uint32_t crc32c_table(uint32_t crc, const void *buf, size_t len);

/*
 * The same, always with the SSE4.2 instruction. Call it only when
 * crc32c_hw_available() is true; otherwise it raises #UD.
 */
uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len);

/*
 * Copy src[0..len) to dst and return the CRC-32C of the bytes, continued
 * from `crc`, in one pass: each 8-byte word is read once, folded into the
 * CRC and stored. The result equals memcpy(dst, src, len) followed by
 * crc32c(crc, dst, len). The buffers must not overlap; any alignment.
 * crc32c_copy() picks the implementation as crc32c() does.
 */
uint32_t crc32c_copy(uint32_t crc, void *dst, const void *src, size_t len);
uint32_t crc32c_copy_table(uint32_t crc, void *dst, const void *src, size_t len);
/* Only when crc32c_hw_available(), as crc32c_hw(). */
uint32_t crc32c_copy_hw(uint32_t crc, void *dst, const void *src, size_t len);

/*
 * Bytes copied by the three crc32c_copy functions since boot (or since the
 * host test started): lets a test see that a copy went through them.
 */
uint64_t crc32c_copied_bytes(void);

/* Does this CPU have SSE4.2's `crc32` instruction (CPUID.1:ECX bit 20)? */
bool crc32c_hw_available(void);

/* "sse4.2" or "table": which implementation crc32c() uses on this CPU. */
const char *crc32c_impl_name(void);

#endif
