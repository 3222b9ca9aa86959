#!/usr/bin/perl
# hibernate-snapshot.t: a snapshot held in the shell across a power cycle
# (SeaBIOS, 1 GiB). Boot 1: `snapshot 64M` takes a workload spread over
# all of RAM (4 frames in every 64, so no free run longer than 60 frames)
# and holds its image; `diskbench` then moves 8 MiB (2048 frames, taken
# one at a time) to the disk and back; `hibernate` needs lists of 81 and
# 41 pages, which also come one frame at a time, and saves the machine.
# Boot 2 resumes inside the shell command, and `restore` puts the workload
# back from the image that was in RAM before the power cycle and verifies
# every page.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);
my $disk = "$dir/hib.img";
{
	open(my $fh, '>', $disk) or die;
	truncate($fh, 256 << 20) or die;
	close $fh;
}
my $pages = 64 * 2**20 / 4096;                  # 16384
my $r = boot_shell(firmware => 'bios', mem => '1G', disk => $disk, timeout => 90,
		   cmdline => 'ktest=none shell', commands => [ 'snapshot 64M', 'diskbench', 'hibernate' ]);
is($r->{status}, 125, 'boot 1: powered off after hibernate') or Boot::show_tail($r);
like($r->{answers}[0] // '', qr/^snapshot: pages=$pages .*scrambled=yes$/m, 'boot 1: the shell holds a 64M snapshot');
like($r->{out}, qr/^# diskbench: write_mib_s=\d+ read_mib_s=\d+ bytes=8388608 verified=yes$/m,
     'boot 1: diskbench runs with free memory in short runs');
unlike($r->{out}, qr/^# hibernate: refused/m, 'boot 1: hibernate not refused');
like($r->{out}, qr/^# hibernate: ok pages=\d+ /m, 'boot 1: hibernate: ok');

$r = boot_shell(firmware => 'bios', mem => '1G', disk => $disk, timeout => 90,
		cmdline => 'ktest=none', commands => [ 'restore', 'exit' ]);
expect_verdict($r, 33, 'boot 2: resumed, restored, exit');
like($r->{out}, qr/^# resume: ok pages=\d+ .*generation=1 /m, 'boot 2: # resume: ok generation=1');
like($r->{out}, qr/^hibernate: resumed$/m, 'boot 2: back inside the shell command');
like($r->{answers}[0] // '', qr/^restore: pages=$pages .*verified=$pages$/m,
     "boot 2: restore put back all $pages pages and verified them");
done_testing();
