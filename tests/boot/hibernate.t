#!/usr/bin/perl
# hibernate.t: the whole cycle on one raw disk file under SeaBIOS at 1 GiB,
# then under OVMF at 1 GiB and 6 GiB (the workload above 4 GiB).
#   1. snapshot=64M hibernate: a workload, the image written (signature
#      last), "# hibernate: ok", ACPI S5 power-off (QEMU's status 0, which
#      run-qemu reports as 125: no verdict; the line is the proof);
#   2. the same again: the resume check finds the image, loads it, the saved
#      kernel continues: "# resume: ok generation=1", it gives back every
#      frame the hibernation took, the workload verifies, and it runs its
#      own options' suites (at 1 GiB every suite; at 6 GiB none, for
#      time), verdict pass (33);
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

# A SeaBIOS boot with DISK attached as the virtio-blk disk (none if undef).
sub boot_disk {
	my ($disk, %o) = @_;
	return boot(firmware => 'bios', timeout => 120, %o, disk => $disk);
}

# The three boots on one disk, for a shape: firmware, RAM, workload (MiB),
# and whether the saved kernel runs the suites once resumed.
sub cycle {
	my ($fw, $mem, $mib, $timeout, $suites) = @_;
	my $name = "$fw $mem";
	my $pages = $mib * 256;
	my %shape = (firmware => $fw, mem => $mem, timeout => $timeout);
	my $disk = make_disk("$dir/hib-$fw-$mem.img", ($mib + 64) << 20);
	my $r = boot_disk($disk, %shape,
			  cmdline => ($suites ? '' : 'ktest=none ') . "snapshot=${mib}M hibernate");
	is($r->{status}, 125, "$name hibernate: QEMU powered off (status 0, no verdict)")
		or Boot::show_tail($r);
	like($r->{out}, qr/^# resume: none$/m, "$name hibernate: an empty disk has no image");
	my $h = (map { /^# hibernate: ok (.*)$/ ? Boot::parse_fields($1) : () } @{ $r->{lines} })[0];
	ok($h, "$name hibernate: ok");
	$h //= {};
	ok(($h->{pages} // 0) > $pages, "$name hibernate: the workload and the kernel ($h->{pages} pages)");
	ok(($h->{write_mib_s} // 0) > 0, "$name hibernate: written at $h->{write_mib_s} MiB/s");
	unlike($r->{out}, qr/^# verdict:/m, "$name hibernate: no verdict before the power-off");
	open(my $fh, '<:raw', $disk) or die;
	read($fh, my $sig, 8);
	close $fh;
	is($sig, 'DYNFHIBR', "$name on the file: the signature");

	$r = boot_disk($disk, %shape, cmdline => "snapshot=${mib}M hibernate");
	expect_verdict($r, 33, "$name resume");
	my $ok = (map { /^# resume: ok (.*)$/ ? Boot::parse_fields($1) : () } @{ $r->{lines} })[0] // {};
	is($ok->{generation}, 1, "$name resume: generation=1");
	is($ok->{pages}, $h->{pages}, "$name resume: every saved page");
	ok(($ok->{read_mib_s} // 0) > 0, "$name resume: read at $ok->{read_mib_s} MiB/s");
	my $wl = diag_one($r, 'hibernate-workload') // {};
	is($wl->{resumed}, 'yes', "$name resume: the workload came back");
	is($wl->{verified}, $pages, "$name resume: all $pages workload pages verify");
	my $frames = diag_one($r, 'hibernate-frames') // {};
	ok(defined $frames->{in_use_before} && $frames->{in_use_after} == $frames->{in_use_before},
	   "$name resume: the frames the hibernation took are given back");
	like($r->{out}, $suites ? qr/^# verdict: pass suites=(?!0 )\d+ .* failed=0 .*boot_errors=0 /m :
			  qr/^# verdict: pass .* boot_errors=0 /m,
	     $suites ? "$name resume: the suites pass after it" : "$name resume: the verdict");
	# The TSC restarts at power-on: the phases after the resume, and the
	# total, count only time the kernel ran (no wrapped, huge counts).
	my @huge = grep { /^\s*# timing: .*cycles=(\d+)/ && $1 > 1e13 } @{ $r->{lines} };
	is(scalar @huge, 0, "$name resume: timing lines across the power cycle are sane")
		or diag(join("\n", @huge));
	open($fh, '<:raw', $disk) or die;
	read($fh, $sig, 8);
	close $fh;
	is($sig, "\0" x 8, "$name on the file: the signature is cleared");

	$r = boot_disk($disk, %shape, cmdline => 'ktest=none');
	expect_verdict($r, 33, "$name third boot");
	like($r->{out}, qr/^# resume: none$/m, "$name third boot: # resume: none");
	return $wl;
}

cycle('bios', '1G', 64, 120, 1);
# OVMF: the kernel image and the loader's regions lie in memory its map
# calls reclaimable (the image must hold them: .data, .bss, the stack).
cycle('uefi', '1G', 16, 120, 1);
my $wl6 = cycle('uefi', '6G', 8, 180);
ok(($wl6->{pages_above_4g} // 0) > 0, "uefi 6G: the workload reaches above 4 GiB ($wl6->{pages_above_4g} pages)");

my $r;
$r = boot_disk(undef, cmdline => 'ktest=none snapshot=4M hibernate');
expect_verdict($r, 33, 'no disk');
like($r->{out}, qr/^# hibernate: refused reason=no-disk /m, 'no disk: hibernation refused');

$r = boot_disk(make_disk("$dir/small.img", 1 << 20), cmdline => 'ktest=none snapshot=4M hibernate');
expect_verdict($r, 33, 'a 1 MiB disk');
like($r->{out}, qr/^# hibernate: refused reason=disk-too-small /m, 'a 1 MiB disk: hibernation refused');
like($r->{out}, qr/^# hibernate-workload: pages=1024 verified=1024 resumed=no /m, 'a 1 MiB disk: the workload is untouched');

done_testing();
