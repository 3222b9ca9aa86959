/*
 * ktest.h: the portable unit-test API, in the spirit of KUnit.
 *
 * A test file includes only this header and the portable module it tests.
 * The same file is compiled twice:
 *   - into the kernel, where kernel/ktest.c runs every registered suite at
 *     boot and prints KTAP version 1 on the serial console;
 *   - into a host program, where tests/host/ktest_host.c runs the suites
 *     and prints TAP for Perl's prove (under ASan and UBSan).
 *
 * A suite is registered by KTEST_SUITE(); it lands in the linker section
 * "ktest_suites", which the runner walks from __start_ktest_suites to
 * __stop_ktest_suites.
 *
 *     static void add_works(struct ktest *t) { KT_EXPECT_EQ(t, 1 + 1, 2); }
 *     KTEST_SUITE(arith, KTEST_CASE(add_works));
 *
 * Each environment provides the functions declared at the bottom.
 */
#ifndef DYNFLAGS_KTEST_H
#define DYNFLAGS_KTEST_H

#include <stdarg.h>
#include <stdint.h>

struct ktest;   /* one running case; opaque to tests */

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	uint32_t nr_cases;
};

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE(sname, ...)                                              \
	static const struct ktest_case sname##_ktest_cases[] = { __VA_ARGS__ }; \
	static const struct ktest_suite sname##_ktest_suite                    \
	__attribute__((used, section("ktest_suites"), aligned(8))) = {         \
		#sname, sname##_ktest_cases,                                   \
		sizeof(sname##_ktest_cases) / sizeof(sname##_ktest_cases[0])  \
	}

/* Record a failure of the running case; the case goes on. */
void ktest_fail(struct ktest *t, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Mark the running case skipped (reason: a static string, e.g. "no SSE4.2
 * on this CPU"). It then reports "ok N name # SKIP reason" unless it fails.
 */
void ktest_skip(struct ktest *t, const char *reason);

/* Has the running case failed so far? */
int ktest_failed(const struct ktest *t);

/* Print a diagnostic line ("# ...") inside the running case. */
void ktest_log(struct ktest *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * nr_pages zeroed, 4 KiB-aligned, contiguous 4 KiB pages for tests that
 * need memory, or NULL; give them back whole with ktest_pages_free().
 * On the host they come from the C library, in the kernel from the frame
 * allocator. ktest_page_alloc() and ktest_page_free() are the one-page
 * case.
 */
void *ktest_pages_alloc(uint64_t nr_pages);
void ktest_pages_free(void *pages, uint64_t nr_pages);
void *ktest_page_alloc(void);
void ktest_page_free(void *page);

/* ---- For the runners (kernel/ktest.c, tests/host/ktest_host.c) ---- */

enum ktest_result { KTEST_PASSED, KTEST_FAILED, KTEST_SKIPPED };

/* Run one case (tests/ktest.c); *skip_reason is set when it skipped. */
enum ktest_result ktest_run_case(const struct ktest_case *c, const char **skip_reason);

/* Supplied by each runner: print formatted text, and the indentation
 * that puts a diagnostic line inside the running case. */
void ktest_vprint(const char *fmt, va_list ap);
extern const char ktest_diag_indent[];

#define KT_EXPECT(t, cond)                                                   \
	do {                                                                 \
		if (!(cond))                                                 \
			ktest_fail((t), __FILE__, __LINE__,                  \
				   "expected %s", #cond);                    \
	} while (0)

#define KT_EXPECT_EQ(t, a, b)                                                \
	do {                                                                 \
		unsigned long long kt_a_ = (unsigned long long)(a);          \
		unsigned long long kt_b_ = (unsigned long long)(b);          \
		if (kt_a_ != kt_b_)                                          \
			ktest_fail((t), __FILE__, __LINE__,                  \
				   "expected %s == %s, got 0x%llx != 0x%llx", \
				   #a, #b, kt_a_, kt_b_);                    \
	} while (0)

/* Like KT_EXPECT, but leaves the case at once (use in the case function). */
#define KT_ASSERT(t, cond)                                                   \
	do {                                                                 \
		if (!(cond)) {                                               \
			ktest_fail((t), __FILE__, __LINE__,                  \
				   "assertion %s failed", #cond);            \
			return;                                              \
		}                                                            \
	} while (0)

#endif
