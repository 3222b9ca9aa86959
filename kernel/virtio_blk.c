/*
 * virtio_blk.c: the legacy virtio block driver (see virtio_blk.h).
 *
 * Legacy BAR0 registers (I/O ports): +0x00 device features, +0x04 driver
 * features, +0x08 queue pfn (address >> 12), +0x0c queue size (read only),
 * +0x0e queue select, +0x10 queue notify, +0x12 device status, +0x13 ISR,
 * +0x14 device config (MSI-X is never enabled): capacity, u64 sectors.
 *
 * The queue, for a queue size N the device fixes:
 *   descriptors   16 * N bytes          at the first frame
 *   available     6 + 2 * N bytes       right after them
 *   used          6 + 8 * N bytes       at the next 4 KiB boundary
 * and one more frame for the request header and status byte. All come
 * from frame_alloc_pages(), once; a re-init after a resume reuses them.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/frame.h"
#include "kernel/console.h"
#include "kernel/pci.h"
#include "kernel/virtio_blk.h"
#include "kernel/x86.h"

#define VIRTIO_VENDOR        0x1af4
#define VIRTIO_BLK_LEGACY    0x1001

#define REG_DEVICE_FEATURES  0x00
#define REG_DRIVER_FEATURES  0x04
#define REG_QUEUE_PFN        0x08
#define REG_QUEUE_SIZE       0x0c
#define REG_QUEUE_SELECT     0x0e
#define REG_QUEUE_NOTIFY     0x10
#define REG_STATUS           0x12
#define REG_ISR              0x13
#define REG_CAPACITY         0x14

#define STATUS_ACK           1
#define STATUS_DRIVER        2
#define STATUS_DRIVER_OK     4
#define STATUS_FAILED        0x80

#define FEATURE_FLUSH        (1u << 9)   /* VIRTIO_BLK_F_FLUSH */

#define DESC_NEXT            1
#define DESC_WRITE           2       /* the device writes this buffer */

#define REQ_IN               0       /* read */
#define REQ_OUT              1       /* write */
#define REQ_FLUSH            4

#define POLL_LIMIT           (1ull << 31)

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct {
	int state;                       /* last init: 0 or an error */
	struct pci_dev pci;
	uint16_t io;                     /* BAR0 port base */
	uint16_t qsize;
	uint64_t sectors;
	uint8_t *queue;                  /* queue_pages + 1 frames */
	uint64_t queue_pages;
	struct vq_desc *desc;
	volatile uint16_t *avail;        /* flags, idx, ring[N] */
	volatile uint16_t *used;         /* flags, idx, then elements */
	struct blk_req *req;
	volatile uint8_t *status;
	uint16_t avail_idx, used_idx;
} blk = { .state = VIRTIO_BLK_ERR_DOWN };

const char *virtio_blk_strerror(int err)
{
	switch (err) {
	case VIRTIO_BLK_OK:          return "ok";
	case VIRTIO_BLK_ERR_NONE:    return "none";
	case VIRTIO_BLK_ERR_DEVICE:  return "device";
	case VIRTIO_BLK_ERR_MEMORY:  return "no-memory";
	case VIRTIO_BLK_ERR_IO:      return "io";
	case VIRTIO_BLK_ERR_TIMEOUT: return "timeout";
	case VIRTIO_BLK_ERR_RANGE:   return "range";
	case VIRTIO_BLK_ERR_DOWN:    return "down";
	}
	return "unknown";
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Bytes of the queue proper for size n: the used ring at a 4 KiB boundary. */
static uint64_t queue_bytes(uint16_t n)
{
	return align_up(16ull * n + 6 + 2ull * n, PAGE_SIZE) +
	       align_up(6 + 8ull * n, PAGE_SIZE);
}

static int setup_queue(void)
{
	uint16_t n = blk.qsize;

	memset(blk.queue, 0, (blk.queue_pages + 1) * PAGE_SIZE);
	blk.desc = (struct vq_desc *)blk.queue;
	blk.avail = (volatile uint16_t *)(blk.queue + 16ull * n);
	blk.used = (volatile uint16_t *)(blk.queue + align_up(16ull * n + 6 + 2ull * n, PAGE_SIZE));
	blk.req = (struct blk_req *)(blk.queue + blk.queue_pages * PAGE_SIZE);
	blk.status = (volatile uint8_t *)(blk.req + 1);
	blk.avail_idx = blk.used_idx = 0;
	outw((uint16_t)(blk.io + REG_QUEUE_SELECT), 0);
	outl((uint16_t)(blk.io + REG_QUEUE_PFN), (uint32_t)((uintptr_t)blk.queue >> PAGE_SHIFT));
	return VIRTIO_BLK_OK;
}

/* Reset, acknowledge, no features, queue 0, DRIVER_OK. */
static int bring_up(bool allocate)
{
	uint16_t n;

	outb((uint16_t)(blk.io + REG_STATUS), 0);
	outb((uint16_t)(blk.io + REG_STATUS), STATUS_ACK);
	outb((uint16_t)(blk.io + REG_STATUS), STATUS_ACK | STATUS_DRIVER);
	/* Only FLUSH, when offered: without it QEMU writes through. */
	outl((uint16_t)(blk.io + REG_DRIVER_FEATURES),
	     pci_inl((uint16_t)(blk.io + REG_DEVICE_FEATURES)) & FEATURE_FLUSH);
	outw((uint16_t)(blk.io + REG_QUEUE_SELECT), 0);
	n = pci_inw((uint16_t)(blk.io + REG_QUEUE_SIZE));
	if (n < 4 || (n & (n - 1))) {
		outb((uint16_t)(blk.io + REG_STATUS), STATUS_FAILED);
		return VIRTIO_BLK_ERR_DEVICE;
	}
	if (allocate) {
		blk.qsize = n;
		blk.queue_pages = queue_bytes(n) / PAGE_SIZE;
		blk.queue = frame_alloc_pages(blk.queue_pages + 1);
		if (!blk.queue) {
			outb((uint16_t)(blk.io + REG_STATUS), STATUS_FAILED);
			return VIRTIO_BLK_ERR_MEMORY;
		}
	} else if (n != blk.qsize) {
		return VIRTIO_BLK_ERR_DEVICE;
	}
	setup_queue();
	blk.sectors = pci_inl((uint16_t)(blk.io + REG_CAPACITY)) |
		      (uint64_t)pci_inl((uint16_t)(blk.io + REG_CAPACITY + 4)) << 32;
	outb((uint16_t)(blk.io + REG_STATUS), STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
	return VIRTIO_BLK_OK;
}

int virtio_blk_init(void)
{
	uint32_t bar;

	if (blk.state == VIRTIO_BLK_OK)
		return VIRTIO_BLK_OK;
	if (!pci_find(VIRTIO_VENDOR, VIRTIO_BLK_LEGACY, &blk.pci))
		return blk.state = VIRTIO_BLK_ERR_NONE;
	bar = pci_bar(&blk.pci, 0);
	if (!(bar & 1) || (bar & ~3u) == 0 || (bar & ~3u) > 0xffff)
		return blk.state = VIRTIO_BLK_ERR_DEVICE;
	blk.io = (uint16_t)(bar & ~3u);
	/* Without bus mastering the device never touches the ring. */
	pci_enable(&blk.pci, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	return blk.state = bring_up(true);
}

int virtio_blk_reinit(void)
{
	if (!blk.queue)
		return VIRTIO_BLK_ERR_DOWN;
	pci_enable(&blk.pci, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	return blk.state = bring_up(false);
}

void virtio_blk_report(void)
{
	if (blk.state == VIRTIO_BLK_ERR_NONE)
		kprintf("# virtio-blk: none\n");
	else if (blk.state != VIRTIO_BLK_OK)
		kprintf("# virtio-blk: error=%s pci=%02x:%02x.%x\n",
			virtio_blk_strerror(blk.state), blk.pci.bus, blk.pci.dev,
			blk.pci.fn);
	else
		kprintf("# virtio-blk: pci=%02x:%02x.%x sectors=%llu queue=%u\n",
			blk.pci.bus, blk.pci.dev, blk.pci.fn,
			(unsigned long long)blk.sectors, blk.qsize);
}

bool virtio_blk_ready(void)
{
	return blk.state == VIRTIO_BLK_OK;
}

uint64_t virtio_blk_sectors(void)
{
	return blk.state == VIRTIO_BLK_OK ? blk.sectors : 0;
}

void virtio_blk_frames(uint64_t *first, uint64_t *nr_pages)
{
	*first = (uintptr_t)blk.queue;
	*nr_pages = blk.queue ? blk.queue_pages + 1 : 0;
}

/*
 * One request: type, sector, nseg data buffers (addr[i], len[i]); the
 * device writes them for a read. Waits for the used ring to move.
 */
static int request(uint32_t type, uint64_t sector, const uint64_t *addr,
		   const uint32_t *len, uint32_t nseg)
{
	uint16_t d = 0, head = 0, slot;
	uint64_t spins = 0;
	bool device_writes = type == REQ_IN;

	if (blk.state != VIRTIO_BLK_OK)
		return VIRTIO_BLK_ERR_DOWN;
	blk.req->type = type;
	blk.req->reserved = 0;
	blk.req->sector = sector;
	*blk.status = 0xff;
	blk.desc[d] = (struct vq_desc){ (uintptr_t)blk.req, sizeof(*blk.req), DESC_NEXT, 1 };
	for (uint32_t i = 0; i < nseg; i++) {
		d++;
		blk.desc[d] = (struct vq_desc){ addr[i], len[i],
			(uint16_t)(DESC_NEXT | (device_writes ? DESC_WRITE : 0)),
			(uint16_t)(d + 1) };
	}
	d++;
	blk.desc[d] = (struct vq_desc){ (uintptr_t)blk.status, 1, DESC_WRITE, 0 };

	slot = blk.avail_idx % blk.qsize;
	blk.avail[2 + slot] = head;
	__asm__ volatile("mfence" ::: "memory");
	blk.avail[1] = ++blk.avail_idx;
	__asm__ volatile("mfence" ::: "memory");
	outw((uint16_t)(blk.io + REG_QUEUE_NOTIFY), 0);
	while (blk.used[1] == blk.used_idx) {
		if (++spins == POLL_LIMIT) {
			blk.state = VIRTIO_BLK_ERR_TIMEOUT;
			return VIRTIO_BLK_ERR_TIMEOUT;
		}
		__asm__ volatile("pause" ::: "memory");
	}
	blk.used_idx++;
	(void)inb((uint16_t)(blk.io + REG_ISR));      /* reading clears it */
	__asm__ volatile("" ::: "memory");
	return *blk.status == 0 ? VIRTIO_BLK_OK : VIRTIO_BLK_ERR_IO;
}

static int check_range(uint64_t sector, uint64_t count)
{
	if (blk.state != VIRTIO_BLK_OK)
		return VIRTIO_BLK_ERR_DOWN;
	if (sector > blk.sectors || count > blk.sectors - sector)
		return VIRTIO_BLK_ERR_RANGE;
	return VIRTIO_BLK_OK;
}

static int transfer(uint32_t type, uint64_t sector, uint8_t *buf, uint64_t count)
{
	int err = check_range(sector, count);

	while (!err && count > 0) {
		uint64_t n = count < VIRTIO_BLK_MAX_XFER / VIRTIO_BLK_SECTOR ?
			     count : VIRTIO_BLK_MAX_XFER / VIRTIO_BLK_SECTOR;
		uint64_t addr = (uintptr_t)buf;
		uint32_t len = (uint32_t)(n * VIRTIO_BLK_SECTOR);

		err = request(type, sector, &addr, &len, 1);
		sector += n;
		buf += n * VIRTIO_BLK_SECTOR;
		count -= n;
	}
	return err;
}

int virtio_blk_read(uint64_t sector, void *buf, uint64_t count)
{
	return transfer(REQ_IN, sector, buf, count);
}

int virtio_blk_write(uint64_t sector, const void *buf, uint64_t count)
{
	return transfer(REQ_OUT, sector, (uint8_t *)(uintptr_t)buf, count);
}

int virtio_blk_rw_pages(uint64_t sector, void *const *pages, uint32_t n,
			bool write)
{
	uint64_t addr[VIRTIO_BLK_MAX_SEGS];
	uint32_t len[VIRTIO_BLK_MAX_SEGS];
	int err;

	if (n == 0 || n > VIRTIO_BLK_MAX_SEGS || n + 2u > blk.qsize)
		return VIRTIO_BLK_ERR_RANGE;
	err = check_range(sector, (uint64_t)n * (PAGE_SIZE / VIRTIO_BLK_SECTOR));
	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++) {
		addr[i] = (uintptr_t)pages[i];
		len[i] = PAGE_SIZE;
	}
	return request(write ? REQ_OUT : REQ_IN, sector, addr, len, n);
}

int virtio_blk_flush(void)
{
	return request(REQ_FLUSH, 0, NULL, NULL, 0);
}
