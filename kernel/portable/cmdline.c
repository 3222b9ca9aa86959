/*
 * cmdline.c: the kernel command-line parser (see cmdline.h).
 */
#include <stdbool.h>
#include <string.h>

#include "kernel/portable/cmdline.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool word_is(const char *w, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(w, name, len) == 0;
}

const char *cmdline_strerror(int problem)
{
	switch (problem) {
	case CMDLINE_INVALID_VALUE:  return "invalid value";
	case CMDLINE_UNKNOWN_OPTION: return "unknown option";
	}
	return "?";
}

int cmdline_number(const char *v, size_t len, int suffixes, uint64_t *out)
{
	uint64_t n = 0, base = 10, scale = 1;
	size_t i = 0;

	if (!v || len == 0)
		return CMDLINE_INVALID_VALUE;
	if (suffixes) {
		switch (v[len - 1]) {
		case 'K': case 'k': scale = 1ULL << 10; len--; break;
		case 'M': case 'm': scale = 1ULL << 20; len--; break;
		case 'G': case 'g': scale = 1ULL << 30; len--; break;
		case 'T': case 't': scale = 1ULL << 40; len--; break;
		}
	}
	if (len > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return CMDLINE_INVALID_VALUE;
	for (; i < len; i++) {
		char c = v[i];
		uint64_t d;

		if (c >= '0' && c <= '9')
			d = (uint64_t)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (uint64_t)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (uint64_t)(c - 'A' + 10);
		else
			return CMDLINE_INVALID_VALUE;
		if (n > (UINT64_MAX - d) / base)
			return CMDLINE_INVALID_VALUE;
		n = n * base + d;
	}
	if (n > UINT64_MAX / scale)
		return CMDLINE_INVALID_VALUE;
	*out = n * scale;
	return 0;
}

const char *cmdline_parse_u32(const struct cmdline_option *opt, const char *v, size_t len)
{
	uint64_t n;

	if (!v)
		return "needs a value";
	if (cmdline_number(v, len, 0, &n) != 0 || n < opt->min || n > opt->max)
		return "invalid or out of range";
	*(uint32_t *)opt->dst = (uint32_t)n;
	return NULL;
}

const char *cmdline_parse_size(const struct cmdline_option *opt, const char *v, size_t len)
{
	uint64_t n;

	if (!v)
		return "needs a size";
	if (cmdline_number(v, len, 1, &n) != 0 || n < opt->min || n > opt->max)
		return "invalid or out of range";
	*(uint64_t *)opt->dst = n;
	return NULL;
}

const char *cmdline_parse_flag(const struct cmdline_option *opt, const char *v, size_t len)
{
	bool on;

	if (!v || word_is(v, len, "1") || word_is(v, len, "on") || word_is(v, len, "yes"))
		on = true;
	else if (word_is(v, len, "0") || word_is(v, len, "off") || word_is(v, len, "no"))
		on = false;
	else
		return "must be on or off";
	*(bool *)opt->dst = on;
	return NULL;
}

const char *cmdline_parse_choice(const struct cmdline_option *opt, const char *v, size_t len)
{
	if (!v)
		return "needs a value";
	for (uint32_t i = 0; opt->choices[i]; i++) {
		if (word_is(v, len, opt->choices[i])) {
			*(uint32_t *)opt->dst = i;
			return NULL;
		}
	}
	return "not one of the choices";
}

const char *cmdline_parse_string(const struct cmdline_option *opt, const char *v, size_t len)
{
	char *dst = opt->dst;

	if (!v || len == 0)
		return "needs a value";
	if (len + 1 > opt->max)
		return "too long";
	memcpy(dst, v, len);
	dst[len] = '\0';
	return NULL;
}

unsigned int cmdline_parse(const char *line, const struct cmdline_option *opts,
			   size_t nr_opts, cmdline_report_fn report, void *ctx)
{
	unsigned int problems = 0;
	const char *p = line;

	while (p && *p) {
		const char *word, *eq = NULL, *value = NULL;
		size_t key_len, value_len = 0;
		const struct cmdline_option *opt = NULL;
		struct cmdline_report r;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && !is_space(*p)) {
			if (*p == '=' && !eq)
				eq = p;
			p++;
		}
		key_len = (size_t)((eq ? eq : p) - word);
		if (eq) {
			value = eq + 1;
			value_len = (size_t)(p - value);
		}
		for (size_t i = 0; i < nr_opts; i++)
			if (word_is(word, key_len, opts[i].name))
				opt = &opts[i];

		r = (struct cmdline_report){
			.key = word, .key_len = key_len,
			.value = value, .value_len = value_len, .opt = opt,
		};
		if (!opt) {
			r.problem = CMDLINE_UNKNOWN_OPTION;
		} else {
			r.reason = opt->parse(opt, value, value_len);
			if (!r.reason)
				continue;
			r.problem = CMDLINE_INVALID_VALUE;
		}
		problems++;
		if (report)
			report(ctx, &r);
	}
	return problems;
}
