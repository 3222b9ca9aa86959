/*
 * elf_fuzz.c: libFuzzer target for the GNU-EFI loader's kernel.elf checks
 * (boot/efi/elf.c).
 *
 * The input is the head of an ELF file (what the loader reads: the ELF
 * header and the program headers, maybe more), in a heap buffer of exactly
 * its length, so ASan sees any read past it; the file's full size is
 * chosen separately. Properties checked on every input:
 *   - elf_parse() accepts exactly when a plain reference written here from
 *     elf.h accepts, and then describes the same segments;
 *   - every accepted segment lies inside the file (offset + filesz <=
 *     file size), is not empty, has filesz <= memsz, lies below
 *     ELF_ADDR_LIMIT and inside [img.start, img.end); segments are sorted
 *     and disjoint, at most ELF_MAX_SEGMENTS, and the entry point lies in
 *     an executable one;
 *   - a refusal carries a status other than ELF_OK, below
 *     ELF_STATUS_COUNT, with a real message.
 *
 * Input: byte 0 is the mode, bytes 1..3 a number X (LE), the rest the head.
 *   bit 0:     "built": the harness writes a valid ELF identification,
 *              e_type, e_machine and e_version over the head (and makes
 *              e_phentsize at least 56), so the fuzzer spends its time in
 *              the program headers;
 *   bits 1..2: the file size: 0 the head's length, 1 the head plus X
 *              bytes, 2 the head minus X bytes (the head runs past EOF),
 *              3 X MiB.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/efi/elf.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static uint64_t get(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* [off, off+len) inside limit, in exact arithmetic. */
static bool inside(uint64_t off, uint64_t len, uint64_t limit)
{
	return (unsigned __int128)off + len <= limit;
}

static struct elf_segment want[ELF_MAX_SEGMENTS];
static uint32_t nr_want;

/* The rules of elf.h, checked in the simplest order. */
static bool ref_accepts(const uint8_t *h, uint64_t head_len, uint64_t file_size)
{
	uint64_t phoff, entry, end = 0;
	uint32_t phentsize, phnum;
	bool entry_ok = false;

	nr_want = 0;
	if (head_len > file_size)
		head_len = file_size;
	if (head_len < 64)
		return false;
	if (memcmp(h, "\x7f" "ELF", 4) != 0 || h[4] != 2 || h[5] != 1 ||
	    h[6] != 1 || get(h + 20, 4) != 1 || get(h + 18, 2) != ELF_EM_X86_64 ||
	    get(h + 16, 2) != ELF_ET_EXEC)
		return false;
	entry = get(h + 24, 8);
	phoff = get(h + 32, 8);
	phentsize = (uint32_t)get(h + 54, 2);
	phnum = (uint32_t)get(h + 56, 2);
	if (phentsize < 56 || !inside(phoff, (uint64_t)phnum * phentsize, head_len))
		return false;
	for (uint32_t i = 0; i < phnum; i++) {
		const uint8_t *ph = h + phoff + (uint64_t)i * phentsize;
		uint64_t offset = get(ph + 8, 8), vaddr = get(ph + 16, 8);
		uint64_t paddr = get(ph + 24, 8), filesz = get(ph + 32, 8);
		uint64_t memsz = get(ph + 40, 8);
		bool exec = get(ph + 4, 4) & ELF_PF_X;

		if (get(ph, 4) != ELF_PT_LOAD)
			continue;
		if (paddr != vaddr || filesz > memsz ||
		    !inside(paddr, memsz, ELF_ADDR_LIMIT) ||
		    !inside(offset, filesz, file_size))
			return false;
		if (memsz == 0)
			continue;
		if (nr_want == ELF_MAX_SEGMENTS || (nr_want > 0 && paddr < end))
			return false;
		want[nr_want++] = (struct elf_segment){ .paddr = paddr,
			.memsz = memsz, .offset = offset, .filesz = filesz,
			.is_exec = exec };
		end = paddr + memsz;
		if (exec && entry >= paddr && entry - paddr < memsz)
			entry_ok = true;
	}
	return nr_want > 0 && entry_ok;
}

static void check_image(const struct elf_image *img, uint64_t file_size)
{
	bool entry_ok = false;

	CHECK(img->nr_segments >= 1 && img->nr_segments <= ELF_MAX_SEGMENTS);
	CHECK(img->start < img->end && img->end <= ELF_ADDR_LIMIT);
	CHECK(img->start == img->segments[0].paddr);
	for (uint32_t i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->segments[i];

		CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		CHECK(inside(s->offset, s->filesz, file_size));
		CHECK(inside(s->paddr, s->memsz, ELF_ADDR_LIMIT));
		CHECK(s->paddr >= img->start && s->paddr + s->memsz <= img->end);
		if (i > 0)
			CHECK(s->paddr >= img->segments[i - 1].paddr +
					   img->segments[i - 1].memsz);
		if (i == img->nr_segments - 1)
			CHECK(s->paddr + s->memsz == img->end);
		if (s->is_exec && img->entry >= s->paddr &&
		    img->entry - s->paddr < s->memsz)
			entry_ok = true;
	}
	CHECK(entry_ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_image img;
	uint64_t x, head_len, file_size;
	enum elf_status st;
	uint8_t mode, *head;
	bool ok;

	if (size < 4)
		return 0;
	mode = data[0];
	x = get(data + 1, 3);
	data += 4;
	size -= 4;
	head_len = size;
	switch ((mode >> 1) & 3) {
	case 0:  file_size = head_len; break;
	case 1:  file_size = head_len + x; break;
	case 2:  file_size = head_len > x ? head_len - x : 0; break;
	default: file_size = x << 20; break;
	}
	head = malloc(size ? size : 1);
	CHECK(head);
	memcpy(head, data, size);
	if ((mode & 1) && size >= 64) {
		uint16_t phentsize = (uint16_t)get(head + 54, 2);

		memcpy(head, "\x7f" "ELF\x02\x01\x01", 7);
		head[16] = ELF_ET_EXEC;
		head[17] = 0;
		head[18] = ELF_EM_X86_64;
		head[19] = 0;
		memcpy(head + 20, "\x01\0\0\0", 4);
		if (phentsize < sizeof(struct elf64_phdr)) {
			head[54] = sizeof(struct elf64_phdr);
			head[55] = 0;
		}
	}

	ok = ref_accepts(head, head_len, file_size);
	st = elf_parse(head, head_len, file_size, &img);
	if (st == ELF_OK) {
		CHECK(ok);
		check_image(&img, file_size);
		CHECK(img.nr_segments == nr_want);
		for (uint32_t i = 0; i < nr_want; i++) {
			const struct elf_segment *g = &img.segments[i], *w = &want[i];

			CHECK(g->paddr == w->paddr && g->memsz == w->memsz &&
			      g->offset == w->offset && g->filesz == w->filesz &&
			      g->is_exec == w->is_exec);
		}
		CHECK(img.entry == get(head + 24, 8));
	} else {
		CHECK(!ok);
		CHECK(st > ELF_OK && st < ELF_STATUS_COUNT);
		CHECK(strcmp(elf_status_text(st), "unknown ELF status") != 0);
		CHECK(strlen(elf_status_text(st)) > 0);
	}
	free(head);
	return 0;
}
