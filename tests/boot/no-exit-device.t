#!/usr/bin/perl
# no-exit-device.t: on a machine without QEMU's isa-debug-exit device (real
# hardware, or QEMU without it), the kernel prints its verdict and halts;
# it neither reboots nor crashes. QEMU then runs until run-qemu's timeout.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

for my $case ([ 'ktest=none', qr/^# verdict: pass /m ], [ 'ktest=none crash=ud', qr/^# verdict: panic reason=exception /m ]) {
	my ($cmdline, $verdict) = @$case;
	my $r = boot(firmware => 'bios', mem => '256M', cmdline => $cmdline,
		     no_exit_device => 1, timeout => 8);
	is($r->{status}, 124, "$cmdline: still running at the timeout (halted, not rebooted)");
	like($r->{out}, $verdict, "$cmdline: the verdict was printed first");
	my @boots = grep { /^# boot:/ } @{ $r->{lines} };
	is(scalar(@boots), 1, "$cmdline: booted once");
}

done_testing();
