#!/usr/bin/perl
# sections-bios.t: ACPI SRAT and the sparse sections under SeaBIOS (e820
# map, ACPI 1.0 RSDP, so the RSDT path), with 1 GiB sections
# (section_bits=30), two NUMA nodes and memory hotplug, in one boot.
use strict;
use warnings;
no warnings 'portable';    # addresses above 4 GiB
use lib 'tests/boot/lib';
use Boot;
use SectionsCheck;
use Test::More;

my $GiB_PFNS = 2**18;

# 2 GiB, all below 4 GiB (q35 keeps up to 2.75 GiB low). Two nodes of
# 1 GiB: node 0 = [0, 640 KiB) + [1 MiB, 1 GiB), node 1 = [1 GiB, 2 GiB).
# slots=2,maxmem=8G: the hotplug area is maxmem - RAM = 6 GiB plus 1 GiB
# per slot = 8 GiB from 4 GiB: [4 GiB, 12 GiB), node 1 (the last node),
# after QEMU's disabled empty entry. SeaBIOS's RSDP is revision 0: RSDT.
# With 1 GiB sections: present 0 (node 0) and 1 (node 1), hotplug 4..11
# (node 1); possible 10. max_possible_pfn = 12 GiB / 4 KiB = 0x300000.
# The table: a section is 16 bytes + two maps of 512 subsections (64 bytes
# each) = 144 bytes, 28 per page; 2^(40-30) = 1024 sections need 37 root
# pointers (1 page), and sections 0..11 share one page: 2 pages.
my $r = boot(firmware => 'bios', mem => '2G', numa => 2, slots => 2, maxmem => '8G',
	     cmdline => 'section_bits=30 ktest=sections_boot,sections,acpi');
expect_verdict($r, 33, 'SeaBIOS 2G numa=2 slots=2 maxmem=8G');
check_sections($r, 'SeaBIOS 2G numa=2 slots=2 maxmem=8G',
	bits => 30, phys_bits => 40, revision => 0, root => 'RSDT',
	srat => [ [ 0x0, 0xa0000, 0, 0, 1 ],
		  [ 0x100000, 0x40000000, 0, 0, 1 ],
		  [ 0x40000000, 0x80000000, 1, 0, 1 ],
		  [ 0x0, 0x0, 0, 0, 0 ],
		  [ 0x100000000, 0x300000000, 1, 1, 1 ] ],
	present => [ 0, 1 ], hotplug => [ 4 .. 11 ],
	node => { map { $_ => 1 } 1, 4 .. 11 },
	max_possible_pfn => 12 * $GiB_PFNS, table_pages => 2);

# Running out of frames while building the table ends the boot cleanly:
# a "# sections-error:" line, every frame of the table given back, a panic
# (status 37), never a fault. The allocations before the table are the
# page tables' (allocated= of "# frames:"), so fail_alloc=that+1 fails the
# root and that+2 the first page of sections. SeaBIOS boots in a second.
my $before = (diag_one($r, 'frames') // {})->{allocated} // 0;
my $tables = (diag_one($r, 'paging') // {})->{tables} // -1;
for my $step ([ 1, 'the root' ], [ 2, 'the first page of sections' ]) {
	my ($n, $what) = ($before + $step->[0], $step->[1]);
	my $name = "SeaBIOS fail_alloc=$n ($what)";
	my $f = boot(firmware => 'bios', mem => '2G', cmdline => "fail_alloc=$n ktest=none");
	expect_verdict($f, 37, $name);
	my $e = diag_one($f, 'sections-error') // {};
	is($e->{problem}, 'out of memory for the section table', "$name: the error says why");
	is($e->{frames_in_use}, $tables, "$name: only the page tables' frames stay in use");
	is(scalar(diag_lines($f, 'section')), 0, "$name: no section lines");
	like($f->{out}, qr/^# panic: sections: /m, "$name: a panic names the sections");
}

done_testing();
