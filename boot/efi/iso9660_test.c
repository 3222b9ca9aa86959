/*
 * iso9660_test.c: host tests of the loader's ISO 9660 lookup (iso9660.c).
 *
 * A small volume is built in memory: the primary volume descriptor at
 * sector 16, a terminator at 17, the root directory at 18 holding BOOT/
 * and README., BOOT/ at 19-20 (two blocks, KERNEL.ELF;1 in the second),
 * and the kernel's data at 21. (Host only: boot/efi/ is not in the kernel.)
 */
#include <stdint.h>
#include <string.h>

#include "tests/ktest.h"
#include "boot/efi/iso9660.h"

#define SECTORS 24
#define S(n)    ((uint64_t)(n) * ISO_SECTOR_SIZE)

static uint8_t disk[SECTORS * ISO_SECTOR_SIZE];
static uint8_t sector[ISO_SECTOR_SIZE];
static int fail_reads;          /* make the callback fail */

static int read_disk(void *ctx, uint64_t pos, void *buf, uint32_t len)
{
	(void)ctx;
	if (fail_reads || pos > sizeof(disk) || len > sizeof(disk) - pos)
		return -1;
	memcpy(buf, disk + pos, len);
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write a directory record at p; returns its length. */
static uint32_t record(uint8_t *p, const char *name, uint32_t name_len,
		       uint32_t block, uint32_t size, int dir)
{
	uint32_t len = 33 + name_len + (name_len % 2 == 0);   /* even length */

	memset(p, 0, len);
	p[0] = (uint8_t)len;
	put32(p + 2, block);
	put32(p + 10, size);
	p[25] = dir ? 0x02 : 0;
	p[32] = (uint8_t)name_len;
	memcpy(p + 33, name, name_len);
	return len;
}

static void make_volume(void)
{
	uint8_t *pvd = disk + S(16), *p;

	memset(disk, 0, sizeof(disk));
	fail_reads = 0;
	pvd[0] = 1;
	memcpy(pvd + 1, "CD001", 5);
	pvd[128] = 0x00;                /* logical block size 2048, LE */
	pvd[129] = 0x08;
	record(pvd + 156, "\0", 1, 18, ISO_SECTOR_SIZE, 1);
	disk[S(17)] = 255;
	memcpy(disk + S(17) + 1, "CD001", 5);

	p = disk + S(18);
	p += record(p, "\0", 1, 18, ISO_SECTOR_SIZE, 1);
	p += record(p, "\1", 1, 18, ISO_SECTOR_SIZE, 1);
	p += record(p, "BOOT", 4, 19, 2 * ISO_SECTOR_SIZE, 1);
	record(p, "README.;1", 9, 22, 10, 0);

	p = disk + S(19);
	p += record(p, "\0", 1, 19, 2 * ISO_SECTOR_SIZE, 1);
	p += record(p, "\1", 1, 18, ISO_SECTOR_SIZE, 1);
	record(p, "GRUB", 4, 23, ISO_SECTOR_SIZE, 1);
	record(disk + S(20), "KERNEL.ELF;1", 12, 21, 5000, 0);
}

static enum iso_status find(const char *path, uint64_t *off, uint64_t *size)
{
	return iso9660_find(read_disk, NULL, path, sector, off, size);
}

static void finds_files(struct ktest *t)
{
	uint64_t off = 0, size = 0;

	make_volume();
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_OK);
	KT_EXPECT_EQ(t, off, S(21));
	KT_EXPECT_EQ(t, size, 5000);
	KT_EXPECT_EQ(t, find("BOOT//Kernel.Elf", &off, &size), ISO_OK);
	KT_EXPECT_EQ(t, off, S(21));
	KT_EXPECT_EQ(t, find("readme", &off, &size), ISO_OK);
	KT_EXPECT_EQ(t, off, S(22));
	KT_EXPECT_EQ(t, size, 10);
}

static void missing_files(struct ktest *t)
{
	uint64_t off = 0, size = 0;

	make_volume();
	KT_EXPECT_EQ(t, find("boot/kernel", &off, &size), ISO_NOT_FOUND);
	KT_EXPECT_EQ(t, find("boot/kernel.elf.gz", &off, &size), ISO_NOT_FOUND);
	KT_EXPECT_EQ(t, find("readme/kernel.elf", &off, &size), ISO_NOT_FOUND);
	KT_EXPECT_EQ(t, find("boot", &off, &size), ISO_NOT_FOUND);     /* a directory */
	KT_EXPECT_EQ(t, find("", &off, &size), ISO_NOT_FOUND);
	KT_EXPECT_EQ(t, off, 0);
}

static void not_a_volume(struct ktest *t)
{
	uint64_t off, size;

	make_volume();
	disk[S(16) + 1] = 'X';                          /* "XD001" */
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_NOT_ISO9660);

	make_volume();
	disk[S(16)] = 2;                                /* only a supplementary */
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_NOT_ISO9660);

	make_volume();
	disk[S(16) + 129] = 0x10;                       /* 4096-byte blocks */
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_NOT_ISO9660);

	make_volume();
	fail_reads = 1;
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_READ_ERROR);
}

static void corrupt_records(struct ktest *t)
{
	static char name220[220];
	uint64_t off, size;

	memset(name220, 'N', sizeof(name220));

	/* A record that runs past the end of its block: eight 254-byte
	 * records fill 2032 bytes, and a 34-byte one follows. */
	make_volume();
	for (int i = 0; i < 8; i++)
		record(disk + S(20) + 254 * i, name220, 220, 21, 1, 0);
	disk[S(20) + 8 * 254] = 34;
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_BAD_RECORD);

	/* A name longer than its record, and a record shorter than the minimum. */
	make_volume();
	disk[S(20) + 32] = 100;
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_BAD_RECORD);
	make_volume();
	disk[S(20)] = 20;
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_BAD_RECORD);

	/* A directory whose extent lies past the disk. */
	make_volume();
	put32(disk + S(18) + 34 + 34 + 2, 1000);
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_READ_ERROR);

	/* A file that runs past the end of the disk (found by fuzzing):
	 * KERNEL.ELF at sector 21, 16 KiB long, on a 24-sector disk. */
	make_volume();
	put32(disk + S(20) + 10, 16384);
	off = size = 0;
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_READ_ERROR);
	KT_EXPECT_EQ(t, off, 0);
	put32(disk + S(20) + 10, S(3));                 /* up to the last byte */
	KT_EXPECT_EQ(t, find("boot/kernel.elf", &off, &size), ISO_OK);
	KT_EXPECT(t, strcmp(iso_status_text(ISO_BAD_RECORD), "corrupt directory record") == 0);
	KT_EXPECT(t, strcmp(iso_status_text(ISO_STATUS_COUNT), "unknown ISO 9660 status") == 0);
}

KTEST_SUITE(efi_iso9660,
	    KTEST_CASE(finds_files),
	    KTEST_CASE(missing_files),
	    KTEST_CASE(not_a_volume),
	    KTEST_CASE(corrupt_records));
