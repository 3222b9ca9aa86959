#!/usr/bin/perl
# ktest-selftest.t: the host test runner reports failures, skips and passes
# correctly, with the expression, file, line and values of a failed check,
# and exits non-zero when a case fails.
use strict;
use warnings;
use Test::More;

my $bin = ($ENV{DYNFLAGS_BUILD} // 'build') . '/ktest-selftest';
ok(-x $bin, "$bin is built") or BAIL_OUT("build it with make check-host");
my $out = `$bin 2>&1`;
my $status = $? >> 8;

is($status, 1, 'a failing case makes the runner exit 1');
like($out, qr/^1\.\.5$/m, 'the plan counts every case');
like($out, qr/^ok 1 - selftest\.passes$/m, 'a passing case is ok');
like($out, qr/^# FAIL tests\/host\/ktest_selftest\.c:\d+: expected one == 2, got 0x1 != 0x2$/m,
     'a failed KT_EXPECT_EQ names the expressions, file, line and both values');
like($out, qr/^not ok 2 - selftest\.fails_eq$/m, 'and the case is not ok');
like($out, qr/^# FAIL tests\/host\/ktest_selftest\.c:\d+: assertion 0 == 1 failed$/m,
     'a failed KT_ASSERT names its expression');
unlike($out, qr/not reached/, 'KT_ASSERT leaves the case');
like($out, qr/^ok 4 - selftest\.skips # SKIP no such hardware$/m, 'a skip is reported with its reason');
like($out, qr/^not ok 5 - selftest\.skip_then_fail_is_a_failure$/m, 'a failure outweighs a skip');

$out = `$bin nosuchsuite 2>&1`;
like($out, qr/^1\.\.0$/m, 'selecting no existing suite runs nothing');
is($? >> 8, 0, 'and passes');

done_testing();
