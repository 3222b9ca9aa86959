/*
 * elf.h: checks a kernel.elf before the GNU-EFI loader places it in memory.
 *
 * The loader reads the first bytes of the file (the ELF header and the
 * program header table) and hands them here with the file's full size.
 * elf_parse() accepts only what the kernel contract allows: an ELF64
 * little-endian x86_64 executable whose PT_LOAD segments are identity
 * linked (p_paddr == p_vaddr), sorted, disjoint, inside the file, and whose
 * entry point lies in an executable segment. Anything else is an error
 * value with a fixed message; the loader never touches memory for a file
 * that fails here.
 *
 * Portable: only freestanding headers, so host tests can feed it
 * hand-made and broken headers.
 */
#ifndef DYNFLAGS_EFI_ELF_H
#define DYNFLAGS_EFI_ELF_H

#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

/* The on-disk ELF64 structures (System V gABI), little-endian. */
struct elf64_ehdr {
	uint8_t  e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

#define ELF_PT_LOAD     1
#define ELF_PF_X        0x1
#define ELF_ET_EXEC     2
#define ELF_EM_X86_64   62

enum elf_status {
	ELF_OK = 0,
	ELF_BAD_MAGIC,          /* not "\x7fELF" */
	ELF_NOT_ELF64,          /* EI_CLASS is not ELFCLASS64 */
	ELF_NOT_LSB,            /* EI_DATA is not little-endian */
	ELF_BAD_VERSION,        /* EI_VERSION / e_version is not 1 */
	ELF_NOT_EXEC,           /* e_type is not ET_EXEC */
	ELF_BAD_MACHINE,        /* e_machine is not x86_64 */
	ELF_TRUNCATED,          /* a header or a segment's bytes lie past EOF */
	ELF_PHDRS_UNREAD,       /* program headers lie past the bytes read */
	ELF_BAD_PHENTSIZE,      /* e_phentsize smaller than struct elf64_phdr */
	ELF_NO_SEGMENTS,        /* no PT_LOAD segment */
	ELF_TOO_MANY_SEGMENTS,  /* more than ELF_MAX_SEGMENTS PT_LOAD */
	ELF_NOT_IDENTITY,       /* p_paddr != p_vaddr */
	ELF_FILESZ_GT_MEMSZ,
	ELF_ADDR_OVERFLOW,      /* paddr + memsz wraps or passes ELF_ADDR_LIMIT */
	ELF_SEGMENTS_OVERLAP,   /* not sorted by address, or overlapping */
	ELF_BAD_ENTRY,          /* e_entry outside every executable segment */
	ELF_STATUS_COUNT
};

/* Kernels must lie below 2^48: the architectural limit of a 4-level map. */
#define ELF_ADDR_LIMIT (1ull << 48)

/* One PT_LOAD segment: file bytes [offset, offset+filesz) go to paddr,
 * and the rest of [paddr, paddr+memsz) is zeroed. */
struct elf_segment {
	uint64_t paddr;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	int is_exec;            /* PF_X: holds code */
};

struct elf_image {
	uint64_t entry;
	uint64_t start;         /* lowest segment byte */
	uint64_t end;           /* one past the highest segment byte */
	uint32_t nr_segments;
	struct elf_segment segments[ELF_MAX_SEGMENTS];
	uint64_t detail;        /* on error: the offending value (e_machine,
	                           bytes needed, segment address, ...) */
};

/*
 * Check the file whose first head_len bytes are at head and whose full size
 * is file_size bytes, and describe its segments in *img. head_len may be
 * less than file_size; it must cover the ELF and program headers.
 */
enum elf_status elf_parse(const void *head, uint64_t head_len,
			  uint64_t file_size, struct elf_image *img);

/* A fixed English message for a status ("wrong machine (not x86_64)"). */
const char *elf_status_text(enum elf_status status);

#endif
