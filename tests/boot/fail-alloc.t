#!/usr/bin/perl
# fail-alloc.t: the N-th frame allocation fails (option fail_alloc=N), for
# every allocation the boot makes. Each caller must fail cleanly: a line
# naming what failed, then a verdict and its exit code (37 when the boot
# cannot go on, 35 when it goes on without a page-flag map), and never a CPU
# exception. Past the boot's own allocations the count starts again with
# the snapshot step's, which must then abort cleanly and let the run pass.
# Where a page-flag map could not be built, the flags_boot suite skips the
# cases over it (the boot error already fails the run).
# SeaBIOS boots in about a second, so the sweep is cheap; the allocations
# are the same under OVMF.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my %seen;
my $last_failing = 0;
my %map_fails_at;                 # page-flag mode -> the first n that fails its build
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
		$map_fails_at{$1} //= $n if $r->{out} =~ /^# pageflags-error: mode=(\w+) /m;
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

# The flags_boot suite on a boot that could not build one of its maps: the
# cases over that map are skipped, naming why, and fail nothing a second
# time; the verdict fails through the boot error alone.
my %cases_of = (present => [qw(present_leaves_follow_sections ram_is_covered_by_present_leaves)],
		all => [qw(all_map_sets_never_allocate)]);
for my $mode (qw(present all)) {
	my $n = $map_fails_at{$mode};
	ok(defined $n, "some fail_alloc=N fails the $mode map") or next;
	my $r = boot(firmware => 'bios', mem => '1G', cmdline => "ktest=flags_boot fail_alloc=$n", timeout => 60);
	expect_verdict($r, 35, "ktest=flags_boot fail_alloc=$n ($mode map not built)");
	like($r->{out}, qr/^# verdict: fail .*\bfailed=0 .*\bboot_errors=1 /m,
	     "fail_alloc=$n: no case failed; the boot error fails the run");
	for my $case (@{ $cases_of{$mode} }) {
		like($r->{out}, qr/^ +ok \d+ \Q$case\E # SKIP the boot could not build this map/m,
		     "fail_alloc=$n: $case is skipped, saying why");
	}
	for my $case (qw(create_and_destroy_give_back_every_frame create_fails_cleanly_at_every_allocation)) {
		like($r->{out}, qr/^ +ok \d+ \Q$case\E # SKIP fail_alloc is set for the whole boot/m,
		     "fail_alloc=$n: $case, which builds maps of its own, is skipped");
	}
}

# Every 3rd allocation failing, from the first: the boot stops cleanly.
my $r = boot(firmware => 'bios', mem => '1G', cmdline => 'ktest=none fail_alloc=3,every', timeout => 60);
expect_verdict($r, 37, 'fail_alloc=3,every');
unlike($r->{out}, qr/^# exception:/m, 'fail_alloc=3,every: no CPU exception');

done_testing();
