#!/usr/bin/perl
# efi.t: the GNU-EFI boot path. For each machine shape of the boot-test
# matrix, boot the ESP image (BOOTX64.EFI + kernel.elf) under OVMF, expect a
# complete passing KTAP report from the same kernel with loader=gnu-efi,
# then boot the GRUB ISO on the same shape (no suites and no snapshot: the
# other boot tests run those under GRUB) and compare the two reports on
# everything that does not depend on the loader:
#
#   # cpu:, # srat:, # section:, # sections:   must be identical;
#   # memmap:   the same RAM (usable + reclaimable) and the same non-RAM
#               ranges; usable RAM may differ only where one loader (or the
#               firmware working for it) occupied RAM that the other did
#               not, which the other report then calls reclaimable; and
#               the GNU-EFI path may hold at most $EFI_EXTRA_MAX more.
#
# The differences are printed either way. A report key that neither path
# prints is skipped, not passed (q35 has an SRAT only with NUMA nodes or
# memory hotplug slots).
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

# GRUB keeps a quarter of RAM or so as its heap, all of it reclaimable
# after ExitBootServices; the project's own loader holds only its image,
# the kernel, boot_info and a few pool pages. RAM that only the GNU-EFI
# path keeps from the kernel (usable under GRUB, reclaimable under EFI)
# may not exceed this.
my $EFI_EXTRA_MAX = 4 << 20;

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
		skip "$name: neither report has '# $key:' lines (none on this shape, or none printed yet)", 1
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
		skip "$name: neither report has '# memmap:' lines yet", 4
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
		note(sprintf('%s: usable only under GRUB (%d KiB): %s', $name,
			     bytes(@only_g) >> 10, show(@only_g)));
		note(sprintf('%s: usable only under EFI (%d KiB): %s', $name,
			     bytes(@only_e) >> 10, show(@only_e)));
		my @g_recl = intervals($grub, 0, 'reclaimable');
		my @e_recl = intervals($efi, 0, 'reclaimable');
		my @odd = (minus(\@only_g, \@e_recl), minus(\@only_e, \@g_recl));
		ok(!@odd, "$name: usable RAM differs only where the other path has reclaimable RAM")
			or diag('  neither usable nor reclaimable in the other: ' . show(@odd));
		ok(bytes(@only_g) <= $EFI_EXTRA_MAX,
		   sprintf('%s: the GNU-EFI path holds %d KiB more than GRUB (at most %d)',
			   $name, bytes(@only_g) >> 10, $EFI_EXTRA_MAX >> 10))
			or diag('  usable only under GRUB: ' . show(@only_g));
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

	my $grub = boot(image => $iso, %shape, cmdline => 'ktest=none snapshot=0');
	expect_verdict($grub, 33, "GRUB $name");
	same_lines($grub, $efi, $_, $name) for qw(cpu srat section sections);
	compare_memmap($grub, $efi, $name);
}

done_testing();
