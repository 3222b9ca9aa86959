/*
 * common.c: the kernel's one struct boot_info and the small helpers both
 * boot paths use to fill it.
 */
#include <string.h>

#include "boot/boot.h"

struct boot_info boot_info;

/* Linker symbols (linker.ld): the kernel image, page aligned. */
extern char _kernel_start[], _kernel_end[];

void boot_copy_string(char *dst, uint32_t size, const char *src, uint64_t src_len)
{
	uint64_t n = 0;

	while (n + 1 < size && n < src_len && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void boot_add_region(uint64_t start, uint64_t end, const char *what)
{
	struct boot_region *r;

	if (boot_info.nr_regions >= BOOT_REGIONS_MAX || end <= start)
		return;
	r = &boot_info.regions[boot_info.nr_regions++];
	r->start = start;
	r->end = end;
	boot_copy_string(r->what, sizeof(r->what), what, sizeof(r->what));
}

void boot_info_common(void)
{
	boot_info.kernel_start = (uint64_t)(uintptr_t)_kernel_start;
	boot_info.kernel_end = (uint64_t)(uintptr_t)_kernel_end;
}
