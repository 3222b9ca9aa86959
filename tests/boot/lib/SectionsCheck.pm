# SectionsCheck.pm: checks shared by the section boot tests
# (tests/boot/sections*.t) on the "# acpi:", "# srat:", "# section:" and
# "# sections:" report lines (docs/report-format.md).
#
#   check_sections($r, $name, bits => 27, phys_bits => 40,
#       revision => 2, root => 'XSDT' (RSDP revision, root table walked),
#       srat => [ [start, end, node, hotplug, enabled], ... ] or [] for none,
#       present => [ section numbers ], hotplug => [ section numbers ],
#       node => { section_nr => node, ... } (others must be node 0),
#       max_possible_pfn => 0x..., table_pages => N (optional));
#
# Besides the expected values, it recomputes each section's RAM pages from
# the "# memmap:" lines (usable + reclaimable) and compares them, so the
# report is checked against itself as well as against the machine shape.
package SectionsCheck;

use strict;
use warnings;
no warnings 'portable';    # addresses above 4 GiB need 64-bit hex()
use Exporter 'import';
use Test::More;
use lib 'tests/boot/lib';
use Boot;

our @EXPORT = qw(check_sections);

my %RAM = map { $_ => 1 } qw(usable reclaimable);

# RAM pages of the memmap lines inside section nr of 2^bits bytes.
sub ram_pages_in {
	my ($ranges, $bits, $nr) = @_;
	my ($lo, $hi) = ($nr * 2**$bits, ($nr + 1) * 2**$bits);
	my $pages = 0;
	for my $g (@$ranges) {
		next unless $RAM{ $g->{type} };
		my $s = $g->{start} > $lo ? $g->{start} : $lo;
		my $e = $g->{end} < $hi ? $g->{end} : $hi;
		$pages += ($e - $s) / 4096 if $s < $e;
	}
	return $pages;
}

sub check_sections {
	my ($r, $name, %w) = @_;
	my $bits = $w{bits};
	my @ranges = map { { start => hex($_->{start}), end => hex($_->{end}),
			     type => $_->{type} } } diag_lines($r, 'memmap');
	my %sec = map { $_->{nr} => $_ } diag_lines($r, 'section');
	my ($sum) = grep { !defined $_->{warning} } diag_lines($r, 'sections');
	$sum //= {};
	my ($acpi) = grep { defined $_->{root} } diag_lines($r, 'acpi');
	my @warnings = grep { defined $_->{warning} } diag_lines($r, 'acpi');

	# ACPI: the root table used, the SRAT entries exactly, no warnings.
	is($acpi && $acpi->{revision}, $w{revision}, "$name: RSDP revision $w{revision}");
	is($acpi && $acpi->{root}, $w{root}, "$name: ACPI root table is $w{root}");
	is($acpi && $acpi->{srat}, @{ $w{srat} } ? 1 : 0,
	   "$name: SRAT " . (@{ $w{srat} } ? 'found' : 'absent'));
	is(scalar(@warnings), 0, "$name: no ACPI warnings");
	my @srat = map { sprintf('start=0x%x end=0x%x node=%d hotplug=%d enabled=%d',
				 hex($_->{start}), hex($_->{end}), $_->{node},
				 $_->{hotplug}, $_->{enabled}) } diag_lines($r, 'srat');
	my @want_srat = map { sprintf('start=0x%x end=0x%x node=%d hotplug=%d enabled=%d', @$_) }
		@{ $w{srat} };
	is_deeply(\@srat, \@want_srat, "$name: SRAT memory entries as QEMU builds them");

	# The summary line.
	my %possible = map { $_ => 1 } @{ $w{present} }, @{ $w{hotplug} };
	is($sum->{bits}, $bits, "$name: section bits $bits");
	is($sum->{phys_bits}, $w{phys_bits}, "$name: table covers $w{phys_bits} bits");
	is($sum->{present}, scalar(@{ $w{present} }), "$name: present sections");
	is($sum->{possible}, scalar(keys %possible), "$name: possible sections");
	is($sum->{max_possible_pfn}, sprintf('0x%x', $w{max_possible_pfn}),
	   "$name: max_possible_pfn");
	is($sum->{table_pages}, $w{table_pages}, "$name: table pages")
		if defined $w{table_pages};

	# One line per possible section, nothing else, each exactly right.
	is(join(',', sort { $a <=> $b } keys %sec),
	   join(',', sort { $a <=> $b } keys %possible),
	   "$name: a line for every present or hotplug section, and only those");
	my %is_present = map { $_ => 1 } @{ $w{present} };
	my %is_hotplug = map { $_ => 1 } @{ $w{hotplug} };
	my (@bad, $pages_sum);
	for my $nr (sort { $a <=> $b } keys %sec) {
		my $s = $sec{$nr};
		my $state = join(',', ($is_present{$nr} ? ('present', 'online') : ()),
				 ($is_hotplug{$nr} ? ('hotplug') : ()));
		my $pages = ram_pages_in(\@ranges, $bits, $nr);
		my $node = $w{node}{$nr} // 0;
		push @bad, "nr=$nr start=$s->{start}"
			unless hex($s->{start}) == $nr * 2**$bits;
		push @bad, "nr=$nr state=$s->{state}, want $state" unless $s->{state} eq $state;
		push @bad, "nr=$nr node=$s->{node}, want $node" unless $s->{node} == $node;
		push @bad, "nr=$nr pages=$s->{pages}, memmap has $pages"
			unless $s->{pages} == $pages;
		push @bad, "nr=$nr present without pages"
			if $is_present{$nr} && $s->{pages} == 0;
		$pages_sum += $s->{pages};
	}
	is(join('; ', @bad), '', "$name: every section's start, state, node and pages");
	my $ms = diag_one($r, 'memmap-summary') // {};
	is($pages_sum, ($ms->{usable_pages} // 0) + ($ms->{reclaimable_pages} // 0),
	   "$name: section pages add up to usable + reclaimable RAM");
	like($r->{out}, qr/^ok \d+ sections_boot$/m, "$name: in-kernel sections_boot suite passed");
}

1;
