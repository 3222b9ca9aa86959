#!/usr/bin/perl
# pageflags.t: the two boot maps over the real pfn space. Leaves of the
# present-only map lie exactly under the present sections; the all-possible
# map has every leaf below max_possible_pfn; bytes and covered pfns follow
# from the leaf, inner-node and header-page counts, and the tree is as
# tall as the rule of docs/pageflags.md makes it. The in-kernel suite
# flags_boot runs on each shape.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $LEAF_PFNS = 32768;                 # one 4 KiB leaf: 32768 bits

# Each shape: [ name, machine, { mode => [ leaves, inner, header pages ] } ].
my @shapes = (
	# 6 GiB on q35: RAM [0, 2 GiB) and [4 GiB, 8 GiB). Present leaves:
	# 16 + 32 = 48; all-possible: every leaf below 8 GiB = 64. The reach,
	# 64 leaves, fits the 480 root slots of one header page.
	[ 'OVMF 6 GiB', { mem => '6G' },
	  { present => [ 48, 0, 1 ], all => [ 64, 0, 1 ] } ],
	# 1 GiB plus a hotplug range [4 GiB, 13 GiB) from SRAT: present 8;
	# all-possible up to 0x340000 pfns = 104 leaves.
	[ 'OVMF 1 GiB slots=2 maxmem=8G', { mem => '1G', slots => 2, maxmem => '8G' },
	  { present => [ 8, 0, 1 ], all => [ 104, 0, 1 ] } ],
	# A 46-bit machine with 2 NUMA nodes: the reach follows the RAM, not
	# the width (2 GiB: 16 leaves in both modes, no inner level).
	[ 'OVMF 2 GiB 2 nodes phys-bits=46', { mem => '2G', numa => 2, phys_bits => 46 },
	  { present => [ 16, 0, 1 ], all => [ 16, 0, 1 ] } ],
	# 1 GiB that may grow to 100 GiB: SRAT's hotplug range ends at 105 GiB,
	# 840 leaves of reach, more than one header page's 480 root slots. The
	# present-only map's 8 leaves pay for no more header, so it takes an
	# inner level; the all-possible map's 840 leaves pay for 1 + 840/128
	# pages, and its root, a table of all 840 leaves, needs 2 of them.
	[ 'OVMF 1 GiB slots=2 maxmem=100G', { mem => '1G', slots => 2, maxmem => '100G' },
	  { present => [ 8, 1, 1 ], all => [ 840, 0, 2 ] } ],
);

for my $s (@shapes) {
	my ($name, $shape, $want) = @$s;
	my $r = boot(%$shape, cmdline => 'ktest=flags_boot,pageflags');
	expect_verdict($r, 33, $name) or next;
	expect_ktap_complete($r, $name);

	my %maps = map { $_->{mode} => $_ } diag_lines($r, 'pageflags');
	my @runs = diag_lines($r, 'pageflags-leaves');
	my $secs = diag_one($r, 'sections');
	my $pfns_per_section = 1 << ($secs->{bits} - 12);

	for my $mode (qw(present all)) {
		my $m = $maps{$mode};
		ok($m, "$name: a '# pageflags: mode=$mode' line") or next;
		my ($leaves, $inner, $header) = @{ $want->{$mode} };
		is($m->{leaves}, $leaves, "$name: $mode: leaves");
		is($m->{inner}, $inner, "$name: $mode: inner nodes");
		is($m->{bytes}, ($m->{leaves} + $m->{inner} + $header) * 4096,
		   "$name: $mode: bytes = (leaves + inner + $header header) pages");
		is($m->{covered_pfns}, $m->{leaves} * $LEAF_PFNS, "$name: $mode: covered_pfns");
		my $sum = 0;
		$sum += $_->{leaves} for grep { $_->{mode} eq $mode } @runs;
		is($sum, $m->{leaves}, "$name: $mode: leaf runs add up");
	}

	# Present leaves, recomputed from the present sections.
	my %want;
	for my $sec (grep { $_->{state} =~ /\bpresent\b/ } diag_lines($r, 'section')) {
		my $first = hexval($sec->{start}) >> 12;
		for (my $leaf = int($first / $LEAF_PFNS);
		     $leaf * $LEAF_PFNS < $first + $pfns_per_section; $leaf++) {
			$want{$leaf} = 1;
		}
	}
	my %got;
	for my $run (grep { $_->{mode} eq 'present' } @runs) {
		for (my $p = hexval($run->{start_pfn}); $p < hexval($run->{end_pfn}); $p += $LEAF_PFNS) {
			$got{ $p / $LEAF_PFNS } = 1;
		}
	}
	is_deeply([ sort { $a <=> $b } keys %got ], [ sort { $a <=> $b } keys %want ],
		  "$name: present leaves lie exactly under present sections");

	# All-possible: one run from 0 to max_possible_pfn, rounded up to a leaf.
	my $max = hexval($secs->{max_possible_pfn});
	my @all = grep { $_->{mode} eq 'all' } @runs;
	is(scalar(@all), 1, "$name: all-possible leaves form one run");
	is(hexval($all[0]{start_pfn}), 0, "$name: from pfn 0");
	is(hexval($all[0]{end_pfn}), int(($max + $LEAF_PFNS - 1) / $LEAF_PFNS) * $LEAF_PFNS,
	   "$name: to max_possible_pfn, rounded up to a leaf");
}

done_testing();
