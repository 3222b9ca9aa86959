/*
 * virtio_blk.h: a legacy virtio block device (virtio 1.x spec, "Legacy
 * Interface"), driven by polling one split virtqueue.
 *
 * QEMU's `-device virtio-blk-pci,disable-modern=on` is a legacy-only PCI
 * function, vendor 0x1af4 device 0x1001, whose registers are an I/O BAR.
 * The driver negotiates only FLUSH (when offered), sets up queue 0 in frames from the
 * frame allocator (descriptors and available ring, then the used ring at
 * the next 4 KiB), and does one request at a time: a header descriptor,
 * one or more data descriptors, a status byte; notify; poll the used ring.
 * Interrupts are never used. Sectors are 512 bytes.
 *
 * Errors are values (enum virtio_blk_error), never a panic: a missing
 * device, a device that does not come up, an I/O error or a request the
 * device does not answer within a bound.
 */
#ifndef DYNFLAGS_VIRTIO_BLK_H
#define DYNFLAGS_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_BLK_SECTOR   512u
/* Data descriptors in one request (virtio_blk_rw_pages), and bytes in one
 * contiguous transfer: larger transfers are split. */
#define VIRTIO_BLK_MAX_SEGS 64u
#define VIRTIO_BLK_MAX_XFER (256u << 10)

enum virtio_blk_error {
	VIRTIO_BLK_OK = 0,
	VIRTIO_BLK_ERR_NONE = -1,      /* "none": no such PCI device */
	VIRTIO_BLK_ERR_DEVICE = -2,    /* "device": no I/O BAR, queue 0 missing or odd */
	VIRTIO_BLK_ERR_MEMORY = -3,    /* "no-memory": no frames for the queue */
	VIRTIO_BLK_ERR_IO = -4,        /* "io": the device answered with an error */
	VIRTIO_BLK_ERR_TIMEOUT = -5,   /* "timeout": no answer */
	VIRTIO_BLK_ERR_RANGE = -6,     /* "range": past the end of the disk */
	VIRTIO_BLK_ERR_DOWN = -7,      /* "down": not initialised */
};

const char *virtio_blk_strerror(int err);

/* Find the device and bring it up; prints nothing. Returns 0 or an error. */
int virtio_blk_init(void);

/* After a resume: reset the device and set the same queue frames up again. */
int virtio_blk_reinit(void);

/* Print "# virtio-blk: pci=BB:DD.F sectors=N queue=Q" or "# virtio-blk: none"
 * (or the error) for the last init. */
void virtio_blk_report(void);

bool virtio_blk_ready(void);
uint64_t virtio_blk_sectors(void);     /* capacity in 512-byte sectors, 0 if down */

/* The frames the queue and the request headers occupy (never saved). */
void virtio_blk_frames(uint64_t *first, uint64_t *nr_pages);

/* count sectors at `sector` from/to a contiguous buffer. */
int virtio_blk_read(uint64_t sector, void *buf, uint64_t count);
int virtio_blk_write(uint64_t sector, const void *buf, uint64_t count);

/* n (<= VIRTIO_BLK_MAX_SEGS) 4 KiB pages, anywhere, as 8 * n sectors from
 * `sector` on: one request. */
int virtio_blk_rw_pages(uint64_t sector, void *const *pages, uint32_t n,
			bool write);

/* Ask the device to make every write so far durable. */
int virtio_blk_flush(void);

#endif
