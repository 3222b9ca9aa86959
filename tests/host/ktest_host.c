/*
 * ktest_host.c: runs the portable ktest suites on the host and prints TAP.
 *
 * Every host unit-test program is this runner linked with one or more test
 * files (tests/unit/NAME_test.c) and the portable modules they test. Each case
 * is one TAP test point named "suite.case"; failures print their message
 * as "# " diagnostics before the "not ok" line. The exit status is 0 only
 * when every case passed, so prove and make both see a failure.
 *
 * Usage: PROGRAM [SUITE...]   (no argument runs every suite)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ktest.h"

extern const struct ktest_suite __start_ktest_suites[];
extern const struct ktest_suite __stop_ktest_suites[];

const char ktest_diag_indent[] = "";

void ktest_vprint(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
}

void *ktest_pages_alloc(uint64_t nr_pages)
{
	void *pages;

	if (nr_pages == 0 || nr_pages > SIZE_MAX / 4096)
		return NULL;
	pages = aligned_alloc(4096, nr_pages * 4096);
	if (pages)
		memset(pages, 0, nr_pages * 4096);
	return pages;
}

void ktest_pages_free(void *pages, uint64_t nr_pages)
{
	(void)nr_pages;
	free(pages);
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct ktest_suite *s;
	unsigned int planned = 0, number = 0, failures = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (s = __start_ktest_suites; s < __stop_ktest_suites; s++)
		if (selected(s->name, argc, argv))
			planned += s->nr_cases;
	printf("1..%u\n", planned);

	for (s = __start_ktest_suites; s < __stop_ktest_suites; s++) {
		if (!selected(s->name, argc, argv))
			continue;
		for (uint32_t i = 0; i < s->nr_cases; i++) {
			const char *skip_reason;
			enum ktest_result r = ktest_run_case(&s->cases[i], &skip_reason);

			number++;
			failures += r == KTEST_FAILED;
			printf("%s %u - %s.%s", r == KTEST_FAILED ? "not ok" : "ok",
			       number, s->name, s->cases[i].name);
			if (r == KTEST_SKIPPED)
				printf(" # SKIP %s", skip_reason);
			printf("\n");
		}
	}
	return failures ? 1 : 0;
}
