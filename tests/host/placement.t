#!/usr/bin/perl
# tests/host/placement.t: the kernel's CRC routines each lie within one
# 4 KiB page. Under QEMU's TCG a loop that straddles a page boundary runs
# several times slower, and these loops checksum every page a snapshot or
# a resume validates (kernel/portable/crc32c.c, "Code placement";
# docs/performance.md). Reads the symbol table of the kernel the build
# made ($DYNFLAGS_BUILD/kernel.elf), with nm.
use strict;
use warnings;
use Test::More;

my $PAGE = 4096;
my @hot = qw(crc32c_table crc32c_copy_table crc32c_hw crc32c_copy_hw);
my $elf = ($ENV{DYNFLAGS_BUILD} // 'build') . '/kernel.elf';

# { name => [ start, size ] } for the text symbols of `nm -S` output.
sub text_symbols {
	my ($nm_out) = @_;
	my %sym;
	for (split /\n/, $nm_out) {
		my ($start, $size, $type, $name) = split ' ';
		$sym{$name} = [ hex $start, hex $size ] if defined $name && $type =~ /^[tT]$/;
	}
	return \%sym;
}

# Does [start, start + size) stay within one page?
sub on_one_page {
	my ($start, $size) = @{ $_[0] };
	return int($start / $PAGE) == int(($start + $size - 1) / $PAGE);
}

# The check itself can fail: a routine that crosses 0x112000 is caught.
my $fake = text_symbols("0000000000111f00 0000000000000255 T crc32c_table\n");
ok(!on_one_page($fake->{crc32c_table}), 'a routine from 0x111f00 to 0x112155 crosses a page');

unless (-f $elf) {
	diag("no $elf: make kernel builds it");
	done_testing();
	exit 0;
}
my $sym = text_symbols(scalar `nm -S '$elf'`);
for my $name (@hot) {
	my $s = $sym->{$name};
	ok($s, "$name is in the kernel") or next;
	ok(on_one_page($s), sprintf('%s (0x%x, %d bytes) lies within one 4 KiB page', $name, @$s));
}
done_testing();
