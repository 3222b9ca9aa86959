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

my $GiB = 2**30;

# q35 puts 2 GiB below 4 GiB when RAM exceeds 2.75 GiB, the rest from 4 GiB.
my @shapes = (
	{ name => 'OVMF 256M', mem => '256M', phys_bits => 40,
	  low_end => 0x10000000, high_end => undef, mapped_end => 4 * $GiB },
	{ name => 'OVMF 3G', mem => '3G', phys_bits => 40,
	  low_end => 2 * $GiB, high_end => 5 * $GiB, mapped_end => 5 * $GiB },
	{ name => 'OVMF 6G phys-bits=46', mem => '6G', phys_bits => 46, set_bits => 1,
	  low_end => 2 * $GiB, high_end => 8 * $GiB, mapped_end => 8 * $GiB },
);

for my $s (@shapes) {
	my $name = $s->{name};
	my $r = boot(firmware => 'uefi', mem => $s->{mem}, cmdline => 'ktest=cpu,memory,frame,paging',
		     $s->{set_bits} ? (phys_bits => $s->{phys_bits}) : ());
	expect_verdict($r, 33, $name);
	my @m = check_memmap($r, $name, $s->{phys_bits});
	is(sprintf('0x%x', low_ram_end(@m)), sprintf('0x%x', $s->{low_end}),
	   "$name: low RAM ends at the right place");
	my @high = grep { $_->{start} >= 4 * $GiB } @m;
	my @want = $s->{high_end} ? ({ start => 4 * $GiB, end => $s->{high_end}, type => 'usable' }) : ();
	is_deeply(\@high, \@want, "$name: RAM above 4 GiB is exactly one usable range, or none");
	is(diag_one($r, 'paging')->{mapped_end}, sprintf('0x%x', $s->{mapped_end}),
	   "$name: mapped up to the end of RAM (at least 4 GiB)");
	my $high_pages = $s->{high_end} ? ($s->{high_end} - 4 * $GiB) / 4096 : 0;
	like($r->{out}, qr/ram_pages_above_4g=$high_pages /,
	     "$name: the paging test read all $high_pages pages' ranges above 4 GiB");
	my $sum = diag_one($r, 'memmap-summary');
	my $ram = $sum->{usable_pages} + $sum->{reclaimable_pages};
	my $all = ($s->{low_end} + $high_pages * 4096) / 4096;
	cmp_ok($ram, '>', 0.9 * $all, "$name: $ram of $all pages are RAM (usable + reclaimable)");
}

done_testing();
