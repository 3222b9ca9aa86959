/*
 * iso9660.h: finds one file on an ISO 9660 volume, for the GNU-EFI loader.
 *
 * When GRUB chainloads the loader from the dynflags CD, the loader's
 * device is the whole CD, and OVMF has no ISO 9660 file system driver. The
 * loader then reads /boot/kernel.elf itself: the primary volume descriptor
 * (sector 16), then one directory per path component, to the file's
 * extent. ISO 9660 stores every file as one contiguous extent, so the
 * result is just a byte offset and a size on the disk.
 *
 * Names compare case-insensitively with the version (";1") and a trailing
 * '.' ignored, so "boot/kernel.elf" finds "BOOT" / "KERNEL.ELF;1".
 * Portable: disk access goes through a read callback; host-tested.
 */
#ifndef DYNFLAGS_EFI_ISO9660_H
#define DYNFLAGS_EFI_ISO9660_H

#include <stdint.h>

#define ISO_SECTOR_SIZE 2048u

/* Read len bytes at byte offset pos of the volume into buf. 0 on success. */
typedef int (*iso_read_fn)(void *ctx, uint64_t pos, void *buf, uint32_t len);

enum iso_status {
	ISO_OK = 0,
	ISO_READ_ERROR,         /* the callback failed */
	ISO_NOT_ISO9660,        /* no primary volume descriptor */
	ISO_NOT_FOUND,          /* a path component is missing */
	ISO_BAD_RECORD,         /* a directory record runs past its sector */
	ISO_STATUS_COUNT
};

/*
 * Find `path` ('/'-separated, no leading '/') and return the byte offset
 * and size of its data. `sector` is a caller buffer of ISO_SECTOR_SIZE
 * bytes (the loader keeps its stack small).
 */
enum iso_status iso9660_find(iso_read_fn read, void *ctx, const char *path,
			     uint8_t *sector, uint64_t *offset, uint64_t *size);

const char *iso_status_text(enum iso_status status);

#endif
