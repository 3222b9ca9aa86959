#!/usr/bin/perl
# faults.t: every deliberate fault (option crash=KIND) ends in a readable
# exception report and exit 37, never a hang, a reboot or a silent exit.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my %want = (
	pagefault => { vector => 14, name => '#PF page fault', cr2 => '0x0' },
	divide    => { vector => 0,  name => '#DE divide error' },
	ud        => { vector => 6,  name => '#UD invalid opcode' },
	gp        => { vector => 13, name => '#GP general protection' },
);

for my $kind (sort keys %want) {
	my $r = boot(mem => '256M', cmdline => "crash=$kind", timeout => 60);
	expect_verdict($r, 37, "crash=$kind");
	my $e = diag_one($r, 'exception');
	ok($e, "crash=$kind: one exception line") or next;
	is($e->{vector}, $want{$kind}{vector}, "crash=$kind: vector");
	is($e->{name}, $want{$kind}{name}, "crash=$kind: vector named");
	like($e->{rip}, qr/^0x1[0-9a-f]{5}$/, "crash=$kind: RIP inside the kernel image");
	is($e->{cr2}, $want{$kind}{cr2}, "crash=$kind: CR2 names the address") if $want{$kind}{cr2};
	ok((grep { /^# regs: rax=/ } @{ $r->{lines} }), "crash=$kind: register dump");
	like($r->{out}, qr/^# verdict: panic reason=exception exit=0x12$/m, "crash=$kind: panic verdict");
	unlike($r->{out}, qr/^KTAP version 1$/m, "crash=$kind: no tests ran after the fault");
}

done_testing();
