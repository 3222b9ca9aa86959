/*
 * iso9660_fuzz.c: libFuzzer target for the GNU-EFI loader's ISO 9660
 * lookup (boot/efi/iso9660.c).
 *
 * The input is a volume image: 32 KiB of zeros (the system area, sectors
 * 0..15, which the reader never looks at) followed by the input's bytes
 * from byte 1 on, so the input starts at the first volume descriptor
 * (sector 16) and stays a few KiB long. Byte 0 picks the path to look up.
 * Properties checked on every input:
 *   - iso9660_find() asks the read callback only for bytes inside the
 *     image and never for more than the sector buffer holds (the callback
 *     refuses anything else; it counts as a failure here), reads the
 *     sector buffer only inside its ISO_SECTOR_SIZE bytes (a heap buffer
 *     of exactly that size, for ASan) and never reads past the path's NUL;
 *   - a file it finds has its whole extent inside the image (an empty
 *     file has no extent to check);
 *   - the status is one of enum iso_status with a real message, and
 *     *offset and *size are only written on success.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/efi/iso9660.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

#define SYSTEM_AREA (16 * ISO_SECTOR_SIZE)
#define UNSET       0xdeadbeefcafef00dull

static const char *const paths[] = {
	"boot/kernel.elf", "BOOT//Kernel.Elf", "readme", "boot", "",
	"a/b/c/d/e/f/g/h", "boot/grub/x", "k",
};

struct image {
	const uint8_t *bytes;
	uint64_t size;
	const uint8_t *sector;
	bool bad_read;
};

static int read_image(void *ctx, uint64_t pos, void *buf, uint32_t len)
{
	struct image *im = ctx;

	if (buf != im->sector || len > ISO_SECTOR_SIZE) {
		im->bad_read = true;
		return -1;
	}
	if (pos > im->size || len > im->size - pos)
		return -1;              /* past the end of the disk */
	memcpy(buf, im->bytes + pos, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t nr_paths = sizeof(paths) / sizeof(paths[0]);
	uint64_t offset = UNSET, found_size = UNSET;
	struct image im = { 0 };
	enum iso_status st;
	uint8_t *bytes, *sector;
	char *path;
	size_t path_len;

	if (size < 1 || size > 1 << 20)
		return 0;
	path_len = strlen(paths[data[0] % nr_paths]);
	path = malloc(path_len + 1);         /* ends at its NUL, for ASan */
	bytes = calloc(1, SYSTEM_AREA + size - 1);
	sector = malloc(ISO_SECTOR_SIZE);
	CHECK(path && bytes && sector);
	memcpy(path, paths[data[0] % nr_paths], path_len + 1);
	memcpy(bytes + SYSTEM_AREA, data + 1, size - 1);
	im = (struct image){ .bytes = bytes, .size = SYSTEM_AREA + size - 1,
			     .sector = sector };

	st = iso9660_find(read_image, &im, path, sector, &offset, &found_size);
	CHECK(!im.bad_read);
	CHECK((unsigned)st < ISO_STATUS_COUNT);
	CHECK(strcmp(iso_status_text(st), "unknown ISO 9660 status") != 0);
	if (st == ISO_OK) {
		CHECK(found_size == 0 ||
		      (offset <= im.size && found_size <= im.size - offset));
	} else {
		CHECK(offset == UNSET && found_size == UNSET);
	}
	free(sector);
	free(bytes);
	free(path);
	return 0;
}
