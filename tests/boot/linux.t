#!/usr/bin/perl
# linux.t: dynflags against Linux on the same machine shapes. Debian's
# Linux kernel boots on each shape with no root file system (it prints
# what it found, panics and ends QEMU), and dynflags boots on it too.
# They must agree on:
#   - the firmware map: Linux's e820 table ("BIOS-e820:" lines; under UEFI
#     its EFI stub makes them from the EFI map) against dynflags' ranges,
#     both merged by kind (RAM, ACPI tables, ACPI NVS, reserved), RAM cut
#     to whole pages as both kernels use it;
#   - the RAM: the pages Linux hands to its page allocator ("Memory:
#     .../NK") are dynflags' usable and reclaimable pages (under UEFI the
#     firmware's boot-services memory is RAM to both), less page 0, which
#     Linux always keeps for itself;
#   - the RAM of each NUMA node: Linux's early node ranges against the
#     pages of dynflags' present sections on that node;
#   - the ACPI SRAT: every enabled memory affinity entry, with its node
#     and its hotplug flag.
# Linux prints all of these early, before its "Memory: ...K/...K available"
# line; the test stops QEMU there rather than wait for the drivers, the
# root-mount panic and the power-off (about half of each Linux boot).
# The Linux kernel is $DYNFLAGS_LINUX, or the newest /boot/vmlinuz-*
# (tools/deps.sh installs linux-image-amd64). First, tools/run-qemu's
# --linux refuses what it cannot boot, kernel or not.
use strict;
use warnings;
no warnings 'portable';   # 64-bit hex addresses
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $iso = build_dir() . '/dynflags.iso';
for my $bad ([ [ '--linux', '/nonexistent/vmlinuz' ], qr/no Linux kernel '\/nonexistent\/vmlinuz'/ ],
	     [ [ '--image', $iso, '--linux', $iso ], qr/--image and --linux do not go together/ ],
	     [ [ '--image', '/nonexistent.iso' ], qr/no image '\/nonexistent\.iso'/ ]) {
	my ($args, $want) = @$bad;
	my $msg = `tools/run-qemu @$args 2>&1`;
	is($? >> 8, 2, "run-qemu @$args: exit 2");
	like($msg, $want, "run-qemu @$args: says why");
}

my ($linux) = $ENV{DYNFLAGS_LINUX} // (sort glob('/boot/vmlinuz-*'))[-1];
unless (defined $linux && -r $linux) {
	diag('no Linux kernel in /boot: tools/deps.sh installs linux-image-amd64');
	done_testing();
	exit 0;
}

# Kinds both maps can say: dynflags' range types and Linux's e820 names.
my %kind = (usable => 'ram', reclaimable => 'ram', 'acpi-reclaim' => 'acpi',
	    'acpi-nvs' => 'nvs', reserved => 'reserved', mmio => 'reserved',
	    'ACPI data' => 'acpi', 'ACPI NVS' => 'nvs');

# [start, end, kind] ranges, sorted, adjacent ones of one kind merged,
# RAM cut inward to whole pages, as text for is_deeply.
sub by_kind {
	my @r = sort { $a->[0] <=> $b->[0] } @_;
	my @m;
	for my $r (@r) {
		if (@m && $m[-1][2] eq $r->[2] && $m[-1][1] == $r->[0]) {
			$m[-1][1] = $r->[1];
		} else {
			push @m, [ @$r ];
		}
	}
	my @out;
	for my $r (@m) {
		my ($s, $e) = @$r;
		($s, $e) = (($s + 4095) & ~4095, $e & ~4095) if $r->[2] eq 'ram';
		push @out, sprintf('[0x%x, 0x%x) %s', $s, $e, $r->[2]) if $e > $s;
	}
	return \@out;
}

my @shapes = (
	[ 'SeaBIOS 6 GiB', { firmware => 'bios', mem => '6G' } ],
	[ 'OVMF 6 GiB', { mem => '6G' } ],
	[ 'SeaBIOS 2 GiB, 2 nodes, slots=2, maxmem=8G',
	  { firmware => 'bios', mem => '2G', numa => 2, slots => 2, maxmem => '8G' } ],
	[ 'OVMF 1 GiB, slots=2, maxmem=8G', { mem => '1G', slots => 2, maxmem => '8G' } ],
);

for my $s (@shapes) {
	my ($name, $shape) = @$s;
	my $ours = boot(%$shape, cmdline => 'ktest=none snapshot=0');
	expect_verdict($ours, 33, "$name: dynflags") or next;
	my $h = boot_live(%$shape, linux => $linux);
	my ($linux_kib) = $h->wait_for(qr{^\[[^\]]*\] Memory: \d+K/(\d+)K available}m, 110);
	my $theirs = $h->finish(0);
	ok(defined $linux_kib, "$name: Linux reports its memory") or do {
		diag("run-qemu: status $theirs->{status}");
		diag(join("\n", @{ $theirs->{lines} }[-20 .. -1]));
		next;
	};

	# The firmware map, as each kernel read it.
	my @linux_map;
	while ($theirs->{out} =~ /BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (.+?)\s*$/mg) {
		my $k = $3 eq 'usable' ? 'ram' : $kind{$3} // "unknown ($3)";
		push @linux_map, [ hex($1), hex($2) + 1, $k ];
	}
	my @our_map = map { [ hexval($_->{start}), hexval($_->{end}),
			      $kind{ $_->{type} } // "unknown ($_->{type})" ] }
		      diag_lines($ours, 'memmap');
	is_deeply(by_kind(@our_map), by_kind(@linux_map),
		  "$name: the firmware map, range by range (" . scalar(@linux_map) . ' e820 entries)');

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
