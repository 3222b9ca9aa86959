/*
 * text.h: the GNU-EFI loader's text helpers that need no firmware.
 *
 *   efi_status_name()     EFI_STATUS -> "EFI_NOT_FOUND"
 *   load_options_ascii()  the UCS-2 load options -> an ASCII command line
 *   take_word()           remove a word meant for the loader from that line
 *
 * Portable (freestanding headers only) and host-tested.
 */
#ifndef DYNFLAGS_EFI_TEXT_H
#define DYNFLAGS_EFI_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The UEFI specification's name of a status code, or "EFI_UNKNOWN_ERROR". */
const char *efi_status_name(uint64_t status);

enum load_options_status {
	LOAD_OPTIONS_OK = 0,
	LOAD_OPTIONS_NOT_TEXT,  /* odd size or a non-printable character */
	LOAD_OPTIONS_TOO_LONG,  /* does not fit the output buffer */
};

/*
 * Convert load options of `bytes` bytes (UCS-2 little-endian, optionally
 * NUL-terminated) to ASCII in out[out_size]. A boot entry's optional data
 * may be binary rather than text (the UEFI specification allows any
 * bytes), so anything that is not printable ASCII text is refused as a
 * whole and out is left "".
 * Leading and trailing spaces are dropped.
 */
enum load_options_status load_options_ascii(const void *options, uint64_t bytes,
					    char *out, size_t out_size);

/*
 * If the space-separated word `word` is in `line`, remove its first
 * occurrence (and one space next to it) and return 1; else return 0.
 * The loader takes its own test words out of the command line this way,
 * so the kernel never sees them.
 */
int take_word(char *line, const char *word);

#endif
