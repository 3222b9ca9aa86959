/*
 * ktest_selftest.c: cases whose outcome is known, to test the test runner
 * itself (tests/host/ktest-selftest.t runs this and reads its TAP). A runner
 * that could not report a failure would make every other test worthless.
 */
#include "tests/ktest.h"

static void passes(struct ktest *t)
{
	KT_EXPECT_EQ(t, 2 + 2, 4);
	KT_EXPECT(t, 1);
}

static void fails_eq(struct ktest *t)
{
	unsigned int one = 1;

	KT_EXPECT_EQ(t, one, 2);
}

static void fails_assert_and_stops(struct ktest *t)
{
	KT_ASSERT(t, 0 == 1);
	ktest_log(t, "not reached");
}

static void skips(struct ktest *t)
{
	ktest_skip(t, "no such hardware");
}

static void skip_then_fail_is_a_failure(struct ktest *t)
{
	ktest_skip(t, "skipped");
	KT_EXPECT(t, 0);
}

KTEST_SUITE(selftest,
	KTEST_CASE(passes),
	KTEST_CASE(fails_eq),
	KTEST_CASE(fails_assert_and_stops),
	KTEST_CASE(skips),
	KTEST_CASE(skip_then_fail_is_a_failure));
