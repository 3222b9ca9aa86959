#!/usr/bin/perl
# virtio-blk.t: the legacy virtio block driver under SeaBIOS. With a raw
# disk (tools/run-qemu --disk), the kernel finds the PCI function, reports
# its capacity and queue size, and diskbench writes a pattern, flushes,
# reads it back and compares (verified=yes); the host then sees the data
# on the file, after the zeroed header page. Without a disk the kernel says
# "# virtio-blk: none" and passes; a disk too small for the benchmark is
# refused with a report line, and the boot still passes. A benchmark
# larger than free memory is refused too, with every frame given back.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);

# boot() with a disk: run-qemu's --disk before the QEMU arguments.
# A SeaBIOS boot with DISK attached as the virtio-blk disk (none if undef).
sub boot_disk {
	my ($disk, %o) = @_;
	return boot(firmware => 'bios', timeout => 60, %o, disk => $disk);
}

{
	my $disk = make_disk("$dir/64m.img", 64 << 20);
	my $r = boot_disk($disk, cmdline => 'ktest=none snapshot=0 diskbench=1M');
	expect_verdict($r, 33, 'a 64 MiB disk');
	my $v = diag_one($r, 'virtio-blk') // {};
	like($v->{pci} // '', qr/^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, "the device's PCI address ($v->{pci})");
	is($v->{sectors}, 131072, '64 MiB = 131072 sectors');
	ok(($v->{queue} // 0) >= 4, "a queue ($v->{queue} entries)");
	my $b = diag_one($r, 'diskbench') // {};
	is($b->{bytes}, 1 << 20, 'diskbench: 1 MiB');
	is($b->{verified}, 'yes', 'diskbench: what was read back is what was written');
	ok(($b->{write_mib_s} // 0) > 0 && ($b->{read_mib_s} // 0) > 0,
	   "diskbench: write $b->{write_mib_s} MiB/s, read $b->{read_mib_s} MiB/s");
	open(my $fh, '<:raw', $disk) or die "$disk: $!";
	read($fh, my $bytes, 4096 + (1 << 20));
	close $fh;
	is(substr($bytes, 0, 4096), "\0" x 4096, 'on the file: the header page is zero');
	isnt(substr($bytes, 4096, 1 << 20) =~ tr/\0//c, 0, 'on the file: the pattern, from sector 8 on');
}

{
	my $r = boot_disk(undef, cmdline => 'ktest=none snapshot=0 diskbench');
	expect_verdict($r, 33, 'no disk');
	like($r->{out}, qr/^# virtio-blk: none$/m, 'no disk: "# virtio-blk: none"');
	like($r->{out}, qr/^# diskbench: error=no-disk /m, 'no disk: diskbench says so');
}

{
	my $disk = make_disk("$dir/1m.img", 1 << 20);
	my $r = boot_disk($disk, cmdline => 'ktest=none snapshot=0 diskbench=8M');
	expect_verdict($r, 33, 'a 1 MiB disk');
	is((diag_one($r, 'virtio-blk') // {})->{sectors}, 2048, '1 MiB = 2048 sectors');
	like($r->{out}, qr/^# diskbench: error=disk-too-small bytes=8388608 disk_sectors=2048$/m,
	     'a 1 MiB disk: too small for 8 MiB, said so');
}

{
	# 512 MiB on a 256 MiB machine: diskbench takes its buffer a frame at
	# a time until none is left, then gives every one back.
	my $disk = make_disk("$dir/1g.img", 1 << 30);
	my $r = boot_shell(firmware => 'bios', mem => '256M', disk => $disk, timeout => 90,
			   cmdline => 'ktest=none snapshot=0 shell',
			   commands => [ 'diskbench 512M', 'diskbench 1M', 'exit' ]);
	expect_verdict($r, 33, 'more than RAM: the shell goes on, exit');
	like($r->{answers}[0] // '', qr/^# diskbench: error=no-memory bytes=536870912$/m,
	     'more than RAM: error=no-memory');
	like($r->{answers}[1] // '', qr/^# diskbench: write_mib_s=\d+ read_mib_s=\d+ bytes=1048576 verified=yes$/m,
	     'after the refusal, 1 MiB runs');
	my ($ready) = $r->{out} =~ /^# shell: state=ready frames_in_use=(\d+)/m;
	my ($bye) = $r->{out} =~ /^# shell: state=bye frames_in_use=(\d+)/m;
	ok(defined $ready && defined $bye && $ready == $bye,
	   "no frame kept: frames_in_use=" . ($ready // '?') . " before, " . ($bye // '?') . " after");
}

done_testing();
