/*
 * fwcfg.c: QEMU fw_cfg through its legacy x86 I/O ports.
 *
 * Write a 16-bit selector to port 0x510, then read the item's bytes one at
 * a time from port 0x511. Item 0x0000 is the signature "QEMU"; item 0x0019
 * is the file directory: a big-endian u32 count, then per file a 64-byte
 * entry {be32 size, be16 selector, be16 reserved, char name[56]}.
 * Without QEMU, port reads return 0xff and the signature check fails.
 */
#include <string.h>

#include "kernel/fwcfg.h"
#include "kernel/x86.h"

#define FW_CFG_PORT_SEL   0x510
#define FW_CFG_PORT_DATA  0x511
#define FW_CFG_SIGNATURE  0x0000
#define FW_CFG_FILE_DIR   0x0019

static void read_bytes(void *dst, uint32_t n)
{
	uint8_t *p = dst;

	while (n--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static uint32_t be32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

int64_t fwcfg_read_file(const char *name, char *buf, uint32_t size)
{
	uint8_t sig[4], raw[4];
	uint32_t count;

	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	read_bytes(sig, 4);
	if (memcmp(sig, "QEMU", 4) != 0)
		return -1;

	outw(FW_CFG_PORT_SEL, FW_CFG_FILE_DIR);
	read_bytes(raw, 4);
	count = be32(raw);
	for (uint32_t i = 0; i < count; i++) {
		struct {
			uint8_t size[4];
			uint8_t select[2];
			uint8_t reserved[2];
			char name[56];
		} entry;
		uint32_t file_size, n;

		read_bytes(&entry, sizeof(entry));
		entry.name[55] = '\0';
		if (strcmp(entry.name, name) != 0)
			continue;
		file_size = be32(entry.size);
		n = size && file_size > size - 1 ? size - 1 : file_size;
		outw(FW_CFG_PORT_SEL, (uint16_t)((entry.select[0] << 8) | entry.select[1]));
		read_bytes(buf, n);
		if (size)
			buf[n] = '\0';
		return file_size;
	}
	return -1;
}
