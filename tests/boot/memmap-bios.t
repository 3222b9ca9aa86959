#!/usr/bin/perl
# memmap-bios.t: the memory report under SeaBIOS (e820 map, multiboot2
# tag 6), and fail_alloc at boot: a clean message and exit code, no fault.
use strict;
use warnings;
no warnings 'portable';    # 64-bit hex literals
use lib 'tests/boot/lib';
use Boot;
use MemmapCheck;
use Test::More;

my $GiB = 2**30;

# SeaBIOS 3 GiB: the e820 map, exact. The low RAM entry ends at 0x9fc00,
# so it shrinks to whole pages; the HyperTransport hole is listed.
{
	my $r = boot(firmware => 'bios', mem => '3G', cmdline => 'ktest=cpu,memory,frame,paging');
	expect_verdict($r, 33, 'SeaBIOS 3G');
	my @m = check_memmap($r, 'SeaBIOS 3G', 40);
	my %at = map { $_->{start} => $_ } @m;
	is_deeply($m[0], { start => 0, end => 0x9f000, type => 'usable' },
		  'SeaBIOS 3G: low RAM shrunk to 0x9f000');
	is($at{0x9fc00} && $at{0x9fc00}{type}, 'reserved', 'SeaBIOS 3G: EBDA reserved, byte exact');
	is($at{0x100000} && $at{0x100000}{type}, 'usable', 'SeaBIOS 3G: RAM from 1 MiB');
	is(sprintf('0x%x', low_ram_end(@m)), '0x80000000', 'SeaBIOS 3G: low RAM ends at 2 GiB');
	is_deeply($at{4 * $GiB}, { start => 4 * $GiB, end => 5 * $GiB, type => 'usable' },
		  'SeaBIOS 3G: usable 4..5 GiB');
	is_deeply($at{0xfd00000000}, { start => 0xfd00000000, end => 0x10000000000, type => 'reserved' },
		  'SeaBIOS 3G: HyperTransport hole reserved');
	is(scalar(grep { $_->{type} eq 'reclaimable' } @m), 0, 'SeaBIOS 3G: e820 has no reclaimable');
}

# fail_alloc: the first allocation (the PML4), then every 5th (a partly
# built set of tables, which must all come back).
for my $c ([ 'fail_alloc=1', 0 ], [ 'fail_alloc=5,every', 4 ]) {
	my ($opt, $tables) = @$c;
	my $r = boot(firmware => 'bios', mem => '256M', cmdline => $opt);
	expect_verdict($r, 37, "SeaBIOS $opt");
	my $e = diag_one($r, 'paging-error') // {};
	is($e->{problem}, 'out of frames for the page tables', "$opt: paging says why");
	is($e->{tables}, $tables, "$opt: $tables tables were built before");
	my $f = diag_one($r, 'frames') // {};
	is($f->{allocated}, $f->{freed}, "$opt: every table frame came back");
	is($f->{free}, $f->{total}, "$opt: all frames free again");
	is($f->{injected}, 1, "$opt: one injected failure");
	like($r->{out}, qr/^# panic: memory: /m, "$opt: panic names the memory setup");
	unlike($r->{out}, qr/^# exception:/m, "$opt: no CPU exception");
}

done_testing();
