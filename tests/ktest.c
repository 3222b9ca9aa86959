/*
 * ktest.c: the part of the test API (tests/ktest.h) that both runners
 * share: the state of the running case, failing, skipping and logging
 * inside it, and the one-page test allocation. The runner around it
 * (kernel/ktest.c at boot, tests/host/ktest_host.c on the host) supplies
 * ktest_vprint(), ktest_pages_alloc() and the indentation of diagnostic
 * lines, and prints the result lines.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "tests/ktest.h"

struct ktest {
	bool failed;
	const char *skip_reason;
};

static void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktest_vprint(fmt, ap);
	va_end(ap);
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t->failed = true;
	print("%s# FAIL %s:%d: ", ktest_diag_indent, file, line);
	va_start(ap, fmt);
	ktest_vprint(fmt, ap);
	va_end(ap);
	print("\n");
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skip_reason = reason;
}

int ktest_failed(const struct ktest *t)
{
	return t->failed;
}

void ktest_log(struct ktest *t, const char *fmt, ...)
{
	va_list ap;

	(void)t;
	print("%s# ", ktest_diag_indent);
	va_start(ap, fmt);
	ktest_vprint(fmt, ap);
	va_end(ap);
	print("\n");
}

enum ktest_result ktest_run_case(const struct ktest_case *c, const char **skip_reason)
{
	struct ktest t = { false, NULL };

	c->run(&t);
	*skip_reason = t.skip_reason;
	if (t.failed)
		return KTEST_FAILED;
	return t.skip_reason ? KTEST_SKIPPED : KTEST_PASSED;
}

/* The one-page case of the runner's ktest_pages_alloc()/ktest_pages_free(). */
void *ktest_page_alloc(void)
{
	return ktest_pages_alloc(1);
}

void ktest_page_free(void *page)
{
	ktest_pages_free(page, 1);
}
