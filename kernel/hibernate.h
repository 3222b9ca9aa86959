/*
 * hibernate.h: the hibernation disk and what kmain and the shell do with it.
 *
 * disk_boot() brings up the legacy virtio block device (virtio_blk.h), if
 * the machine has one, and prints its report line. diskbench() measures
 * the raw bandwidth of that disk. docs/hibernation.md tells the whole story.
 */
#ifndef DYNFLAGS_HIBERNATE_H
#define DYNFLAGS_HIBERNATE_H

#include <stdint.h>

/* Find and start the disk; "# virtio-blk: ..." either way. Never fails
 * the boot: without a disk, hibernation is refused later. */
void disk_boot(void);

/*
 * Write `bytes` (rounded up to 4 KiB) of a pattern to the disk from sector
 * 8 on, flush, read them back and compare, timing both:
 *   # diskbench: write_mib_s=W read_mib_s=R bytes=B verified=yes
 * or "# diskbench: error=KIND ..." when there is no disk (no-disk), it is
 * too small (disk-too-small), there is no memory for the buffer
 * (no-memory) or an I/O fails (io, timeout, ...). It overwrites whatever
 * was there, a hibernation image too (its header page is zeroed first).
 * Returns 1 when an I/O failed or the data read back differ (a boot
 * error), else 0: a machine without a disk is no error.
 */
int diskbench(uint64_t bytes);

#endif
