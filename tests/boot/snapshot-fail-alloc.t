#!/usr/bin/perl
# snapshot-fail-alloc.t: fail_alloc=N makes the N-th frame allocation of
# the snapshot fail (counted from the start of the snapshot). The snapshot
# must abort cleanly: every frame given back, the workload untouched, no
# restore attempted, and the boot still passes.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $name = 'fail_alloc=300 during snapshot=4M';
my $r = boot(mem => '256M', cmdline => 'ktest=snapshot snapshot=4M fail_alloc=300');
expect_verdict($r, 33, $name);
my $a = diag_one($r, 'snapshot-abort') // {};
is($a->{reason}, 'no-memory', "$name: aborted for lack of memory");
is($a->{stage}, 'safe_pages', "$name: while taking the image's pages");
is($a->{workload_verified}, 1024, "$name: every workload page still intact");
is(scalar(diag_lines($r, 'snapshot')), 0, "$name: no snapshot reported");
is(scalar(diag_lines($r, 'restore')), 0, "$name: no restore attempted");
is((diag_one($r, 'snapshot-frames') // {})->{leaked}, 0, "$name: every frame given back");

done_testing();
