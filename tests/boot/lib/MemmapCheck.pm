# MemmapCheck.pm: checks shared by the memory-map boot tests
# (tests/boot/memmap*.t) on the "# cpu:", "# memmap:", "# memmap-summary:",
# "# paging:" and "# frames:" report lines (docs/report-format.md).
package MemmapCheck;

use strict;
use warnings;
no warnings 'portable';    # addresses above 4 GiB need 64-bit hex()
use Exporter 'import';
use Test::More;
use lib 'tests/boot/lib';
use Boot;

our @EXPORT = qw(check_memmap low_ram_end);

my %RAM = map { $_ => 1 } qw(usable reclaimable);
my %TYPES = map { $_ => 1 }
	qw(usable reclaimable acpi-reclaim acpi-nvs reserved mmio unusable persistent);

# Check the report's own consistency; returns the ranges as
# [ { start, end, type } ] (numbers) sorted as printed.
sub check_memmap {
	my ($r, $name, $phys_bits) = @_;
	my @ranges = map { { start => hex($_->{start}), end => hex($_->{end}),
			     type => $_->{type} } } diag_lines($r, 'memmap');
	my $sum = diag_one($r, 'memmap-summary') // {};
	my $cpu = diag_one($r, 'cpu') // {};
	my (@bad, %pages);

	is($cpu->{phys_bits}, $phys_bits, "$name: cpu phys_bits=$phys_bits");
	is($cpu->{virt_bits}, 48, "$name: cpu virt_bits=48");
	ok(@ranges > 0, "$name: memmap lines printed");
	is($sum->{ranges}, scalar(@ranges), "$name: summary counts the ranges");
	ok(($sum->{firmware_entries} // 0) > 0, "$name: firmware entries counted");
	is($sum->{phys_bits}, $phys_bits, "$name: map cut at $phys_bits bits");
	for my $i (0 .. $#ranges) {
		my ($g, $p) = ($ranges[$i], $i ? $ranges[$i - 1] : undef);
		push @bad, "bad type $g->{type}" unless $TYPES{ $g->{type} };
		push @bad, "empty at $i" unless $g->{start} < $g->{end};
		push @bad, "past the width at $i" if $g->{end} > 2**$phys_bits;
		push @bad, "unaligned RAM at $i"
			if $RAM{ $g->{type} } && ($g->{start} % 4096 || $g->{end} % 4096);
		push @bad, "unsorted/overlapping at $i" if $p && $p->{end} > $g->{start};
		push @bad, "unmerged at $i"
			if $p && $p->{end} == $g->{start} && $p->{type} eq $g->{type};
		$pages{ $g->{type} } += int($g->{end} / 4096) - int(($g->{start} + 4095) / 4096);
	}
	is(join('; ', @bad), '', "$name: sorted, disjoint, merged, RAM page aligned");
	for my $t (qw(usable reserved reclaimable)) {
		(my $f = "${t}_pages") =~ s/-/_/g;
		is($sum->{$f}, $pages{$t} // 0, "$name: $f matches the lines");
	}

	my $fr = diag_one($r, 'frames') // {};
	is($fr->{total}, ($sum->{usable_pages} // 0) - ($fr->{excluded} // 0),
	   "$name: frames total = usable pages - excluded");
	return @ranges;
}

# The end of the highest RAM-like range below 4 GiB (RAM, ACPI memory and
# firmware data all sit in the guest's RAM).
sub low_ram_end {
	my $end = 0;
	for (@_) {
		next if $_->{type} eq 'mmio' || $_->{end} > 2**32;
		next if $_->{start} >= 0xb0000000;     # ECAM, flash, ...
		$end = $_->{end} if $_->{end} > $end;
	}
	return $end;
}

1;
