/*
 * boot.h: what the loader-specific entry code in boot/ shares.
 * Each boot path fills the kernel's one struct boot_info (boot/common.c)
 * and then calls kmain(); nothing after that knows which loader ran.
 */
#ifndef DYNFLAGS_BOOT_H
#define DYNFLAGS_BOOT_H

#include <stdint.h>

#include "kernel/boot_info.h"

extern struct boot_info boot_info;

/* Copy at most size-1 bytes of a string into a fixed buffer, NUL-terminated. */
void boot_copy_string(char *dst, uint32_t size, const char *src, uint64_t src_len);

/* Record a physical range [start, end) that a boot stage still occupies. */
void boot_add_region(uint64_t start, uint64_t end, const char *what);

/* Fill the fields every loader fills the same way (kernel extent). */
void boot_info_common(void);

void kmain(struct boot_info *bi) __attribute__((noreturn));

#endif
