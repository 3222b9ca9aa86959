#!/usr/bin/perl
# no-long-mode.t: a CPU without long mode (x86_64) cannot run the kernel.
# boot/entry.S finds that out with CPUID before leaving 32-bit mode, says
# so on the serial line with a panic verdict, and exits through
# isa-debug-exit with the panic code (37) instead of halting for ever.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

for my $cpu (qw(qemu32 486)) {
	my $r = boot(firmware => 'bios', mem => '256M', cpu => $cpu,
		     cmdline => 'ktest=none', timeout => 60);
	expect_verdict($r, 37, "-cpu $cpu: exits with the panic code");
	like($r->{out}, qr/^dynflags: this CPU has no long mode \(x86_64\); stopping$/m,
	     "-cpu $cpu: says why");
	like($r->{out}, qr/^# verdict: panic reason=no-long-mode exit=0x12$/m,
	     "-cpu $cpu: a panic verdict line");
}
done_testing();
