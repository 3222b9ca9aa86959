#!/usr/bin/perl
# hibernate.t: the whole cycle on one raw disk file under SeaBIOS, 1 GiB.
#   1. snapshot=64M hibernate: a workload, the image written (signature
#      last), "# hibernate: ok", ACPI S5 power-off (QEMU's status 0, which
#      run-qemu reports as 125: no verdict; the line is the proof);
#   2. the same again: the resume check finds the image, loads it, the saved
#      kernel continues: "# resume: ok generation=1", the workload verifies,
#      the suites run, verdict pass (33);
#   3. snapshot=64M: the signature was cleared, "# resume: none", pass.
# Then the refusals: no disk, and a 1 MiB disk, refuse the hibernation and
# the kernel passes.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);

sub boot_disk {
	my ($disk, %o) = @_;
	my @cmd = Boot::run_qemu_command(firmware => 'bios', timeout => 120, %o);
	splice(@cmd, 1, 0, '--disk', $disk) if defined $disk;
	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', '/dev/null') or die "stdin: $!";
		open(STDERR, '>&', \*STDOUT) or die "stderr: $!";
		exec(@cmd) or die "exec @cmd: $!";
	}
	local $/;
	my $text = <$out> // '';
	close $out;
	return Boot::result($text, $? >> 8, @cmd);
}

sub make_disk {
	my ($name, $bytes) = @_;
	my $path = "$dir/$name";
	open(my $fh, '>', $path) or die "$path: $!";
	truncate($fh, $bytes) or die "truncate: $!";
	close $fh;
	return $path;
}

my $disk = make_disk('hib.img', 256 << 20);
my $r = boot_disk($disk, cmdline => 'ktest=none snapshot=64M hibernate');
is($r->{status}, 125, 'hibernate: QEMU powered off (status 0, no verdict)');
like($r->{out}, qr/^# resume: none$/m, 'hibernate: an empty disk has no image');
my $h = (map { /^# hibernate: ok (.*)$/ ? Boot::parse_fields($1) : () } @{ $r->{lines} })[0];
ok($h, 'hibernate: ok');
$h //= {};
ok(($h->{pages} // 0) > 16384, "hibernate: the workload and the kernel ($h->{pages} pages)");
ok(($h->{write_mib_s} // 0) > 0, "hibernate: written at $h->{write_mib_s} MiB/s");
unlike($r->{out}, qr/^# verdict:/m, 'hibernate: no verdict before the power-off');
open(my $fh, '<:raw', $disk) or die;
read($fh, my $sig, 8);
close $fh;
is($sig, 'DYNFHIBR', 'on the file: the signature');

$r = boot_disk($disk, cmdline => 'snapshot=64M hibernate');
expect_verdict($r, 33, 'resume');
my $ok = (map { /^# resume: ok (.*)$/ ? Boot::parse_fields($1) : () } @{ $r->{lines} })[0] // {};
is($ok->{generation}, 1, 'resume: generation=1');
is($ok->{pages}, $h->{pages}, 'resume: every saved page');
ok(($ok->{read_mib_s} // 0) > 0, "resume: read at $ok->{read_mib_s} MiB/s");
my $wl = diag_one($r, 'hibernate-workload') // {};
is($wl->{resumed}, 'yes', 'resume: the workload came back');
is($wl->{verified}, 16384, 'resume: all 16384 workload pages verify');
like($r->{out}, qr/^# verdict: pass .* boot_errors=0 /m, 'resume: the suites pass after it');
open($fh, '<:raw', $disk) or die;
read($fh, $sig, 8);
close $fh;
is($sig, "\0" x 8, 'on the file: the signature is cleared');

$r = boot_disk($disk, cmdline => 'ktest=none snapshot=64M');
expect_verdict($r, 33, 'third boot');
like($r->{out}, qr/^# resume: none$/m, 'third boot: # resume: none');

$r = boot_disk(undef, cmdline => 'ktest=none snapshot=4M hibernate');
expect_verdict($r, 33, 'no disk');
like($r->{out}, qr/^# hibernate: refused reason=no-disk /m, 'no disk: hibernation refused');

$r = boot_disk(make_disk('small.img', 1 << 20), cmdline => 'ktest=none snapshot=4M hibernate');
expect_verdict($r, 33, 'a 1 MiB disk');
like($r->{out}, qr/^# hibernate: refused reason=disk-too-small /m, 'a 1 MiB disk: hibernation refused');
like($r->{out}, qr/^# hibernate-workload: pages=1024 verified=1024 resumed=no$/m, 'a 1 MiB disk: the workload is untouched');

done_testing();
