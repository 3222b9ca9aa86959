#!/usr/bin/perl
# skeleton.t: the ISO boots on the machine shapes of the boot-test matrix,
# runs every in-kernel suite, and exits 33 with a complete KTAP report.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my @shapes = (
	[ 'OVMF 256 MiB', firmware => 'uefi', mem => '256M' ],
	[ 'OVMF 1 GiB',   firmware => 'uefi', mem => '1G' ],
	[ 'OVMF 6 GiB',   firmware => 'uefi', mem => '6G' ],
	[ 'SeaBIOS 1 GiB', firmware => 'bios', mem => '1G' ],
);

for my $s (@shapes) {
	my ($name, %shape) = @$s;
	my $r = boot(%shape);
	expect_verdict($r, 33, $name);
	expect_ktap_complete($r, $name);
	my $b = diag_one($r, 'boot');
	is($b && $b->{loader}, 'grub-multiboot2', "$name: loader named");
	is($b && $b->{firmware}, $shape{firmware}, "$name: firmware=$shape{firmware}");
	is($r->{lines}[0] =~ /^# boot:/ ? 1 : (grep({ /^# boot:/ } @{ $r->{lines} }) ? 1 : 0), 1,
	   "$name: boot line present");
}

done_testing();
