/*
 * efi_entry.c: the kernel side of the GNU-EFI boot path.
 *
 * boot/entry.S:_start64 calls efi_adopt_boot_info() while UEFI's page
 * tables are still active, so the loader's boot_info is reachable wherever
 * the firmware put it (possibly above 4 GiB, which the boot page tables do
 * not map). We copy it into the kernel's own boot_info and return that.
 */
#include <string.h>

#include "boot/boot.h"

struct boot_info *efi_adopt_boot_info(const struct boot_info *from_loader)
{
	memcpy(&boot_info, from_loader, sizeof(boot_info));
	/* Never trust a loader's strings to be terminated. */
	boot_info.loader[BOOT_NAME_MAX - 1] = '\0';
	boot_info.firmware[BOOT_NAME_MAX - 1] = '\0';
	boot_info.cmdline[BOOT_CMDLINE_MAX - 1] = '\0';
	if (boot_info.mmap_bytes > BOOT_MMAP_MAX)
		boot_info.mmap_bytes = BOOT_MMAP_MAX;
	if (boot_info.nr_regions > BOOT_REGIONS_MAX)
		boot_info.nr_regions = BOOT_REGIONS_MAX;
	if (boot_info.rsdp_len > sizeof(boot_info.rsdp))
		boot_info.rsdp_len = 0;
	boot_info_common();
	return &boot_info;
}
