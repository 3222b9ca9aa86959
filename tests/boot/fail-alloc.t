#!/usr/bin/perl
# fail-alloc.t: the N-th frame allocation fails (option fail_alloc=N), for
# every allocation the boot makes. Each caller must fail cleanly: a line
# naming what failed, then a verdict and its exit code (37 when the boot
# cannot go on, 35 when it goes on without a page-flag map), and never a CPU
# exception. Past the boot's own allocations the count starts again with
# the snapshot step's, which must then abort cleanly and let the run pass.
# SeaBIOS boots in about a second, so the sweep is cheap; the allocations
# are the same under OVMF.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my %seen;
my $last_failing = 0;
for my $n (1 .. 40) {
	my $r = boot(firmware => 'bios', mem => '1G', cmdline => "ktest=none fail_alloc=$n", timeout => 60);
	my $st = $r->{status};
	$seen{$st}++;
	ok($st == 33 || $st == 35 || $st == 37, "fail_alloc=$n: exit $st is a verdict, not a crash")
		or diag($r->{out});
	unlike($r->{out}, qr/^# exception:/m, "fail_alloc=$n: no CPU exception");
	like($r->{out}, qr/^# verdict: (pass|fail|panic) /m, "fail_alloc=$n: a verdict line");
	if ($st != 33) {
		$last_failing = $n;
		like($r->{out}, qr/^# [a-z]+-error: .*(out of|out-of-memory)/m,
		     "fail_alloc=$n: the failing step says it ran out of memory");
	}
	if ($st == 33) {                 # past the boot's last allocation
		my $abort = diag_one($r, 'snapshot-abort') // {};
		is($abort->{reason}, 'no-memory', "fail_alloc=$n: the snapshot step ran out of memory");
		is((diag_one($r, 'snapshot-frames') // {})->{leaked}, 0, "fail_alloc=$n: and gave every frame back");
		is(scalar(diag_lines($r, 'restore')), 0, "fail_alloc=$n: no restore attempted");
		last;
	}
}
ok($seen{37}, 'some failures stop the boot (page tables, sections)');
ok($seen{35}, 'some fail the run without stopping it (page-flag maps)');
ok($seen{33}, 'and past the last boot allocation the run passes');
diag("the boot makes $last_failing frame allocations");

# Every 3rd allocation failing, from the first: the boot stops cleanly.
my $r = boot(firmware => 'bios', mem => '1G', cmdline => 'ktest=none fail_alloc=3,every', timeout => 60);
expect_verdict($r, 37, 'fail_alloc=3,every');
unlike($r->{out}, qr/^# exception:/m, 'fail_alloc=3,every: no CPU exception');

done_testing();
