#!/usr/bin/perl
# linux.t: dynflags against Linux on the same machine shapes. Debian's
# Linux kernel boots on each shape with no root file system (it prints
# what it found, panics and ends QEMU), and dynflags boots on it too.
# They must agree on:
#   - the RAM: the pages Linux hands to its page allocator ("Memory:
#     .../NK") are dynflags' usable and reclaimable pages (under UEFI the
#     firmware's boot-services memory is RAM to both), less page 0, which
#     Linux always keeps for itself;
#   - the RAM of each NUMA node: Linux's early node ranges against the
#     pages of dynflags' present sections on that node;
#   - the ACPI SRAT: every enabled memory affinity entry, with its node
#     and its hotplug flag.
# The Linux kernel is $DYNFLAGS_LINUX, or the newest /boot/vmlinuz-*
# (tools/deps.sh installs linux-image-amd64).
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my ($linux) = $ENV{DYNFLAGS_LINUX} // (sort glob('/boot/vmlinuz-*'))[-1];
plan skip_all => 'no Linux kernel in /boot: tools/deps.sh installs linux-image-amd64'
	unless defined $linux && -r $linux;

my @shapes = (
	[ 'SeaBIOS 6 GiB', { firmware => 'bios', mem => '6G' } ],
	[ 'OVMF 6 GiB', { mem => '6G' } ],
	[ 'SeaBIOS 2 GiB, 2 nodes, slots=2, maxmem=8G',
	  { firmware => 'bios', mem => '2G', numa => 2, slots => 2, maxmem => '8G' } ],
	[ 'OVMF 1 GiB, slots=2, maxmem=8G', { mem => '1G', slots => 2, maxmem => '8G' } ],
);

for my $s (@shapes) {
	my ($name, $shape) = @$s;
	my $ours = boot(%$shape, cmdline => 'ktest=none');
	expect_verdict($ours, 33, "$name: dynflags") or next;
	my $theirs = boot(%$shape, linux => $linux);
	is($theirs->{status}, 0, "$name: Linux ran and QEMU ended") or next;
	my ($linux_kib) = $theirs->{out} =~ m{^\[[^\]]*\] Memory: \d+K/(\d+)K available}m;
	ok(defined $linux_kib, "$name: Linux reports its memory") or do {
		diag(join("\n", @{ $theirs->{lines} }[-20 .. -1]));
		next;
	};

	# Page 0 is RAM to both, and Linux reserves it.
	my @ram = grep { $_->{type} =~ /^(usable|reclaimable)$/ } diag_lines($ours, 'memmap');
	my $page0 = grep { hexval($_->{start}) == 0 } @ram;
	my $sum = diag_one($ours, 'memmap-summary');
	is($linux_kib / 4, $sum->{usable_pages} + $sum->{reclaimable_pages} - $page0,
	   "$name: RAM pages: Linux's = dynflags' usable + reclaimable, less page 0");

	# RAM per node.
	my (%linux_node, %our_node);
	while ($theirs->{out} =~ /^\[[^\]]*\]\s+node\s+(\d+): \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]/mg) {
		$linux_node{$1} += (hex($3) + 1 - hex($2)) / 4096;
	}
	for my $sec (grep { $_->{state} =~ /\bpresent\b/ } diag_lines($ours, 'section')) {
		$our_node{ $sec->{node} } += $sec->{pages};
		$our_node{ $sec->{node} } -= $page0 if hexval($sec->{start}) == 0;
	}
	is_deeply(\%our_node, \%linux_node, "$name: RAM pages per NUMA node");

	# SRAT memory affinity, where the firmware gives one.
	my @linux_srat;
	while ($theirs->{out} =~ /ACPI: SRAT: Node (\d+) PXM \d+ \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]( hotplug)?/g) {
		push @linux_srat, sprintf('node %d [0x%x, 0x%x)%s', $1, hex($2), hex($3) + 1,
					  $4 ? ' hotplug' : '');
	}
	my @our_srat = map {
		sprintf('node %d [0x%x, 0x%x)%s', $_->{node}, hexval($_->{start}),
			hexval($_->{end}), $_->{hotplug} ? ' hotplug' : '')
	} grep { $_->{enabled} } diag_lines($ours, 'srat');
	is_deeply(\@our_srat, \@linux_srat,
		  "$name: SRAT memory affinity (" . scalar(@linux_srat) . ' entries)');
}

done_testing();
