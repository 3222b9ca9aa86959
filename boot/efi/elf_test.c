/*
 * elf_test.c: host tests of the GNU-EFI loader's kernel.elf checks (elf.c).
 *
 * Each case builds a small ELF image in a page: a header and program
 * headers for two segments shaped like the real kernel's (code at 1 MiB,
 * data above it), then breaks one thing and expects the matching error.
 * (Host only: boot/efi/ is not linked into the kernel.)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/ktest.h"
#include "boot/efi/elf.h"

#define FILE_SIZE 0x3000u       /* the pretend file's full size, bytes */
#define PHOFF     64u

static struct elf64_ehdr *ehdr(void *page)
{
	return page;
}

static struct elf64_phdr *phdr(void *page, int i)
{
	return (struct elf64_phdr *)((uint8_t *)page + PHOFF) + i;
}

/* A valid kernel: code 0x100000-0x101800 (file 0x1000), data+bss after. */
static void *make_kernel(void)
{
	void *page = ktest_page_alloc();
	struct elf64_ehdr *eh = page;

	if (!page)
		return NULL;
	memcpy(eh->e_ident, "\x7f" "ELF", 4);
	eh->e_ident[4] = 2;     /* ELFCLASS64 */
	eh->e_ident[5] = 1;     /* little-endian */
	eh->e_ident[6] = 1;     /* EV_CURRENT */
	eh->e_type = ELF_ET_EXEC;
	eh->e_machine = ELF_EM_X86_64;
	eh->e_version = 1;
	eh->e_entry = 0x100040;
	eh->e_phoff = PHOFF;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(struct elf64_phdr);
	eh->e_phnum = 2;
	*phdr(page, 0) = (struct elf64_phdr){
		.p_type = ELF_PT_LOAD, .p_flags = ELF_PF_X | 4,
		.p_offset = 0x1000, .p_vaddr = 0x100000, .p_paddr = 0x100000,
		.p_filesz = 0x1800, .p_memsz = 0x1800, .p_align = 0x1000 };
	*phdr(page, 1) = (struct elf64_phdr){
		.p_type = ELF_PT_LOAD, .p_flags = 6,
		.p_offset = 0x2800, .p_vaddr = 0x102000, .p_paddr = 0x102000,
		.p_filesz = 0x800, .p_memsz = 0x5000, .p_align = 0x1000 };
	return page;
}

static enum elf_status parse(void *page, struct elf_image *img)
{
	return elf_parse(page, 4096, FILE_SIZE, img);
}

static void valid_kernel_parses(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	KT_EXPECT_EQ(t, parse(page, &img), ELF_OK);
	KT_EXPECT_EQ(t, img.entry, 0x100040);
	KT_EXPECT_EQ(t, img.start, 0x100000);
	KT_EXPECT_EQ(t, img.end, 0x107000);
	KT_EXPECT_EQ(t, img.nr_segments, 2);
	KT_EXPECT_EQ(t, img.segments[0].is_exec, 1);
	KT_EXPECT_EQ(t, img.segments[1].is_exec, 0);
	KT_EXPECT_EQ(t, img.segments[1].filesz, 0x800);
	KT_EXPECT_EQ(t, img.segments[1].memsz, 0x5000);
	ktest_page_free(page);
}

static void wrong_magic(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	memcpy(page, "MZ\x90\x00", 4);          /* a PE file, say */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_BAD_MAGIC);
	ktest_page_free(page);
}

static void wrong_class_and_byte_order(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	ehdr(page)->e_ident[4] = 1;             /* ELFCLASS32 */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_NOT_ELF64);
	ehdr(page)->e_ident[4] = 2;
	ehdr(page)->e_ident[5] = 2;             /* big-endian */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_NOT_LSB);
	ehdr(page)->e_ident[5] = 1;
	ehdr(page)->e_version = 0;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_BAD_VERSION);
	ehdr(page)->e_version = 1;
	ehdr(page)->e_type = 3;                 /* ET_DYN: a PIE */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_NOT_EXEC);
	ktest_page_free(page);
}

static void wrong_machine(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	ehdr(page)->e_machine = 3;              /* EM_386 */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_BAD_MACHINE);
	KT_EXPECT_EQ(t, img.detail, 3);
	ktest_page_free(page);
}

static void truncated_files(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	/* Shorter than the magic, than the ELF header, than the phdrs. */
	KT_EXPECT_EQ(t, elf_parse(page, 4096, 3, &img), ELF_TRUNCATED);
	KT_EXPECT_EQ(t, elf_parse(page, 4096, 40, &img), ELF_TRUNCATED);
	KT_EXPECT_EQ(t, elf_parse(page, 4096, PHOFF + 60, &img), ELF_TRUNCATED);
	KT_EXPECT_EQ(t, img.detail, PHOFF + 2 * sizeof(struct elf64_phdr));
	/* The headers are whole but the data segment's bytes end past EOF. */
	KT_EXPECT_EQ(t, elf_parse(page, 4096, 0x2fff, &img), ELF_TRUNCATED);
	KT_EXPECT_EQ(t, img.detail, 0x3000);
	/* A segment whose offset + filesz wraps around 2^64. */
	phdr(page, 0)->p_offset = UINT64_MAX - 0x100;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_TRUNCATED);
	ktest_page_free(page);
}

static void phdrs_out_of_reach(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	/* Inside the file but past the bytes the loader read. */
	KT_EXPECT_EQ(t, elf_parse(page, 100, FILE_SIZE, &img), ELF_PHDRS_UNREAD);
	/* e_phoff + e_phnum * e_phentsize far past the file. */
	ehdr(page)->e_phoff = UINT64_MAX - 8;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_TRUNCATED);
	ehdr(page)->e_phoff = PHOFF;
	ehdr(page)->e_phentsize = 32;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_BAD_PHENTSIZE);
	ktest_page_free(page);
}

static void segment_shapes(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	phdr(page, 1)->p_vaddr = 0xffffffff80102000;   /* a higher-half link */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_NOT_IDENTITY);
	phdr(page, 1)->p_vaddr = phdr(page, 1)->p_paddr;

	phdr(page, 1)->p_filesz = 0x6000;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_FILESZ_GT_MEMSZ);
	phdr(page, 1)->p_filesz = 0x800;

	phdr(page, 1)->p_paddr = phdr(page, 1)->p_vaddr = UINT64_MAX - 0x1000;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_ADDR_OVERFLOW);
	phdr(page, 1)->p_paddr = phdr(page, 1)->p_vaddr = ELF_ADDR_LIMIT - 0x1000;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_ADDR_OVERFLOW);

	/* Overlapping the code segment by one byte, then lying below it. */
	phdr(page, 1)->p_paddr = phdr(page, 1)->p_vaddr = 0x1017ff;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_SEGMENTS_OVERLAP);
	phdr(page, 1)->p_paddr = phdr(page, 1)->p_vaddr = 0x80000;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_SEGMENTS_OVERLAP);
	/* Touching is fine: [0x100000, 0x101800) then [0x101800, ...). */
	phdr(page, 1)->p_paddr = phdr(page, 1)->p_vaddr = 0x101800;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_OK);
	ktest_page_free(page);
}

static void entry_must_be_code(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	ehdr(page)->e_entry = 0x102000;                 /* in the data segment */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_BAD_ENTRY);
	ehdr(page)->e_entry = 0x101800;                 /* one past the code */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_BAD_ENTRY);
	ehdr(page)->e_entry = 0x1017ff;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_OK);
	ktest_page_free(page);
}

static void segment_counts(struct ktest *t)
{
	void *page = make_kernel();
	static struct elf_image img;

	KT_ASSERT(t, page);
	phdr(page, 0)->p_type = 0x6474e551;             /* PT_GNU_STACK */
	phdr(page, 1)->p_type = 4;                      /* PT_NOTE */
	KT_EXPECT_EQ(t, parse(page, &img), ELF_NO_SEGMENTS);

	/* An empty PT_LOAD is skipped, not counted. */
	phdr(page, 0)->p_type = phdr(page, 1)->p_type = ELF_PT_LOAD;
	phdr(page, 1)->p_memsz = phdr(page, 1)->p_filesz = 0;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_OK);
	KT_EXPECT_EQ(t, img.nr_segments, 1);

	/* ELF_MAX_SEGMENTS + 1 one-page segments. */
	ehdr(page)->e_phnum = ELF_MAX_SEGMENTS + 1;
	for (int i = 0; i <= ELF_MAX_SEGMENTS; i++)
		*phdr(page, i) = (struct elf64_phdr){
			.p_type = ELF_PT_LOAD, .p_flags = ELF_PF_X,
			.p_offset = 0x1000, .p_filesz = 0x10, .p_memsz = 0x1000,
			.p_vaddr = 0x100000 + 0x1000 * (uint64_t)i,
			.p_paddr = 0x100000 + 0x1000 * (uint64_t)i };
	KT_EXPECT_EQ(t, parse(page, &img), ELF_TOO_MANY_SEGMENTS);
	ehdr(page)->e_phnum = ELF_MAX_SEGMENTS;
	KT_EXPECT_EQ(t, parse(page, &img), ELF_OK);
	ktest_page_free(page);
}

static void every_status_has_text(struct ktest *t)
{
	for (int i = 0; i < ELF_STATUS_COUNT; i++) {
		const char *text = elf_status_text((enum elf_status)i);

		KT_EXPECT(t, text && strlen(text) > 1);
		for (int j = 0; j < i; j++)
			KT_EXPECT(t, strcmp(text, elf_status_text((enum elf_status)j)) != 0);
	}
	KT_EXPECT(t, strcmp(elf_status_text(ELF_STATUS_COUNT), "unknown ELF status") == 0);
}

KTEST_SUITE(efi_elf,
	    KTEST_CASE(valid_kernel_parses),
	    KTEST_CASE(wrong_magic),
	    KTEST_CASE(wrong_class_and_byte_order),
	    KTEST_CASE(wrong_machine),
	    KTEST_CASE(truncated_files),
	    KTEST_CASE(phdrs_out_of_reach),
	    KTEST_CASE(segment_shapes),
	    KTEST_CASE(entry_must_be_code),
	    KTEST_CASE(segment_counts),
	    KTEST_CASE(every_status_has_text));
