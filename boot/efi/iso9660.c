/*
 * iso9660.c: path lookup on an ISO 9660 volume (see iso9660.h).
 *
 * Layout used (ECMA-119): sector 16 on holds volume descriptors, type 1
 * being the primary one, with "CD001" at byte 1, the logical block size
 * (LE u16) at byte 128 and the root directory record at byte 156. A
 * directory record: byte 0 its length, bytes 2..5 the extent's block (LE),
 * 10..13 the data length (LE), byte 25 flags (0x02 directory), byte 32 the
 * name length, the name from byte 33. Records never cross a block; a zero
 * length byte means "the rest of this block is padding".
 */
#include <stdint.h>

#include "boot/efi/iso9660.h"

#define PVD_FIRST_SECTOR  16
#define PVD_MAX_SECTORS   32    /* descriptors scanned before giving up */
#define DIR_RECORD_MIN    34    /* fixed part of a record, with a 1-byte name */
#define FLAG_DIRECTORY    0x02

static const char *const status_text[ISO_STATUS_COUNT] = {
	[ISO_OK]          = "ok",
	[ISO_READ_ERROR]  = "read error",
	[ISO_NOT_ISO9660] = "not an ISO 9660 volume",
	[ISO_NOT_FOUND]   = "no such file",
	[ISO_BAD_RECORD]  = "corrupt directory record",
};

const char *iso_status_text(enum iso_status status)
{
	if ((unsigned)status >= ISO_STATUS_COUNT)
		return "unknown ISO 9660 status";
	return status_text[status];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 'a' - 'A') : c;
}

/* Does the record name [name, name+len) spell the component [want, want+wlen)? */
static int name_matches(const uint8_t *name, uint32_t len,
			const char *want, uint32_t wlen)
{
	for (uint32_t i = 0; i < len; i++)
		if (name[i] == ';') {           /* version: "KERNEL.ELF;1" */
			len = i;
			break;
		}
	if (len > 0 && name[len - 1] == '.')    /* "README." for "readme" */
		len--;
	if (len != wlen)
		return 0;
	for (uint32_t i = 0; i < len; i++)
		if (lower((char)name[i]) != lower(want[i]))
			return 0;
	return 1;
}

/* One directory record, as found. */
struct iso_entry {
	uint64_t extent;        /* byte offset of the data */
	uint64_t size;          /* bytes */
	int is_dir;
};

/* Look for the component [want, want+wlen) in the directory *dir. */
static enum iso_status find_in_dir(iso_read_fn read, void *ctx, uint32_t block,
				   uint8_t *sector, struct iso_entry *dir,
				   const char *want, uint32_t wlen)
{
	for (uint64_t done = 0; done < dir->size; done += block) {
		if (read(ctx, dir->extent + done, sector, block) != 0)
			return ISO_READ_ERROR;
		for (uint32_t at = 0; at < block;) {
			const uint8_t *rec = sector + at;
			uint32_t len = rec[0], name_len;

			if (len == 0)
				break;          /* padding to the block's end */
			if (len < DIR_RECORD_MIN || at + len > block)
				return ISO_BAD_RECORD;
			name_len = rec[32];
			if (33 + name_len > len)
				return ISO_BAD_RECORD;
			if (name_matches(rec + 33, name_len, want, wlen)) {
				dir->extent = (uint64_t)le32(rec + 2) * block;
				dir->size = le32(rec + 10);
				dir->is_dir = (rec[25] & FLAG_DIRECTORY) != 0;
				return ISO_OK;
			}
			at += len;
		}
	}
	return ISO_NOT_FOUND;
}

enum iso_status iso9660_find(iso_read_fn read, void *ctx, const char *path,
			     uint8_t *sector, uint64_t *offset, uint64_t *size)
{
	struct iso_entry entry = { 0 };
	uint32_t block = 0;
	enum iso_status st;

	for (uint32_t s = PVD_FIRST_SECTOR; s < PVD_FIRST_SECTOR + PVD_MAX_SECTORS; s++) {
		if (read(ctx, (uint64_t)s * ISO_SECTOR_SIZE, sector, ISO_SECTOR_SIZE) != 0)
			return ISO_READ_ERROR;
		if (sector[1] != 'C' || sector[2] != 'D' || sector[3] != '0' ||
		    sector[4] != '0' || sector[5] != '1' || sector[0] == 255)
			return ISO_NOT_ISO9660;     /* no descriptor, or the end */
		if (sector[0] == 1) {
			block = (uint32_t)sector[128] | (uint32_t)sector[129] << 8;
			break;
		}
	}
	/* The directory walk reads whole blocks into the sector buffer. */
	if (block < 512 || block > ISO_SECTOR_SIZE || (block & (block - 1)))
		return ISO_NOT_ISO9660;
	entry.extent = (uint64_t)le32(sector + 156 + 2) * block;
	entry.size = le32(sector + 156 + 10);
	entry.is_dir = 1;

	while (*path) {
		uint32_t wlen = 0;

		while (path[wlen] && path[wlen] != '/')
			wlen++;
		if (!entry.is_dir)
			return ISO_NOT_FOUND;       /* a file used as a directory */
		st = find_in_dir(read, ctx, block, sector, &entry, path, wlen);
		if (st != ISO_OK)
			return st;
		path += wlen;
		while (*path == '/')
			path++;
	}
	if (entry.is_dir)
		return ISO_NOT_FOUND;
	/* The extent comes from the record alone: read its last byte, so that
	 * a file running past the end of the disk fails here, as a directory
	 * there does, not when the caller reads it. */
	if (entry.size > 0 &&
	    read(ctx, entry.extent + entry.size - 1, sector, 1) != 0)
		return ISO_READ_ERROR;
	*offset = entry.extent;
	*size = entry.size;
	return ISO_OK;
}
