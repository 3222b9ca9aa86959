/*
 * cmdline.h: a portable parser for the kernel command line.
 *
 * The line is a list of words separated by spaces. A word is `key=value`
 * or a bare `key`. Each key is looked up in a table of options; its parse
 * function checks the value and, only if it is valid, stores it. So an
 * invalid value leaves the option as it was (its default, unless an
 * earlier word set it). Unknown keys and invalid values are reported
 * through a callback and otherwise ignored: parsing never stops early.
 *
 * Portable: no kernel header; the host tests drive it directly.
 */
#ifndef DYNFLAGS_CMDLINE_H
#define DYNFLAGS_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

struct cmdline_option;

/*
 * Parse `len` bytes at `value` (NULL for a bare word) for `opt`. Returns
 * NULL on success, else a short reason ("must be 22..32"), storing nothing.
 */
typedef const char *(*cmdline_parse_fn)(const struct cmdline_option *opt,
					const char *value, size_t len);

struct cmdline_option {
	const char *name;
	cmdline_parse_fn parse;
	void *dst;                      /* where the value goes */
	uint64_t min, max;              /* numbers: the valid range;
	                                   strings: max = buffer size in bytes */
	const char *const *choices;     /* choice: NULL-terminated names */
	const char *valid_text;         /* what is valid, e.g. "22..32" */
	const char *default_text;       /* shown when a value is refused */
};

/* What is wrong with a word: a negative value; cmdline_strerror() names it. */
enum cmdline_problem {
	CMDLINE_INVALID_VALUE = -1,     /* the parse function refused it */
	CMDLINE_UNKNOWN_OPTION = -2,    /* a key no option has */
};

/* "invalid value", "unknown option"; "?" for anything else. */
const char *cmdline_strerror(int problem);

struct cmdline_report {
	enum cmdline_problem problem;
	const char *key;                /* the word's key (key_len bytes) */
	size_t key_len;
	const char *value;              /* NULL for a bare word */
	size_t value_len;
	const char *reason;             /* CMDLINE_INVALID_VALUE only */
	const struct cmdline_option *opt;   /* NULL when unknown */
};

typedef void (*cmdline_report_fn)(void *ctx, const struct cmdline_report *r);

/* Returns the number of problems reported. */
unsigned int cmdline_parse(const char *line, const struct cmdline_option *opts,
			   size_t nr_opts, cmdline_report_fn report, void *ctx);

/* Value parsers for the table. */
const char *cmdline_parse_u32(const struct cmdline_option *opt, const char *v, size_t len);
const char *cmdline_parse_size(const struct cmdline_option *opt, const char *v, size_t len);
const char *cmdline_parse_flag(const struct cmdline_option *opt, const char *v, size_t len);
const char *cmdline_parse_choice(const struct cmdline_option *opt, const char *v, size_t len);
const char *cmdline_parse_string(const struct cmdline_option *opt, const char *v, size_t len);

/*
 * Parse an unsigned number: decimal, or hexadecimal with 0x. With
 * `suffixes`, a final K, M, G or T multiplies by 2^10, 2^20, 2^30, 2^40.
 * Returns 0 on success, CMDLINE_INVALID_VALUE if malformed or above
 * UINT64_MAX.
 */
int cmdline_number(const char *v, size_t len, int suffixes, uint64_t *out);

#endif
