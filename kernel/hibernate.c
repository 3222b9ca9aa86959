/*
 * hibernate.c: the hibernation disk (see hibernate.h, docs/hibernation.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/frame.h"
#include "kernel/portable/crc32c.h"
#include "kernel/hibernate.h"
#include "kernel/snapshot_boot.h"
#include "kernel/virtio_blk.h"
#include "kernel/x86.h"

#define SECTORS_PER_PAGE (PAGE_SIZE / VIRTIO_BLK_SECTOR)

void disk_boot(void)
{
	virtio_blk_init();
	virtio_blk_report();
}

/* MiB/s for `bytes` moved in `cycles` TSC ticks. */
static uint64_t mib_per_s(uint64_t bytes, uint64_t cycles)
{
	uint64_t hz = tsc_hz();

	if (cycles == 0)
		cycles = 1;
	return (uint64_t)((unsigned __int128)bytes * hz / cycles >> 20);
}

static void bench_fill(uint64_t *words, uint64_t n, uint64_t seed)
{
	for (uint64_t i = 0; i < n; i++)
		words[i] = (seed + i) * 0x9e3779b97f4a7c15ull;
}

int diskbench(uint64_t bytes)
{
	uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE, t0, tw, tr = 0, bad = 0;
	uint64_t sectors = pages * SECTORS_PER_PAGE, *buf;
	const char *err = NULL;
	int st = 0;

	if (!virtio_blk_ready())
		err = "no-disk";
	else if (pages == 0 || SECTORS_PER_PAGE + sectors > virtio_blk_sectors())
		err = "disk-too-small";
	if (err) {
		kprintf("# diskbench: error=%s bytes=%llu disk_sectors=%llu\n", err,
			(unsigned long long)(pages * PAGE_SIZE),
			(unsigned long long)virtio_blk_sectors());
		return 0;
	}
	buf = frame_alloc_pages(pages);
	if (!buf) {
		kprintf("# diskbench: error=no-memory bytes=%llu\n",
			(unsigned long long)(pages * PAGE_SIZE));
		return 0;
	}
	bench_fill(buf, pages * PAGE_SIZE / 8, rdtsc());
	/* The header page of any hibernation image goes first. */
	memset(buf, 0, PAGE_SIZE);
	t0 = rdtsc();
	st = virtio_blk_write(0, buf, SECTORS_PER_PAGE);
	if (!st)
		st = virtio_blk_write(SECTORS_PER_PAGE, buf, sectors);
	if (!st)
		st = virtio_blk_flush();
	tw = rdtsc() - t0;
	if (!st) {
		uint32_t crc = crc32c(0, buf, pages * PAGE_SIZE);

		memset(buf, 0x5a, pages * PAGE_SIZE);
		t0 = rdtsc();
		st = virtio_blk_read(SECTORS_PER_PAGE, buf, sectors);
		tr = rdtsc() - t0;
		bad = crc32c(0, buf, pages * PAGE_SIZE) != crc;
	}
	frame_free_pages(buf, pages);
	if (st) {
		kprintf("# diskbench: error=%s bytes=%llu\n", virtio_blk_strerror(st),
			(unsigned long long)(pages * PAGE_SIZE));
		return 1;
	}
	kprintf("# diskbench: write_mib_s=%llu read_mib_s=%llu bytes=%llu verified=%s\n",
		(unsigned long long)mib_per_s(pages * PAGE_SIZE, tw),
		(unsigned long long)mib_per_s(pages * PAGE_SIZE, tr),
		(unsigned long long)(pages * PAGE_SIZE), bad ? "no" : "yes");
	return bad ? 1 : 0;
}
