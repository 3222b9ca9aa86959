/*
 * loader.c: dynflags' own UEFI loader, BOOTX64.EFI, built with gnu-efi.
 *
 * It starts the same kernel.elf that GRUB starts, with the same struct
 * boot_info, but reads everything from the firmware itself:
 *
 *   1. print its name and version (ConOut and COM1);
 *   2. take the command line from its load options (UCS-2, converted to
 *      ASCII); the kernel itself appends QEMU's fw_cfg opt/dynflags/cmdline
 *      for every loader (kernel/kmain.c), so the loader does not;
 *   3. read \kernel.elf from its own volume (or /boot/kernel.elf from the
 *      CD when GRUB chainloaded it there), check it (elf.c), and copy
 *      each PT_LOAD segment to its physical address, allocated there with
 *      AllocatePages(AllocateAddress);
 *   4. copy the ACPI RSDP from the EFI configuration table;
 *   5. get the memory map and call ExitBootServices, getting the map again
 *      when the key went stale;
 *   6. fill boot_info with the final map and jump to the kernel's ELF
 *      entry (boot/entry.S:_start64) with RDI = &boot_info, interrupts off,
 *      still on the firmware's identity page tables.
 *
 * Errors: every failing UEFI call or bad kernel prints one line naming the
 * EFI status ("EFI_NOT_FOUND"), then the loader leaves QEMU through
 * isa-debug-exit with 0x12 (QEMU status 37) when it runs under QEMU, or
 * returns the status to the firmware elsewhere.
 *
 * gnu-efi's crt0 calls efi_main with the SysV ABI after self-relocation, so
 * efi_main is a plain function; firmware calls go through EFIAPI (ms_abi)
 * pointers because of -DGNU_EFI_USE_MS_ABI.
 */
#include <efi.h>
#include <efilib.h>

#include "kernel/boot_info.h"
#include "boot/efi/elf.h"
#include "boot/efi/iso9660.h"
#include "boot/efi/text.h"

#define LOADER_NAME     "dynflags-efi-loader"
#define LOADER_VERSION  "0.1"
#define KERNEL_PATH     L"\\kernel.elf"
#define KERNEL_NAME     "\\kernel.elf"
#define KERNEL_ISO_PATH "boot/kernel.elf"       /* on the dynflags CD */

#define ELF_HEAD_MAX    8192    /* bytes read to find the program headers */
#define MMAP_SLACK      16      /* spare descriptors in the map buffer */
#define EBS_TRIES       4
#define LINE_MAX        200     /* characters in one message */
#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))

#define COM1            0x3f8
#define QEMU_EXIT_PORT  0xf4
#define QEMU_EXIT_PANIC 0x12    /* QEMU exits with (0x12 << 1) | 1 = 37 */

#define FW_CFG_PORT_SEL  0x510  /* QEMU fw_cfg: 16-bit selector */
#define FW_CFG_PORT_DATA 0x511  /* and its byte-wide data port */

#include "pageflags/page.h"
#define PAGE_DOWN(a)    ((a) & ~(PAGE_SIZE - 1))
#define PAGE_UP(a)      PAGE_DOWN((a) + PAGE_SIZE - 1)

static int boot_services_gone;  /* after ExitBootServices: COM1 only */

/*
 * Load option `efi_test=stale_map_key` (taken out of the kernel's command
 * line): change the memory map between GetMemoryMap and ExitBootServices,
 * so that the first ExitBootServices fails and the retry path runs.
 */
#define TEST_STALE_MAP_KEY "efi_test=stale_map_key"
static int test_stale_map_key;

static void port_outb(UINT16 port, UINT8 value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static UINT8 port_inb(UINT16 port)
{
	UINT8 value;

	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

/* Is this QEMU? Its fw_cfg device answers selector 0 with "QEMU". */
static int running_in_qemu(void)
{
	UINT8 sig[4];

	__asm__ volatile("outw %0, %1" : : "a"((UINT16)0), "Nd"((UINT16)FW_CFG_PORT_SEL));
	for (int i = 0; i < 4; i++)
		sig[i] = port_inb(FW_CFG_PORT_DATA);
	return sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
}

static void com1_putc(char c)
{
	for (int spins = 0; spins < 100000; spins++)
		if (port_inb(COM1 + 5) & 0x20)  /* transmit holding empty */
			break;
	port_outb(COM1, (uint8_t)c);
}

/*
 * Lines end in "\r\n" on the wire, whether or not the text had the '\r'.
 * Characters past U+007F are sent as '?'.
 */
static void com1_puts(const CHAR16 *s)
{
	for (CHAR16 prev = 0; *s; prev = *s++) {
		if (*s == L'\n' && prev != L'\r')
			com1_putc('\r');
		com1_putc(*s < 0x80 ? (char)*s : '?');
	}
}

static void conout_puts(const CHAR16 *s)
{
	CHAR16 out[2 * LINE_MAX + 1];
	UINTN n = 0;

	for (CHAR16 prev = 0; *s && n + 2 < ARRAY_SIZE(out); prev = *s++) {
		if (*s == L'\n' && prev != L'\r')
			out[n++] = L'\r';
		out[n++] = *s;
	}
	out[n] = 0;
	ST->ConOut->OutputString(ST->ConOut, out);
}

/*
 * Print one message (a printf-like ASCII format in gnu-efi's dialect: %a
 * for an ASCII string, %lx for a UINT64). While boot services run it goes
 * to ConOut, which OVMF already mirrors to the serial port; afterwards
 * straight to COM1. gnu-efi's UnicodeVSPrint formats into the caller's
 * buffer without allocating (its AsciiVSPrint allocates pool), so this is
 * safe after ExitBootServices too.
 */
static void say(const char *fmt, ...)
{
	CHAR16 wide_fmt[LINE_MAX], line[LINE_MAX];
	va_list ap;
	UINTN i;

	for (i = 0; fmt[i] && i + 1 < ARRAY_SIZE(wide_fmt); i++)
		wide_fmt[i] = (CHAR16)(unsigned char)fmt[i];
	wide_fmt[i] = 0;
	va_start(ap, fmt);
	UnicodeVSPrint(line, sizeof(line), wide_fmt, ap);
	va_end(ap);
	if (boot_services_gone)
		com1_puts(line);
	else
		conout_puts(line);
}

/*
 * Leave QEMU with the panic code, or hand the status back to the firmware;
 * once boot services are gone there is no firmware to return to: halt.
 */
static EFI_STATUS stop(EFI_STATUS status)
{
	say(LOADER_NAME ": stopping: %a\n", efi_status_name(status));
	if (running_in_qemu())
		port_outb(QEMU_EXIT_PORT, QEMU_EXIT_PANIC);
	while (boot_services_gone)
		__asm__ volatile("cli; hlt");
	return status;
}

static EFI_STATUS fail(EFI_STATUS status, const char *what)
{
	say(LOADER_NAME ": error: %a: %a\n", what, efi_status_name(status));
	return status;
}

static void copy_string(char *dst, UINTN size, const char *src)
{
	UINTN i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static void add_region(struct boot_info *bi, uint64_t start, uint64_t end,
		       const char *what)
{
	struct boot_region *r;

	if (bi->nr_regions >= BOOT_REGIONS_MAX)
		return;
	r = &bi->regions[bi->nr_regions++];
	r->start = start;
	r->end = end;
	copy_string(r->what, sizeof(r->what), what);
}

/* Step 2: the command line from the load options. */
static EFI_STATUS read_cmdline(EFI_LOADED_IMAGE *loaded, struct boot_info *bi)
{
	enum load_options_status lo;

	lo = load_options_ascii(loaded->LoadOptions, loaded->LoadOptionsSize,
				bi->cmdline, sizeof(bi->cmdline));
	if (lo == LOAD_OPTIONS_TOO_LONG)
		return fail(EFI_BAD_BUFFER_SIZE, "load options longer than the command line");
	if (lo == LOAD_OPTIONS_NOT_TEXT)
		say(LOADER_NAME ": load options are not text (%d bytes), ignored\n",
		    (int)loaded->LoadOptionsSize);
	test_stale_map_key = take_word(bi->cmdline, TEST_STALE_MAP_KEY);
	say(LOADER_NAME ": cmdline \"%a\"%a\n", bi->cmdline,
	    test_stale_map_key ? " (and " TEST_STALE_MAP_KEY ")" : "");
	return EFI_SUCCESS;
}

/*
 * Where kernel.elf's bytes come from: a file on the loader's own FAT volume
 * (the ESP), or, when GRUB chainloaded the loader from the CD, a contiguous
 * extent of the disk found through ISO 9660 (iso9660.c).
 */
struct kernel_file {
	EFI_FILE_HANDLE file;   /* the FAT file, or NULL */
	EFI_DISK_IO *disk;      /* else bytes [base, base + size) of this disk */
	UINT32 media_id;
	UINT64 base;
	UINT64 size;            /* bytes in the file */
};

/* Read exactly len bytes at offset pos of the kernel file into buf. */
static EFI_STATUS read_at(struct kernel_file *k, UINT64 pos, void *buf, UINT64 len)
{
	UINTN got = len;
	EFI_STATUS st;

	if (pos > k->size || len > k->size - pos)
		return EFI_END_OF_FILE;
	if (!k->file)
		return k->disk->ReadDisk(k->disk, k->media_id, k->base + pos, len, buf);
	st = k->file->SetPosition(k->file, pos);
	if (!EFI_ERROR(st))
		st = k->file->Read(k->file, &got, buf);
	if (!EFI_ERROR(st) && got != len)
		st = EFI_END_OF_FILE;
	return st;
}

static EFI_STATUS open_on_volume(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs,
				 struct kernel_file *k)
{
	EFI_FILE_HANDLE root;
	EFI_FILE_INFO *info;
	EFI_STATUS st;

	st = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(st))
		return fail(st, "opening the loader's volume");
	st = root->Open(root, &k->file, KERNEL_PATH, EFI_FILE_MODE_READ, 0);
	root->Close(root);
	if (EFI_ERROR(st))
		return fail(st, "opening " KERNEL_NAME);
	info = LibFileInfo(k->file);
	if (!info)
		return fail(EFI_DEVICE_ERROR, "reading the size of " KERNEL_NAME);
	k->size = info->FileSize;
	FreePool(info);
	return EFI_SUCCESS;
}

static int read_disk(void *ctx, uint64_t pos, void *buf, uint32_t len)
{
	struct kernel_file *k = ctx;

	return EFI_ERROR(k->disk->ReadDisk(k->disk, k->media_id, pos, len, buf));
}

static EFI_STATUS open_on_iso9660(EFI_HANDLE device, struct kernel_file *k)
{
	EFI_BLOCK_IO *block;
	enum iso_status is;
	EFI_STATUS st;
	UINT8 *sector;

	st = BS->HandleProtocol(device, &gEfiBlockIoProtocolGuid, (void **)&block);
	if (!EFI_ERROR(st))
		st = BS->HandleProtocol(device, &gEfiDiskIoProtocolGuid, (void **)&k->disk);
	if (EFI_ERROR(st))
		return fail(st, "the loader's device has no file system and no disk");
	k->media_id = block->Media->MediaId;
	sector = AllocatePool(ISO_SECTOR_SIZE);
	if (!sector)
		return fail(EFI_OUT_OF_RESOURCES, "buffer for ISO 9660");
	is = iso9660_find(read_disk, k, KERNEL_ISO_PATH, sector, &k->base, &k->size);
	FreePool(sector);
	if (is != ISO_OK) {
		say(LOADER_NAME ": error: /" KERNEL_ISO_PATH " on the loader's disk: %a: %a\n",
		    iso_status_text(is), efi_status_name(EFI_NOT_FOUND));
		return EFI_NOT_FOUND;
	}
	say(LOADER_NAME ": reading /" KERNEL_ISO_PATH " from the ISO 9660 disk\n");
	return EFI_SUCCESS;
}

/* Step 3a: find kernel.elf next to the loader. */
static EFI_STATUS open_kernel(EFI_LOADED_IMAGE *loaded, struct kernel_file *k)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_STATUS st;

	st = BS->HandleProtocol(loaded->DeviceHandle,
				&gEfiSimpleFileSystemProtocolGuid, (void **)&fs);
	if (st == EFI_UNSUPPORTED)
		return open_on_iso9660(loaded->DeviceHandle, k);
	if (EFI_ERROR(st))
		return fail(st, "no file system on the loader's device");
	return open_on_volume(fs, k);
}

static void close_kernel(struct kernel_file *k)
{
	if (k->file)
		k->file->Close(k->file);
}

static EFI_STATUS check_kernel(struct kernel_file *k, struct elf_image *elf)
{
	UINT64 head_len = k->size < ELF_HEAD_MAX ? k->size : ELF_HEAD_MAX;
	enum elf_status es;
	EFI_STATUS st;
	void *head;

	head = AllocatePool(head_len ? head_len : 1);
	if (!head)
		return fail(EFI_OUT_OF_RESOURCES, "buffer for the ELF headers");
	st = read_at(k, 0, head, head_len);
	if (EFI_ERROR(st)) {
		FreePool(head);
		return fail(st, "reading " KERNEL_NAME);
	}
	es = elf_parse(head, head_len, k->size, elf);
	FreePool(head);
	if (es != ELF_OK) {
		say(LOADER_NAME ": error: " KERNEL_NAME ": %a (0x%lx; file is %ld bytes): %a\n",
		    elf_status_text(es), elf->detail, k->size,
		    efi_status_name(EFI_LOAD_ERROR));
		return EFI_LOAD_ERROR;
	}
	return EFI_SUCCESS;
}

/*
 * Step 3: give every segment its pages at p_paddr and fill them. Segments
 * are sorted and disjoint (elf.c), but two may share a page: then the
 * later one allocates only from the end of the earlier one's pages.
 * Executable segments become EfiLoaderCode, the rest EfiLoaderData: the
 * kernel's first instructions run on the firmware's page tables, and EDK2
 * can map EfiLoaderData no-execute (PcdDxeNxMemoryProtectionPolicy). The
 * OVMF measured here does not, but other builds do.
 */
static EFI_STATUS load_segments(struct kernel_file *k, const struct elf_image *elf)
{
	UINT64 allocated_end = 0;

	for (UINT32 i = 0; i < elf->nr_segments; i++) {
		const struct elf_segment *seg = &elf->segments[i];
		UINT64 start = PAGE_DOWN(seg->paddr);
		UINT64 end = PAGE_UP(seg->paddr + seg->memsz);
		EFI_MEMORY_TYPE type = EfiLoaderData;
		EFI_PHYSICAL_ADDRESS addr;
		EFI_STATUS st;

		if (start < allocated_end)
			start = allocated_end;
		if (seg->is_exec)
			type = EfiLoaderCode;
		if (end > start) {
			addr = start;
			st = BS->AllocatePages(AllocateAddress, type,
					       (end - start) / PAGE_SIZE, &addr);
			if (EFI_ERROR(st)) {
				say(LOADER_NAME ": error: segment 0x%lx-0x%lx overlaps non-free memory: %a\n",
				    seg->paddr, seg->paddr + seg->memsz,
				    efi_status_name(st));
				return st;
			}
			allocated_end = end;
		}
		st = read_at(k, seg->offset, (void *)seg->paddr, seg->filesz);
		if (EFI_ERROR(st))
			return fail(st, "reading a kernel segment");
		ZeroMem((void *)(seg->paddr + seg->filesz), seg->memsz - seg->filesz);
	}
	return EFI_SUCCESS;
}

/* Step 4: the ACPI 2.0 RSDP, else the ACPI 1.0 one. */
static void find_rsdp(struct boot_info *bi)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	const UINT8 *rsdp = NULL;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (CompareGuid(&t->VendorGuid, &acpi20) == 0) {
			rsdp = t->VendorTable;
			break;
		}
		if (CompareGuid(&t->VendorGuid, &AcpiTableGuid) == 0)
			rsdp = t->VendorTable;
	}
	if (!rsdp) {
		say(LOADER_NAME ": no ACPI RSDP in the configuration table\n");
		return;
	}
	bi->rsdp_len = rsdp[15] >= 2 ? 36 : 20;   /* revision 2+: 36 bytes */
	CopyMem(bi->rsdp, (void *)rsdp, bi->rsdp_len);
	say(LOADER_NAME ": ACPI RSDP revision %d at 0x%lx\n", rsdp[15], (UINT64)rsdp);
}

/*
 * Step 5: the final memory map and ExitBootServices. Nothing may allocate
 * or print between GetMemoryMap and ExitBootServices, or the map key goes
 * stale; and after a failed ExitBootServices only GetMemoryMap may be
 * called. So the buffer gets spare room first, and a stale key is answered
 * by getting the map again into the same buffer.
 */
static EFI_STATUS exit_boot_services(EFI_HANDLE image, struct boot_info *bi)
{
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	UINTN size = 0, capacity = 0, key, desc_size;
	UINT32 desc_version;
	EFI_STATUS st;
	int tries;

	for (;;) {
		st = BS->GetMemoryMap(&size, map, &key, &desc_size, &desc_version);
		if (st != EFI_BUFFER_TOO_SMALL)
			break;
		if (map)
			FreePool(map);
		size += MMAP_SLACK * desc_size;
		capacity = size;
		map = AllocatePool(capacity);
		if (!map)
			return fail(EFI_OUT_OF_RESOURCES, "memory map buffer");
	}
	if (EFI_ERROR(st))
		return fail(st, "GetMemoryMap");
	if (test_stale_map_key) {
		/* A page taken and given back changes the map, so the key is
		 * stale. (A small pool allocation may not: pool pages are
		 * already in the map.) */
		EFI_PHYSICAL_ADDRESS page;

		if (!EFI_ERROR(BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &page)))
			BS->FreePages(page, 1);
	}

	for (tries = 1;; tries++) {
		st = BS->ExitBootServices(image, key);
		if (!EFI_ERROR(st))
			break;
		if (st != EFI_INVALID_PARAMETER || tries == EBS_TRIES)
			goto failed;
		size = capacity;
		st = BS->GetMemoryMap(&size, map, &key, &desc_size, &desc_version);
		if (EFI_ERROR(st))
			goto failed;
	}
	boot_services_gone = 1;
	say("# efi-loader: exit_boot_services=ok tries=%d\n", tries);

	bi->mmap_format = BOOT_MMAP_EFI;
	bi->mmap_desc_size = desc_size;
	bi->mmap_desc_version = desc_version;
	bi->mmap_bytes = size;
	if (size > BOOT_MMAP_MAX) {
		bi->mmap_bytes = BOOT_MMAP_MAX - BOOT_MMAP_MAX % desc_size;
		bi->mmap_truncated = 1;
		copy_string(bi->error, sizeof(bi->error),
			    "gnu-efi: firmware memory map truncated");
	}
	CopyMem(bi->mmap, map, bi->mmap_bytes);
	return EFI_SUCCESS;

failed:
	/* Boot services may be half gone: report on COM1 only. */
	boot_services_gone = 1;
	return fail(st, "ExitBootServices");
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_LOADED_IMAGE *loaded;
	EFI_PHYSICAL_ADDRESS bi_addr;
	UINTN bi_pages = EFI_SIZE_TO_PAGES(sizeof(struct boot_info));
	struct boot_info *bi;
	static struct elf_image elf;
	struct kernel_file kfile = { 0 };
	UINT64 image_base;
	EFI_STATUS st;

	InitializeLib(image, systab);
	say(LOADER_NAME " " LOADER_VERSION " (gnu-efi)\n");
	com1_puts(L"# efi-loader: name=" LOADER_NAME " version=" LOADER_VERSION "\n");

	st = BS->HandleProtocol(image, &gEfiLoadedImageProtocolGuid, (void **)&loaded);
	if (EFI_ERROR(st))
		return stop(fail(st, "LoadedImage protocol"));

	st = BS->AllocatePages(AllocateAnyPages, EfiLoaderData, bi_pages, &bi_addr);
	if (EFI_ERROR(st))
		return stop(fail(st, "pages for boot_info"));
	bi = (struct boot_info *)bi_addr;
	ZeroMem(bi, bi_pages * PAGE_SIZE);
	copy_string(bi->loader, sizeof(bi->loader), "gnu-efi");
	copy_string(bi->firmware, sizeof(bi->firmware), "uefi");
	bi->efi_system_table = (UINT64)systab;

	st = read_cmdline(loaded, bi);
	if (EFI_ERROR(st))
		return stop(st);

	st = open_kernel(loaded, &kfile);
	if (EFI_ERROR(st))
		return stop(st);
	st = check_kernel(&kfile, &elf);
	if (!EFI_ERROR(st))
		st = load_segments(&kfile, &elf);
	close_kernel(&kfile);
	if (EFI_ERROR(st))
		return stop(st);
	bi->kernel_start = elf.start;
	bi->kernel_end = elf.end;
	say(LOADER_NAME ": kernel 0x%lx-0x%lx, %d segments, entry 0x%lx\n",
	    elf.start, elf.end, (int)elf.nr_segments, elf.entry);

	find_rsdp(bi);

	image_base = (UINT64)loaded->ImageBase;
	add_region(bi, bi_addr, bi_addr + bi_pages * PAGE_SIZE, "boot-info");
	add_region(bi, PAGE_DOWN(image_base), PAGE_UP(image_base + loaded->ImageSize),
		   "efi-loader");
	say(LOADER_NAME ": boot_info 0x%lx-0x%lx, loader image 0x%lx-0x%lx\n",
	    bi->regions[0].start, bi->regions[0].end,
	    bi->regions[1].start, bi->regions[1].end);
	say(LOADER_NAME ": exiting boot services\n");

	st = exit_boot_services(image, bi);
	if (EFI_ERROR(st))
		return stop(st);

	__asm__ volatile("cli");
	((void (*)(struct boot_info *))elf.entry)(bi);
	boot_services_gone = 1;
	say(LOADER_NAME ": error: the kernel returned\n");
	return stop(EFI_ABORTED);
}
