#!/usr/bin/perl
# efi.t: the GNU-EFI boot path. For each machine shape of the boot-test
# matrix, boot the ESP image (BOOTX64.EFI + kernel.elf) under OVMF, expect a
# complete passing KTAP report from the same kernel with loader=gnu-efi,
# then boot the GRUB ISO on the same shape and compare the two reports on
# everything that does not depend on the loader:
#
#   # cpu:, # srat:, # section:, # sections:   must be identical;
#   # memmap:   the same RAM (usable + reclaimable) and the same non-RAM
#               ranges; usable RAM may differ only where one loader (or the
#               firmware working for it) occupied RAM that the other did
#               not, which the other report then calls reclaimable.
#
# The differences are printed either way. A report key that neither path
# prints yet is skipped, not passed.
use strict;
use warnings;
no warnings 'portable';     # 64-bit hex addresses
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $esp = build_dir() . '/dynflags-esp.img';
my $iso = build_dir() . '/dynflags.iso';
plan skip_all => "no $esp (make esp)" unless -f $esp;

my @shapes = (
	[ '256 MiB',              mem => '256M' ],
	[ '6 GiB',                mem => '6G' ],
	[ '1 GiB, slots=2, maxmem=8 GiB', mem => '1G', slots => 2, maxmem => '8G' ],
	[ '2 NUMA nodes',         mem => '1G', numa => 2 ],
);

# The usable RAM the loaders leave differently may not exceed this.
my $USABLE_DIFF_MAX = 64 << 20;

# Report lines "# KEY: ..." as raw text, in order.
sub raw_lines {
	my ($r, $key) = @_;
	return map { /^# \Q$key\E: (.*)$/ ? $1 : () } @{ $r->{lines} };
}

# Compare the multisets of "# KEY:" lines of two reports.
sub same_lines {
	my ($grub, $efi, $key, $name) = @_;
	my @g = raw_lines($grub, $key);
	my @e = raw_lines($efi, $key);
	SKIP: {
		skip "$name: neither report has '# $key:' lines yet", 1
			unless @g || @e;
		my %count;
		$count{$_}++ for @g;
		$count{$_}-- for @e;
		my @only_grub = grep { $count{$_} > 0 } sort keys %count;
		my @only_efi = grep { $count{$_} < 0 } sort keys %count;
		ok(!@only_grub && !@only_efi, "$name: '# $key:' lines agree (" . scalar(@g) . ')')
			or diag(join("\n", (map { "  only GRUB: # $key: $_" } @only_grub),
					   (map { "  only EFI:  # $key: $_" } @only_efi)));
	}
}

# Sorted, merged [start, end) byte intervals of the memmap ranges whose
# type is in @types (or whose type is not in @types, when $invert).
sub intervals {
	my ($r, $invert, @types) = @_;
	my %want = map { $_ => 1 } @types;
	my @iv = sort { $a->[0] <=> $b->[0] }
		 map { [ hex($_->{start}), hex($_->{end}), $_->{type} ] }
		 grep { ($want{ $_->{type} } ? 1 : 0) != ($invert ? 1 : 0) }
		 diag_lines($r, 'memmap');
	my @merged;
	for my $i (@iv) {
		if (@merged && $merged[-1][1] >= $i->[0] && !$invert) {
			$merged[-1][1] = $i->[1] if $i->[1] > $merged[-1][1];
		} else {
			push @merged, [@$i];
		}
	}
	return @merged;
}

# Intervals of @$a not covered by @$b (both sorted and disjoint).
sub minus {
	my ($a, $b) = @_;
	my @out;
	for my $x (@$a) {
		my ($s, $e) = @$x;
		for my $y (@$b) {
			last if $y->[0] >= $e;
			next if $y->[1] <= $s;
			push @out, [ $s, $y->[0] ] if $y->[0] > $s;
			$s = $y->[1];
			last if $s >= $e;
		}
		push @out, [ $s, $e ] if $s < $e;
	}
	return @out;
}

sub show { join(' ', map { sprintf('[0x%x,0x%x)', @$_[0, 1]) } @_) }
sub bytes { my $n = 0; $n += $_->[1] - $_->[0] for @_; $n }

sub compare_memmap {
	my ($grub, $efi, $name) = @_;
	SKIP: {
		skip "$name: neither report has '# memmap:' lines yet", 3
			unless diag_lines($grub, 'memmap') || diag_lines($efi, 'memmap');
		my @ram = qw(usable reclaimable);
		my @g_ram = intervals($grub, 0, @ram);
		my @e_ram = intervals($efi, 0, @ram);
		my @lost = minus(\@g_ram, \@e_ram);
		my @extra = minus(\@e_ram, \@g_ram);
		ok(!@lost && !@extra, "$name: the same RAM (usable + reclaimable)")
			or diag("  RAM only under GRUB: " . show(@lost) .
				"\n  RAM only under EFI: " . show(@extra));

		my @g_other = map { sprintf('0x%x-0x%x %s', @$_) } intervals($grub, 1, @ram);
		my @e_other = map { sprintf('0x%x-0x%x %s', @$_) } intervals($efi, 1, @ram);
		is_deeply(\@e_other, \@g_other, "$name: the same non-RAM ranges");

		my @g_use = intervals($grub, 0, 'usable');
		my @e_use = intervals($efi, 0, 'usable');
		my @only_g = minus(\@g_use, \@e_use);
		my @only_e = minus(\@e_use, \@g_use);
		my $diff = bytes(@only_g) + bytes(@only_e);
		note("$name: usable only under GRUB: " . show(@only_g));
		note("$name: usable only under EFI:  " . show(@only_e));
		ok($diff <= $USABLE_DIFF_MAX,
		   sprintf('%s: usable RAM differs by %d KiB, within the loaders\' own ranges',
			   $name, $diff >> 10))
			or diag("  usable only under GRUB: " . show(@only_g) .
				"\n  usable only under EFI:  " . show(@only_e));
	}
}

for my $s (@shapes) {
	my ($name, %shape) = @$s;
	my $efi = boot(image => $esp, %shape);
	expect_verdict($efi, 33, "EFI $name");
	expect_ktap_complete($efi, "EFI $name");
	like($efi->{out}, qr/^# efi-loader: name=dynflags-efi-loader version=\S+$/m,
	     "EFI $name: the loader names itself");
	my $b = diag_one($efi, 'boot');
	is($b && $b->{loader}, 'gnu-efi', "EFI $name: loader=gnu-efi");
	is($b && $b->{firmware}, 'uefi', "EFI $name: firmware=uefi");

	my $grub = boot(image => $iso, %shape);
	expect_verdict($grub, 33, "GRUB $name");
	same_lines($grub, $efi, $_, $name) for qw(cpu srat section sections);
	compare_memmap($grub, $efi, $name);
}

done_testing();
