/*
 * fwcfg.h: read a named file from QEMU's firmware configuration device.
 * QEMU gives the kernel extra options this way, without a rebuild:
 *     -fw_cfg name=opt/dynflags/cmdline,string=...
 */
#ifndef DYNFLAGS_FWCFG_H
#define DYNFLAGS_FWCFG_H

#include <stdint.h>

/*
 * Copy the file `name` into buf (at most size - 1 bytes, NUL-terminated).
 * Returns the file's size in bytes, or -1 when there is no fw_cfg device
 * or no such file.
 */
int64_t fwcfg_read_file(const char *name, char *buf, uint32_t size);

#endif
