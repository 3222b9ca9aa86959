#!/usr/bin/perl
# tests/host/bench-smoke.t: the benchmark of `make bench` builds and runs.
# One round on the three small layouts: the benchmark stops with an error
# if any two structures disagree on a workload (tests that hit, bits
# visited and their sum), so a clean exit is a differential check of
# pageflags against a flat bitmap, the leaf table, CRoaring and Judy1 on
# machine-shaped layouts. The memory target, which does not depend on
# time, must be met; no figure of time is checked. Bad arguments stop it
# with a usage message.
use strict;
use warnings;
use Test::More;
use FindBin qw($Bin);

my $build = $ENV{DYNFLAGS_BUILD} // 'build';
my $bench = "$Bin/../../$build/bench/pageflags_bench";
plan skip_all => "$bench is not built (make bench)" unless -x $bench;

my @layouts = qw(qemu6g spread46 spread52);
my $out = `'$bench' --rounds=1 @layouts 2>&1`;
is($? >> 8, 0, 'one round on three layouts: every structure agrees')
	or diag($out);

for my $l (@layouts) {
	my ($section) = $out =~ /^(\Q$l\E: .*?)(?=^\S|\z)/ms;
	ok(defined $section, "$l: reported") or next;
	like($section, qr/^\s+flat\s+table\s+pageflags\s+roaring\s+judy1$/m,
	     "$l: all five structures in the table");
	like($section, qr/^\s+target bytes <= 1\.02 x present\/8 \+ 64 KiB\s+\S+ of the limit\s+met$/m,
	     "$l: memory target met");
	like($section, qr/^\s+bytes\s/m, "$l: a bytes row");
}
like($out, qr/^spread52: .*?flat skipped: it would need 112 GiB/ms,
     'spread52: flat is skipped, and the report says why');
unlike($out, qr/^server1t:/m, 'only the layouts asked for run');

for my $bad ([ 'nosuch', qr/unknown layout 'nosuch'/ ],
	     [ '--rounds=0', qr/bad round count '0'/ ],
	     [ '--rounds=x', qr/bad round count 'x'/ ]) {
	my ($arg, $want) = @$bad;
	my $msg = `'$bench' $arg 2>&1`;
	is($? >> 8, 2, "$arg: exit 2");
	like($msg, $want, "$arg: says what is wrong");
	like($msg, qr/^usage: pageflags_bench/m, "$arg: and how to call it");
}

done_testing();
