#!/usr/bin/perl
# memmap.t: the memory report under OVMF (UEFI map, multiboot2 tag 17) for
# 256 MiB, 3 GiB and 6 GiB, the last with phys-bits=46. Each boot runs the
# in-kernel suites of the memory model (cpu, memory, frame, paging), which
# check the real map, the frames and the page tables from inside.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use MemmapCheck;
use Test::More;

my $suites = 'ktest=cpu,memory,frame,paging';
my $GiB = 2**30;

# 256 MiB: all RAM below 256 MiB, nothing above.
{
	my $r = boot(firmware => 'uefi', mem => '256M', cmdline => $suites);
	expect_verdict($r, 33, 'OVMF 256M');
	my @m = check_memmap($r, 'OVMF 256M', 40);
	is(sprintf('0x%x', low_ram_end(@m)), '0x10000000', 'OVMF 256M: RAM ends at 256 MiB');
	my @high = grep { $_->{end} > 0x10000000 && $_->{type} ne 'mmio' && $_->{start} < 0xb0000000 } @m;
	is(scalar(@high), 0, 'OVMF 256M: nothing but MMIO/ECAM above 256 MiB');
	my $s = diag_one($r, 'memmap-summary');
	my $ram = $s->{usable_pages} + $s->{reclaimable_pages};
	cmp_ok($ram, '>', 0.85 * 65536, "OVMF 256M: $ram pages of RAM (usable + reclaimable)");
	is(diag_one($r, 'paging')->{mapped_end}, '0x100000000', 'OVMF 256M: 4 GiB mapped');
}

# 3 GiB on q35: 2 GiB below 4 GiB, 1 GiB from 4 GiB up.
{
	my $r = boot(firmware => 'uefi', mem => '3G', cmdline => $suites);
	expect_verdict($r, 33, 'OVMF 3G');
	my @m = check_memmap($r, 'OVMF 3G', 40);
	is(sprintf('0x%x', low_ram_end(@m)), '0x80000000', 'OVMF 3G: low RAM ends at 2 GiB');
	my @high = grep { $_->{start} >= 4 * $GiB } @m;
	is_deeply(\@high, [ { start => 4 * $GiB, end => 5 * $GiB, type => 'usable' } ],
		  'OVMF 3G: one usable range 4..5 GiB');
	is(diag_one($r, 'paging')->{mapped_end}, '0x140000000', 'OVMF 3G: mapped to 5 GiB');
}

# 6 GiB, phys-bits=46: 4 GiB of RAM above 4 GiB, mapped and handed out.
{
	my $r = boot(firmware => 'uefi', mem => '6G', phys_bits => 46, cmdline => $suites);
	expect_verdict($r, 33, 'OVMF 6G phys-bits=46');
	my @m = check_memmap($r, 'OVMF 6G', 46);
	is(sprintf('0x%x', low_ram_end(@m)), '0x80000000', 'OVMF 6G: low RAM ends at 2 GiB');
	my @high = grep { $_->{start} >= 4 * $GiB } @m;
	is_deeply(\@high, [ { start => 4 * $GiB, end => 8 * $GiB, type => 'usable' } ],
		  'OVMF 6G: one usable range 4..8 GiB');
	is(diag_one($r, 'paging')->{mapped_end}, '0x200000000', 'OVMF 6G: mapped to 8 GiB');
	like($r->{out}, qr/ram_pages_above_4g=1048576 /, 'OVMF 6G: paging test read all 1 Mi high pages\' ranges');
}

done_testing();
