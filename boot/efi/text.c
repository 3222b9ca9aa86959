/*
 * text.c: status names and command-line text for the GNU-EFI loader
 * (see text.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "boot/efi/text.h"

#define EFI_ERROR_BIT (1ull << 63)

/* Indexed by the low bits of an error status (UEFI spec, Appendix D). */
static const char *const error_names[] = {
	[1]  = "EFI_LOAD_ERROR",
	[2]  = "EFI_INVALID_PARAMETER",
	[3]  = "EFI_UNSUPPORTED",
	[4]  = "EFI_BAD_BUFFER_SIZE",
	[5]  = "EFI_BUFFER_TOO_SMALL",
	[6]  = "EFI_NOT_READY",
	[7]  = "EFI_DEVICE_ERROR",
	[8]  = "EFI_WRITE_PROTECTED",
	[9]  = "EFI_OUT_OF_RESOURCES",
	[10] = "EFI_VOLUME_CORRUPTED",
	[11] = "EFI_VOLUME_FULL",
	[12] = "EFI_NO_MEDIA",
	[13] = "EFI_MEDIA_CHANGED",
	[14] = "EFI_NOT_FOUND",
	[15] = "EFI_ACCESS_DENIED",
	[16] = "EFI_NO_RESPONSE",
	[17] = "EFI_NO_MAPPING",
	[18] = "EFI_TIMEOUT",
	[19] = "EFI_NOT_STARTED",
	[20] = "EFI_ALREADY_STARTED",
	[21] = "EFI_ABORTED",
	[22] = "EFI_ICMP_ERROR",
	[23] = "EFI_TFTP_ERROR",
	[24] = "EFI_PROTOCOL_ERROR",
	[25] = "EFI_INCOMPATIBLE_VERSION",
	[26] = "EFI_SECURITY_VIOLATION",
	[27] = "EFI_CRC_ERROR",
	[28] = "EFI_END_OF_MEDIA",
	[31] = "EFI_END_OF_FILE",
	[32] = "EFI_INVALID_LANGUAGE",
	[33] = "EFI_COMPROMISED_DATA",
};

const char *efi_status_name(uint64_t status)
{
	uint64_t code = status & ~EFI_ERROR_BIT;

	if (status == 0)
		return "EFI_SUCCESS";
	if (!(status & EFI_ERROR_BIT))
		return "EFI_WARNING";
	if (code < sizeof(error_names) / sizeof(error_names[0]) &&
	    error_names[code])
		return error_names[code];
	return "EFI_UNKNOWN_ERROR";
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Does the word [w, w+len) name an EFI program ("\EFI\BOOT\BOOTX64.EFI")? */
static int is_efi_program(const char *w, size_t len)
{
	return len >= 4 && w[len - 4] == '.' &&
	       (w[len - 3] | 0x20) == 'e' && (w[len - 2] | 0x20) == 'f' &&
	       (w[len - 1] | 0x20) == 'i';
}

enum load_options_status load_options_ascii(const void *options, uint64_t bytes,
					    char *out, size_t out_size)
{
	const uint8_t *p = options;
	size_t len = 0, start = 0, first_word;

	if (out_size == 0)
		return LOAD_OPTIONS_TOO_LONG;
	out[0] = '\0';
	if (bytes % 2 != 0)
		return LOAD_OPTIONS_NOT_TEXT;
	for (uint64_t i = 0; i < bytes; i += 2) {
		uint16_t c = (uint16_t)(p[i] | p[i + 1] << 8);

		if (c == 0)
			break;
		if (c == '\t')
			c = ' ';
		if (c < 0x20 || c > 0x7e) {
			out[0] = '\0';
			return LOAD_OPTIONS_NOT_TEXT;
		}
		if (len + 1 >= out_size) {
			out[0] = '\0';
			return LOAD_OPTIONS_TOO_LONG;
		}
		out[len++] = (char)c;
	}
	/* A shell or a boot manager passes the program's own path first. */
	while (start < len && is_space(out[start]))
		start++;
	first_word = start;
	while (first_word < len && !is_space(out[first_word]))
		first_word++;
	if (is_efi_program(out + start, first_word - start))
		start = first_word;
	while (start < len && is_space(out[start]))
		start++;
	while (len > start && is_space(out[len - 1]))
		len--;
	for (size_t i = 0; start + i < len; i++)
		out[i] = out[start + i];
	out[len - start] = '\0';
	return LOAD_OPTIONS_OK;
}

int take_word(char *line, const char *word)
{
	size_t word_len = 0, i = 0;

	while (word[word_len])
		word_len++;
	while (line[i]) {
		size_t start = i, len, j;

		while (line[i] && line[i] != ' ')
			i++;
		len = i - start;
		if (len == word_len) {
			for (j = 0; j < len && line[start + j] == word[j]; j++)
				;
			if (j == len) {
				/* Drop the word and the space after it (or before
				 * it, for the last word). */
				size_t from = line[i] == ' ' ? i + 1 : i;
				size_t to = (!line[i] && start > 0) ? start - 1 : start;

				while ((line[to++] = line[from++]))
					;
				return 1;
			}
		}
		while (line[i] == ' ')
			i++;
	}
	return 0;
}
