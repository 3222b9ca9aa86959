#!/usr/bin/perl
# tests/host/run-qemu.t: tools/run-qemu turns machine shapes into the QEMU
# command the boot tests rely on, and refuses what it cannot build. Uses
# --dry-run, so nothing boots: sizes in M, G and T, hotplug slots, NUMA
# nodes, the physical width and the firmware (the command is printed
# shell-quoted, commas as \,), cold-plugged DIMMs (--dimm SIZE[@NODE]) and
# a QMP socket (--qmp PATH), and a bad size, an uneven NUMA split or a DIMM
# that cannot be built ending with status 2 and a message.
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

# No --image: the ISO `make iso` builds, in $DYNFLAGS_BUILD.
{
	local $ENV{DYNFLAGS_BUILD} = $dir;
	rename($image, "$dir/dynflags.iso") or die "rename: $!";
	my $o = `tools/run-qemu --dry-run 2>&1`;
	is($? >> 8, 0, 'no --image: exit 0') or diag($o);
	like($o, qr/\Q$dir\E\/dynflags\.iso/, 'no --image: boots $DYNFLAGS_BUILD/dynflags.iso');
	rename("$dir/dynflags.iso", $image) or die "rename: $!";
	$o = `tools/run-qemu --dry-run 2>&1`;
	is($? >> 8, 2, 'no --image and no ISO there: exit 2');
	like($o, qr/no image '\Q$dir\E\/dynflags\.iso' \(run make iso first\)/, 'no --image and no ISO: says to build it');
	$o = `tools/run-qemu --dry-run --image $dir/dynflags-esp.img 2>&1`;
	is($? >> 8, 2, 'no GNU-EFI disk there: exit 2');
	like($o, qr/no image '\Q$dir\E\/dynflags-esp\.img' \(run make esp first\)/, 'no GNU-EFI disk: says make esp');
}

($st, $out) = dry(qw(--mem 6G));
like($out, qr/-m 6144M\b/, '--mem 6G is 6144 MiB');
like($out, qr/-object memory-backend-memfd\\?,id=ram\\?,size=6144M -machine memory-backend=ram\b/,
     '--mem 6G: the RAM is one memfd backend of the same size');

($st, $out) = dry(qw(--mem 256M --slots 2 --maxmem 8G));
like($out, qr/-m 256M\\?,slots=2\\?,maxmem=8192M/, '--maxmem 8G with two slots');

($st, $out) = dry(qw(--mem 1G --slots 4 --maxmem 1T --phys-bits 46));
is($st, 0, '--maxmem 1T: exit 0') or diag($out);
like($out, qr/maxmem=1048576M/, '--maxmem 1T is 1048576 MiB');
like($out, qr/phys-bits=46/, '--phys-bits 46 reaches the CPU');

($st, $out) = dry(qw(--mem 2G --numa 2));
is(() = $out =~ /memory-backend-memfd\\?,id=ram\d\\?,size=1024M/g, 2, '--numa 2: two 1 GiB nodes, each from a memfd');
unlike($out, qr/memory-backend=ram\b/, '--numa 2: no machine-wide RAM backend beside the nodes');

($st, $out) = dry(qw(--firmware bios));
is($st, 0, '--firmware bios: exit 0');
unlike($out, qr/pflash/, '--firmware bios: no OVMF flash');

($st, $out) = dry(qw(--mem 3X));
is($st, 2, 'a bad size: exit 2');
like($out, qr/bad size '3X'/, 'a bad size: says which');

($st, $out) = dry(qw(--mem 1G --numa 3));
is($st, 2, 'RAM that does not split over the nodes: exit 2');
like($out, qr/split evenly/, 'an uneven NUMA split: says why');

($st, $out) = dry(qw(--qmp /tmp/x/qmp.sock));
is($st, 0, '--qmp: exit 0') or diag($out);
like($out, qr{-qmp unix:/tmp/x/qmp\.sock\\?,server=on\\?,wait=off}, '--qmp: a UNIX socket QEMU does not wait on');
unlike((dry())[1], qr/-qmp/, 'no --qmp: no QMP socket');

($st, $out) = dry(qw(--mem 2G --numa 2 --slots 2 --maxmem 8G --dimm 1G --dimm 512M@1));
is($st, 0, 'two DIMMs: exit 0') or diag($out);
like($out, qr/-object memory-backend-ram\\?,id=m0\\?,size=1024M -device pc-dimm\\?,id=d0\\?,memdev=m0 /,
     '--dimm 1G: backend m0 and pc-dimm d0, no node');
like($out, qr/-object memory-backend-ram\\?,id=m1\\?,size=512M -device pc-dimm\\?,id=d1\\?,memdev=m1\\?,node=1 /,
     '--dimm 512M@1: backend m1 and pc-dimm d1 on node 1');
like($out, qr/-numa node\\?,nodeid=1\\?,memdev=ram1 .*-device pc-dimm/, 'the DIMMs come after the NUMA nodes');

($st, $out) = dry(qw(--dimm 1G));
is($st, 2, '--dimm without slots: exit 2');
like($out, qr/--dimm needs --slots/, '--dimm without slots: says why');

($st, $out) = dry(qw(--slots 1 --maxmem 4G --dimm 1G --dimm 1G));
is($st, 2, 'more DIMMs than slots: exit 2');
like($out, qr/2 DIMMs do not fit in 1 slots/, 'more DIMMs than slots: says so');

($st, $out) = dry(qw(--slots 1 --maxmem 4G --dimm 1G@1));
is($st, 2, 'a DIMM on a node that does not exist: exit 2');
like($out, qr/node 1 needs --numa 2/, 'a DIMM on a missing node: says why');

($st, $out) = dry(qw(--slots 1 --maxmem 4G --dimm 1G@x));
is($st, 2, 'a DIMM with a bad node: exit 2');

($st, $out) = dry(qw(--slots 1 --maxmem 4G --dimm 3X));
is($st, 2, 'a DIMM of a bad size: exit 2');
like($out, qr/bad size '3X'/, 'a DIMM of a bad size: says which');

like(`tools/run-qemu --help`, qr/--dimm SIZE\[\@NODE\].*--qmp PATH/s, '--help documents --dimm and --qmp');

# --stdin: a shell left without input ends itself before the timeout.
($st, $out) = dry('--stdin', '--cmdline', "'ktest=none shell'");
like($out, qr/string=ktest=none\\ shell\\ shell_idle=105\s/, '--stdin: shell_idle= is the timeout (120) minus 15');
($st, $out) = dry('--stdin', '--timeout', 20, '--cmdline', 'shell');
like($out, qr/string=shell\\ shell_idle=10\s/, '--stdin --timeout 20: at least half the timeout');
($st, $out) = dry('--stdin', '--cmdline', "'shell shell_idle=7'");
like($out, qr/string=shell\\ shell_idle=7\s/, '--stdin: a shell_idle= given is kept, none added');
($st, $out) = dry('--cmdline', 'shell');
unlike($out, qr/shell_idle/, 'without --stdin: no shell_idle=');
($st, $out) = dry('--stdin');
unlike($out, qr/fw_cfg/, '--stdin without --cmdline: no fw_cfg file (extra -fw_cfg arguments do not clash)');

# --disk FILE: a legacy virtio-blk disk; the CD keeps bootindex 0.
{
	my $disk = "$dir/disk.img";
	open(my $d, '>', $disk) or die "$disk: $!";
	close($d);
	($st, $out) = dry('--disk', $disk);
	is($st, 0, '--disk: exit 0') or diag($out);
	like($out, qr/-drive file=\Q$disk\E\\?,format=raw\\?,if=none\\?,id=hib/, '--disk: the raw drive');
	like($out, qr/virtio-blk-pci\\?,drive=hib\\?,disable-modern=on\\?,bootindex=1/, '--disk: a legacy virtio-blk-pci device, bootindex 1');
	like($out, qr/ide-cd\\?,drive=cd\\?,bus=ide.0\\?,bootindex=0/, '--disk: the CD boots first');
	unlike($out, qr/-cdrom/, '--disk: no -cdrom without a bootindex');
	($st, $out) = dry('--disk', "$dir/missing.img");
	is($st, 2, '--disk with no such file: exit 2');
	like($out, qr/no disk image/, '--disk with no such file: says so');
}

done_testing();
