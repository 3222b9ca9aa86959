/*
 * hibernate.h: the hibernation disk and what kmain and the shell do with it.
 *
 * disk_boot() brings up the legacy virtio block device (virtio_blk.h), if
 * the machine has one, and prints its report line. diskbench() measures
 * the raw bandwidth of that disk. docs/hibernation.md tells the whole story.
 */
#ifndef DYNFLAGS_HIBERNATE_H
#define DYNFLAGS_HIBERNATE_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/boot_info.h"

/* Find and start the disk; "# virtio-blk: ..." either way. Never fails
 * the boot: without a disk, hibernation is refused later. */
void disk_boot(void);

/*
 * Write `bytes` (rounded up to 4 KiB) of a pattern to the disk from sector
 * 8 on, flush, read them back and compare, timing both. The buffer is
 * taken a frame at a time and moves in the requests hibernation uses (64
 * pages, anywhere in memory, per request):
 *   # diskbench: write_mib_s=W read_mib_s=R bytes=B verified=yes
 * or "# diskbench: error=KIND ..." when there is no disk (no-disk), it is
 * too small (disk-too-small), there is no memory for the buffer
 * (no-memory) or an I/O fails (io, timeout, ...). It overwrites whatever
 * was there, a hibernation image too (its header page is zeroed first).
 * Returns 1 when an I/O failed or the data read back differ (a boot
 * error), else 0: a machine without a disk is no error.
 */
int diskbench(uint64_t bytes);

/*
 * The resume check every boot makes, after the memory model and before
 * the boot's own large allocations: disk_boot(), then the disk's header.
 *   # resume: none                       no image (or no disk: disk=none)
 *   # resume: refused reason=KIND detail=FIELD expected=.. found=.. action=fresh-boot
 * KIND: signature, version, kernel, memmap, pfn, data, truncated, io,
 * no-memory. A refusal before the signature is cleared leaves the disk as
 * it was. Then (not for `# resume: none disk=none`)
 *   # resume-frames: in_use_before=N in_use_after=N leaked=0
 * Once an image is found, fail_alloc=N (fail_nth, fail_every) counts again
 * from the resume's first allocation. Everything that can be checked without the data is, then the signature
 * is cleared on the disk, then the image is loaded into safe frames,
 * validated whole and copied into place: the saved kernel continues from
 * its hibernate() and this call never returns. After a refusal it returns
 * and the boot goes on fresh.
 */
void resume_boot(const struct boot_info *bi, uint64_t fail_nth, bool fail_every);

enum { HIBERNATE_REFUSED = 0, HIBERNATE_RESUMED = 1 };

/*
 * Hibernate now: freeze (interrupts off; the caller stops the timer), mark
 * the page-flag maps, save the CPU state, write the image (data, lists,
 * image header, flush, then the signature, flush), print
 *   # hibernate: ok pages=N image_bytes=B sectors=S write_mib_s=X
 * and power off through ACPI S5. It returns HIBERNATE_RESUMED in the
 * resumed kernel, after "# resume: ok pages=N read_mib_s=X generation=G",
 * with the console and the disk re-initialised; or HIBERNATE_REFUSED
 * after "# hibernate: refused reason=..." (no disk, a disk too small, no
 * memory, an I/O error): the kernel goes on.
 */
int hibernate(void);

/*
 * The boot step of option `hibernate`: a workload of `bytes` (as the
 * snapshot's, kernel/snapshot_boot.h) that lives across the hibernation,
 * hibernate(), then verify every page of it:
 *   # hibernate-workload: pages=N verified=V resumed=yes|no pages_above_4g=K
 * With fail_nth (option fail_alloc=N[,every]) the count starts again at
 * hibernate()'s first allocation. After a refusal,
 *   # hibernate-frames: in_use_before=N in_use_after=N leaked=0
 * Returns the boot errors: 1 when a page does not verify, else 0.
 */
int hibernate_boot(uint64_t bytes, uint64_t fail_nth, bool fail_every);

#endif
