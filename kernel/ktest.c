/*
 * ktest.c: runs the registered test suites at boot and prints KTAP.
 *
 *   KTAP version 1
 *   1..2                         one line per selected suite follows
 *       KTAP version 1
 *       # Subtest: pageflags
 *       1..3
 *       ok 1 set_and_test
 *       # FAIL tests/unit/x_test.c:42: expected a == b, got 0x1 != 0x2
 *       not ok 2 next_set
 *       ...
 *   ok 1 pageflags               a suite is ok when all its cases are
 *
 * A case that crashes the kernel leaves no result line: a KTAP parser
 * counts the missing result as a crash, and the exit code says panic.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/frame.h"
#include "kernel/ktest.h"
#include "kernel/options.h"
#include "kernel/timing.h"
#include "tests/ktest.h"

extern const struct ktest_suite __start_ktest_suites[];
extern const struct ktest_suite __stop_ktest_suites[];

const char ktest_diag_indent[] = "    ";      /* inside the suite's subtest */

void ktest_vprint(const char *fmt, va_list ap)
{
	kvprintf(fmt, ap);
}

/* Is `name` one of the comma-separated words in `list`? */
static bool in_list(const char *list, const char *name, size_t name_len)
{
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == name_len && memcmp(p, name, len) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

static bool selected(const char *selection, const struct ktest_suite *s)
{
	if (selection[0] == '\0')
		return true;
	return in_list(selection, s->name, strlen(s->name));
}

static bool suite_exists(const char *name, size_t len)
{
	const struct ktest_suite *s;

	for (s = __start_ktest_suites; s < __stop_ktest_suites; s++)
		if (strlen(s->name) == len && memcmp(s->name, name, len) == 0)
			return true;
	return false;
}

/*
 * Names in the selection that no suite has: one "# ktest-error:" line
 * naming them all and every suite there is. Returns how many there were
 * (empty names, as in "a,,b", name nothing and are skipped).
 */
static uint32_t check_selection(const char *selection)
{
	const struct ktest_suite *s;
	const char *p = selection;
	uint32_t unknown = 0;

	if (selection[0] == '\0' || strcmp(selection, "none") == 0)
		return 0;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > 0 && !suite_exists(p, len)) {
			static char name[4 * sizeof(((struct kernel_options *)0)->ktest)];

			options_escape(name, sizeof(name), p, len);
			kprintf(unknown ? ",%s" : "# ktest-error: unknown=\"%s", name);
			unknown++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (!unknown)
		return 0;
	kprintf("\" known=\"");
	for (s = __start_ktest_suites; s < __stop_ktest_suites; s++)
		kprintf("%s%s", s == __start_ktest_suites ? "" : ",", s->name);
	kprintf("\" problem=\"no such suite\" action=failed\n");
	return unknown;
}

static const struct boot_info *machine;
static const struct kernel_options *boot_options;

const struct boot_info *ktest_boot_info(void)
{
	return machine;
}

const struct kernel_options *ktest_options(void)
{
	return boot_options;
}

void ktest_run(const struct kernel_options *opts, const struct boot_info *bi,
	       struct ktest_results *out)
{
	const char *selection = opts->ktest;
	const struct ktest_suite *s;
	uint32_t planned = 0, number = 0;

	machine = bi;
	boot_options = opts;
	memset(out, 0, sizeof(*out));
	out->unknown_suites = check_selection(selection);
	for (s = __start_ktest_suites; s < __stop_ktest_suites; s++)
		if (selected(selection, s))
			planned++;

	kprintf("KTAP version 1\n1..%u\n", planned);
	for (s = __start_ktest_suites; s < __stop_ktest_suites; s++) {
		uint32_t suite_failed = 0;

		if (!selected(selection, s))
			continue;
		kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n",
			s->name, s->nr_cases);
		/* What the kernel reports while the suite runs nests inside it. */
		console_set_report_indent(ktest_diag_indent);
		for (uint32_t i = 0; i < s->nr_cases; i++) {
			const char *skip_reason;
			enum ktest_result r = ktest_run_case(&s->cases[i], &skip_reason);

			suite_failed += r == KTEST_FAILED;
			out->failed += r == KTEST_FAILED;
			out->skipped += r == KTEST_SKIPPED;
			out->passed += r == KTEST_PASSED;
			kprintf("    %s %u %s", r == KTEST_FAILED ? "not ok" : "ok", i + 1,
				s->cases[i].name);
			if (r == KTEST_SKIPPED)
				kprintf(" # SKIP %s", skip_reason);
			kprintf("\n");
		}
		console_set_report_indent(NULL);
		out->suites++;
		kprintf("%s %u %s\n", suite_failed ? "not ok" : "ok", ++number, s->name);
		{
			char phase[40];

			ksnprintf(phase, sizeof(phase), "ktest:%s", s->name);
			timing_mark(phase);
		}
	}
}

/* Test pages come from the frame allocator, so tests exercise it too. */
void *ktest_pages_alloc(uint64_t nr_pages)
{
	return frame_alloc_pages(nr_pages);
}

void ktest_pages_free(void *pages, uint64_t nr_pages)
{
	frame_free_pages(pages, nr_pages);
}
