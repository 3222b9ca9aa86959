/*
 * elf.c: the kernel.elf checks of the GNU-EFI loader (see elf.h).
 *
 * Every offset and size comes from an untrusted file, so each sum is
 * checked for overflow before it is compared, and headers are copied out
 * byte by byte (the file may put them at unaligned offsets).
 */
#include <stddef.h>
#include <stdint.h>

#include "boot/efi/elf.h"

static const char *const status_text[ELF_STATUS_COUNT] = {
	[ELF_OK]                = "ok",
	[ELF_BAD_MAGIC]         = "wrong magic (not an ELF file)",
	[ELF_NOT_ELF64]         = "not a 64-bit ELF file",
	[ELF_NOT_LSB]           = "not a little-endian ELF file",
	[ELF_BAD_VERSION]       = "unknown ELF version",
	[ELF_NOT_EXEC]          = "not an executable (e_type is not ET_EXEC)",
	[ELF_BAD_MACHINE]       = "wrong machine (not x86_64)",
	[ELF_TRUNCATED]         = "truncated file",
	[ELF_PHDRS_UNREAD]      = "program headers lie too far into the file",
	[ELF_BAD_PHENTSIZE]     = "program header entries too small",
	[ELF_NO_SEGMENTS]       = "no PT_LOAD segment",
	[ELF_TOO_MANY_SEGMENTS] = "too many PT_LOAD segments",
	[ELF_NOT_IDENTITY]      = "segment not identity linked (p_paddr != p_vaddr)",
	[ELF_FILESZ_GT_MEMSZ]   = "segment file size larger than its memory size",
	[ELF_ADDR_OVERFLOW]     = "segment address past the 48-bit limit",
	[ELF_SEGMENTS_OVERLAP]  = "segments unsorted or overlapping",
	[ELF_BAD_ENTRY]         = "entry point outside every executable segment",
};

const char *elf_status_text(enum elf_status status)
{
	if ((unsigned)status >= ELF_STATUS_COUNT)
		return "unknown ELF status";
	return status_text[status];
}

static void copy_bytes(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

/* Does [off, off+len) fit inside limit bytes? (No overflow possible.) */
static int fits(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

static enum elf_status fail(struct elf_image *img, enum elf_status st,
			    uint64_t detail)
{
	img->detail = detail;
	return st;
}

static enum elf_status check_ehdr(const struct elf64_ehdr *eh,
				  struct elf_image *img)
{
	if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' ||
	    eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F')
		return fail(img, ELF_BAD_MAGIC, eh->e_ident[0]);
	if (eh->e_ident[4] != 2)                /* EI_CLASS: ELFCLASS64 */
		return fail(img, ELF_NOT_ELF64, eh->e_ident[4]);
	if (eh->e_ident[5] != 1)                /* EI_DATA: ELFDATA2LSB */
		return fail(img, ELF_NOT_LSB, eh->e_ident[5]);
	if (eh->e_ident[6] != 1 || eh->e_version != 1)
		return fail(img, ELF_BAD_VERSION, eh->e_version);
	if (eh->e_machine != ELF_EM_X86_64)
		return fail(img, ELF_BAD_MACHINE, eh->e_machine);
	if (eh->e_type != ELF_ET_EXEC)
		return fail(img, ELF_NOT_EXEC, eh->e_type);
	if (eh->e_phentsize < sizeof(struct elf64_phdr))
		return fail(img, ELF_BAD_PHENTSIZE, eh->e_phentsize);
	return ELF_OK;
}

/* Check one PT_LOAD header and append it to img->segments. */
static enum elf_status add_segment(const struct elf64_phdr *ph,
				   uint64_t file_size, struct elf_image *img)
{
	struct elf_segment *seg;

	if (ph->p_paddr != ph->p_vaddr)
		return fail(img, ELF_NOT_IDENTITY, ph->p_paddr);
	if (ph->p_filesz > ph->p_memsz)
		return fail(img, ELF_FILESZ_GT_MEMSZ, ph->p_paddr);
	if (!fits(ph->p_paddr, ph->p_memsz, ELF_ADDR_LIMIT))
		return fail(img, ELF_ADDR_OVERFLOW, ph->p_paddr);
	if (!fits(ph->p_offset, ph->p_filesz, file_size))
		return fail(img, ELF_TRUNCATED, ph->p_offset + ph->p_filesz);
	if (ph->p_memsz == 0)
		return ELF_OK;          /* occupies nothing; ignore it */
	if (img->nr_segments == ELF_MAX_SEGMENTS)
		return fail(img, ELF_TOO_MANY_SEGMENTS, ELF_MAX_SEGMENTS);
	if (img->nr_segments > 0 && ph->p_paddr < img->end)
		return fail(img, ELF_SEGMENTS_OVERLAP, ph->p_paddr);

	seg = &img->segments[img->nr_segments++];
	seg->paddr = ph->p_paddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->is_exec = (ph->p_flags & ELF_PF_X) != 0;
	if (img->nr_segments == 1)
		img->start = ph->p_paddr;
	img->end = ph->p_paddr + ph->p_memsz;
	return ELF_OK;
}

enum elf_status elf_parse(const void *head, uint64_t head_len,
			  uint64_t file_size, struct elf_image *img)
{
	const uint8_t *bytes = head;
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	enum elf_status st;
	uint64_t table_len;
	int entry_ok = 0;

	*img = (struct elf_image){ 0 };
	if (head_len > file_size)
		head_len = file_size;
	if (head_len < 4)
		return fail(img, file_size < 4 ? ELF_TRUNCATED : ELF_BAD_MAGIC,
			    sizeof(eh));
	if (bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' ||
	    bytes[3] != 'F')
		return fail(img, ELF_BAD_MAGIC, bytes[0]);
	if (head_len < sizeof(eh))
		return fail(img, ELF_TRUNCATED, sizeof(eh));
	copy_bytes(&eh, bytes, sizeof(eh));
	st = check_ehdr(&eh, img);
	if (st != ELF_OK)
		return st;

	table_len = (uint64_t)eh.e_phnum * eh.e_phentsize;
	if (!fits(eh.e_phoff, table_len, file_size))
		return fail(img, ELF_TRUNCATED, eh.e_phoff + table_len);
	if (!fits(eh.e_phoff, table_len, head_len))
		return fail(img, ELF_PHDRS_UNREAD, eh.e_phoff + table_len);

	for (uint32_t i = 0; i < eh.e_phnum; i++) {
		copy_bytes(&ph, bytes + eh.e_phoff + (uint64_t)i * eh.e_phentsize,
			   sizeof(ph));
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		st = add_segment(&ph, file_size, img);
		if (st != ELF_OK)
			return st;
		if ((ph.p_flags & ELF_PF_X) && eh.e_entry >= ph.p_paddr &&
		    eh.e_entry - ph.p_paddr < ph.p_memsz)
			entry_ok = 1;
	}
	if (img->nr_segments == 0)
		return fail(img, ELF_NO_SEGMENTS, eh.e_phnum);
	if (!entry_ok)
		return fail(img, ELF_BAD_ENTRY, eh.e_entry);
	img->entry = eh.e_entry;
	return ELF_OK;
}
