#!/usr/bin/perl
# tests/host/run-qemu.t: tools/run-qemu turns machine shapes into the QEMU
# command the boot tests rely on, and refuses what it cannot build. Uses
# --dry-run, so nothing boots: sizes in M, G and T, hotplug slots, NUMA
# nodes, the physical width and the firmware (the command is printed
# shell-quoted, commas as \,), and a bad size or an uneven
# NUMA split ending with status 2 and a message.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);
my $image = "$dir/fake.iso";
open(my $fh, '>', $image) or die "$image: $!";
close($fh);

sub dry {
	my $out = `tools/run-qemu --image '$image' --dry-run @_ 2>&1`;
	return ($? >> 8, $out);
}

my ($st, $out) = dry();
is($st, 0, 'default shape: exit 0') or diag($out);
like($out, qr/-m 1024M\b/, 'default shape: 1 GiB');
like($out, qr/OVMF/, 'default shape: OVMF');

($st, $out) = dry(qw(--mem 6G));
like($out, qr/-m 6144M\b/, '--mem 6G is 6144 MiB');

($st, $out) = dry(qw(--mem 256M --slots 2 --maxmem 8G));
like($out, qr/-m 256M\\?,slots=2\\?,maxmem=8192M/, '--maxmem 8G with two slots');

($st, $out) = dry(qw(--mem 1G --slots 4 --maxmem 1T --phys-bits 46));
is($st, 0, '--maxmem 1T: exit 0') or diag($out);
like($out, qr/maxmem=1048576M/, '--maxmem 1T is 1048576 MiB');
like($out, qr/phys-bits=46/, '--phys-bits 46 reaches the CPU');

($st, $out) = dry(qw(--mem 2G --numa 2));
is(() = $out =~ /memory-backend-ram\\?,id=ram\d\\?,size=1024M/g, 2, '--numa 2: two 1 GiB nodes');

($st, $out) = dry(qw(--firmware bios));
is($st, 0, '--firmware bios: exit 0');
unlike($out, qr/pflash/, '--firmware bios: no OVMF flash');

($st, $out) = dry(qw(--mem 3X));
is($st, 2, 'a bad size: exit 2');
like($out, qr/bad size '3X'/, 'a bad size: says which');

($st, $out) = dry(qw(--mem 1G --numa 3));
is($st, 2, 'RAM that does not split over the nodes: exit 2');
like($out, qr/split evenly/, 'an uneven NUMA split: says why');

done_testing();
