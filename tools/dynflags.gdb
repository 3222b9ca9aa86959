# tools/dynflags.gdb: gdb settings and commands for the dynflags kernel.
#
# tools/gdb.sh loads this after the kernel's symbols (kernel.elf) and before
# it connects to QEMU's gdbstub. The kernel is linked at physical addresses
# from 1 MiB and runs identity mapped, so its symbols are the addresses the
# CPU uses, from the 32-bit entry to the end.
#
# Commands (type `help user-defined` in gdb for the list):
#   dynflags-kmain     stop at the first instruction of kmain
#   bootinfo           what the loader handed to kmain (struct boot_info)
#   cpu-mode           CR0, CR4 and EFER, decoded: paging, PAE, long mode
#   serial             the last lines the kernel printed on COM1

# QEMU's x86_64 gdbstub always sends 64-bit registers, even while the CPU
# still runs 16- or 32-bit firmware code; without this gdb misreads them.
set architecture i386:x86-64
set pagination off
set confirm off
set print pretty on

define dynflags-kmain
	# A hardware breakpoint at the first instruction: QEMU checks it
	# whatever the CPU mode, and it needs no write into memory that the
	# loader has not filled yet. At that instruction RDI holds the
	# struct boot_info pointer (SysV ABI), kept in $bi for `bootinfo`.
	hbreak *kmain
	continue
	delete
	# Show the machine code when a step lands where there is no source.
	set disassemble-next-line auto
	set $bi = (struct boot_info *) $rdi
	if $pc == (unsigned long) &kmain
		echo dynflags: stopped at kmain\n
	else
		echo dynflags: did not stop at kmain\n
	end
end
document dynflags-kmain
Run the kernel until the first instruction of kmain(), then stop.
Sets $bi to kmain's struct boot_info argument.
end

define bootinfo
	if $argc == 1
		set $bi = (struct boot_info *) $arg0
	end
	printf "boot_info at %p\n", $bi
	printf "  loader    %s, firmware %s\n", $bi->loader, $bi->firmware
	printf "  cmdline   \"%s\"\n", $bi->cmdline
	printf "  memory map: format %u (1 = EFI, 2 = e820), %u bytes, %u-byte entries: %u entries\n", $bi->mmap_format, $bi->mmap_bytes, $bi->mmap_desc_size, $bi->mmap_desc_size ? $bi->mmap_bytes / $bi->mmap_desc_size : 0
	if $bi->mmap_truncated
		printf "  (the firmware map did not fit: truncated)\n"
	end
	printf "  kernel    [0x%lx, 0x%lx) = %lu KiB\n", $bi->kernel_start, $bi->kernel_end, ($bi->kernel_end - $bi->kernel_start) / 1024
	printf "  ACPI RSDP %u bytes kept, EFI system table 0x%lx\n", $bi->rsdp_len, $bi->efi_system_table
	set $i = 0
	while $i < $bi->nr_regions
		printf "  loader region [0x%lx, 0x%lx) %s\n", $bi->regions[$i].start, $bi->regions[$i].end, $bi->regions[$i].what
		set $i = $i + 1
	end
	if $bi->error[0]
		printf "  error     %s\n", $bi->error
	end
end
document bootinfo
Print the struct boot_info that the loader filled: bootinfo [ADDRESS].
Without ADDRESS it uses $bi, which dynflags-kmain sets.
end

define cpu-mode
	printf "CR0  0x%08lx  PE (protected mode) %d, PG (paging) %d, WP %d\n", $cr0, ($cr0 >> 0) & 1, ($cr0 >> 31) & 1, ($cr0 >> 16) & 1
	printf "CR4  0x%08lx  PAE %d\n", $cr4, ($cr4 >> 5) & 1
	printf "EFER 0x%08lx  LME (long mode enabled) %d, LMA (long mode active) %d, NXE %d\n", $efer, ($efer >> 8) & 1, ($efer >> 10) & 1, ($efer >> 11) & 1
	printf "CR3  0x%08lx  the top page table (PML4), a physical address\n", $cr3
end
document cpu-mode
Decode CR0, CR4 and EFER: which mode the CPU is in, and where its page tables are.
end

define serial
	shell tail -n 30 "$DYNFLAGS_SERIAL_LOG"
end
document serial
Show the last 30 lines the kernel printed on COM1 (tools/gdb.sh saves them).
end
