#!/usr/bin/perl
# sections.t: ACPI SRAT and the sparse sections under OVMF, for three
# machine shapes, one boot each. Every expected value below follows from the
# shape (QEMU 7.2 q35 + OVMF 2022.11; docs/memory-model.md has the SRATs as
# measured). Sections are 128 MiB (section_bits=27): section n starts at
# n * 0x8000000, so 1 GiB is 8 sections and 4 GiB is section 32.
use strict;
use warnings;
no warnings 'portable';    # addresses above 4 GiB
use lib 'tests/boot/lib';
use Boot;
use SectionsCheck;
use Test::More;

my $KTEST = 'ktest=sections_boot,sections,acpi';
my $GiB_PFNS = 2**18;

# -m 1G,slots=2,maxmem=8G: memory hotplug on, so QEMU makes one NUMA node
# (node 0) and an SRAT. All 1 GiB of RAM is below 4 GiB: SRAT node 0 covers
# [0, 640 KiB) and [1 MiB, 1 GiB). The hotplug area starts at 4 GiB (the
# first 1 GiB boundary above RAM and the 32-bit PCI hole) and is maxmem - RAM
# = 7 GiB plus 1 GiB of alignment room per slot = 9 GiB: [4 GiB, 13 GiB),
# node 0 (the last node). QEMU adds one disabled, empty entry for it.
# Present: sections 0..7. Hotplug: 32..103 (72 sections). Possible: 80.
# max_possible_pfn = 13 GiB / 4 KiB = 0x340000.
{
	my $r = boot(mem => '1G', slots => 2, maxmem => '8G', cmdline => $KTEST);
	expect_verdict($r, 33, '1G slots=2 maxmem=8G');
	check_sections($r, '1G slots=2 maxmem=8G',
		bits => 27, phys_bits => 40, revision => 2, root => 'XSDT',
		srat => [ [ 0x0, 0xa0000, 0, 0, 1 ],
			  [ 0x100000, 0x40000000, 0, 0, 1 ],
			  [ 0x0, 0x0, 0, 0, 0 ],
			  [ 0x100000000, 0x340000000, 0, 1, 1 ] ],
		present => [ 0 .. 7 ], hotplug => [ 32 .. 103 ], node => {},
		max_possible_pfn => 13 * $GiB_PFNS, table_pages => 2);
}

# 3 GiB, two NUMA nodes: q35 puts 2 GiB below 4 GiB (RAM > 2.75 GiB) and
# 1 GiB at [4 GiB, 5 GiB). QEMU gives each node 1.5 GiB in address order:
# node 0 = [0, 640 KiB) + [1 MiB, 1.5 GiB), node 1 = [1.5 GiB, 2 GiB) +
# [4 GiB, 5 GiB). No hotplug. Present: 0..15 and 32..39 = 24 sections;
# 1.5 GiB is section 12, so 0..11 are node 0 and 12..15, 32..39 node 1.
# max_possible_pfn = 5 GiB / 4 KiB = 0x140000.
{
	my $r = boot(mem => '3G', numa => 2, cmdline => $KTEST);
	expect_verdict($r, 33, '3G numa=2');
	check_sections($r, '3G numa=2',
		bits => 27, phys_bits => 40, revision => 2, root => 'XSDT',
		srat => [ [ 0x0, 0xa0000, 0, 0, 1 ],
			  [ 0x100000, 0x60000000, 0, 0, 1 ],
			  [ 0x60000000, 0x80000000, 1, 0, 1 ],
			  [ 0x100000000, 0x140000000, 1, 0, 1 ] ],
		present => [ 0 .. 15, 32 .. 39 ], hotplug => [],
		node => { map { $_ => 1 } 12 .. 15, 32 .. 39 },
		max_possible_pfn => 5 * $GiB_PFNS, table_pages => 2);
}

# 6 GiB, phys-bits=46, no NUMA and no hotplug: OVMF then has no SRAT, so
# every section is node 0 and none is hotplug. 2 GiB below 4 GiB (sections
# 0..15), 4 GiB at [4 GiB, 8 GiB) (sections 32..63); 16..31 (the PCI hole)
# are absent. The root covers 2^(46-27) = 2^19 sections at 128 per page:
# 4096 pointers = 8 pages, plus one page for sections 0..127 = 9.
# max_possible_pfn = 8 GiB / 4 KiB = 0x200000.
{
	my $r = boot(mem => '6G', phys_bits => 46, cmdline => $KTEST);
	expect_verdict($r, 33, '6G phys-bits=46');
	check_sections($r, '6G phys-bits=46',
		bits => 27, phys_bits => 46, revision => 2, root => 'XSDT', srat => [],
		present => [ 0 .. 15, 32 .. 63 ], hotplug => [], node => {},
		max_possible_pfn => 8 * $GiB_PFNS, table_pages => 9);
}

done_testing();
