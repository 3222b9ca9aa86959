#!/usr/bin/perl
# hibernate-memory.t: what a hibernation takes and gives back, and when
# memory is too short for it, under SeaBIOS:
#   1. 512 MiB, snapshot=0 hibernate, the suites left on: the resumed
#      kernel gives back exactly the frames the hibernation took
#      (# hibernate-frames: in_use_after == in_use_before), and the suites
#      it then runs pass; the list buffers' directories are in the image,
#      so the give-back frees no frame still in use;
#   2. 64 MiB, snapshot=64M hibernate: no room for the workload; without a
#      disk the hibernation is refused and the boot passes, with a disk the
#      machine hibernates without a workload and resumes (pages=0);
#   3. 128 MiB: a 64 MiB workload would give an image that no resume on
#      this machine could load (it needs a free frame per image page, and
#      the image's own frames are not free): the hibernation is refused,
#      reason=no-memory-resume need=N have=M, N > M, nothing is written, the
#      workload verifies and every frame is given back; a 60 MiB workload
#      fits, hibernates and resumes.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);

sub boot_disk {
	my ($disk, %o) = @_;
	return boot(firmware => 'bios', timeout => 120, %o, disk => $disk);
}

sub signature {
	open(my $fh, '<:raw', $_[0]) or die "$_[0]: $!";
	read($fh, my $sig, 8);
	return $sig;
}

# Hibernate with `cmdline` on a new disk, then boot again on it; the two
# results.
sub hibernate_and_resume {
	my ($name, $mem, $cmdline) = @_;
	my $disk = make_disk("$dir/$name.img", 128 << 20);
	my $r = boot_disk($disk, mem => $mem, cmdline => $cmdline);
	is($r->{status}, 125, "$name: powered off") or Boot::show_tail($r);
	like($r->{out}, qr/^# hibernate: ok /m, "$name: hibernate ok");
	my $back = boot_disk($disk, mem => $mem, cmdline => 'ktest=none');
	expect_verdict($back, 33, "$name: resumed");
	like($back->{out}, qr/^# resume: ok .*generation=1 /m, "$name: # resume: ok");
	return ($r, $back);
}

# 1. The frames after a resume, and the suites.
{
	my (undef, $back) = hibernate_and_resume('give-back', '512M', 'snapshot=0 hibernate');
	my $f = diag_one($back, 'hibernate-frames') // {};
	ok(defined $f->{in_use_before}, "give-back: # hibernate-frames after the resume");
	is($f->{in_use_after}, $f->{in_use_before},
	   "give-back: the frames in use are those of before the hibernation ($f->{in_use_before})");
	unlike($back->{out}, qr/^# frames-warning:/m, 'give-back: no free of a frame not allocated');
	like($back->{out}, qr/^# verdict: pass suites=(?!0 )\d+ .* failed=0 /m,
	     'give-back: the suites the saved kernel runs pass');
}

# 2. No room for the workload.
{
	my $r = boot_disk(undef, mem => '64M', cmdline => 'ktest=none snapshot=64M hibernate');
	expect_verdict($r, 33, 'no workload, no disk');
	like($r->{out}, qr/^# hibernate-workload: error=no-memory stage=workload$/m,
	     'no workload, no disk: the workload is refused');
	like($r->{out}, qr/^# hibernate: refused reason=no-disk /m, 'no workload, no disk: hibernation refused');
	like($r->{out}, qr/^# hibernate-workload: pages=0 verified=0 resumed=no /m,
	     'no workload, no disk: an empty workload verifies 0 of 0');

	my ($h, $back) = hibernate_and_resume('no-workload', '64M', 'ktest=none snapshot=64M hibernate');
	like($h->{out}, qr/^# hibernate-workload: error=no-memory /m, 'no workload: the workload is refused');
	like($back->{out}, qr/^# hibernate-workload: pages=0 verified=0 resumed=yes /m,
	     'no workload: resumed with an empty workload');
}

# 3. An image too large for any resume on this machine.
{
	my $disk = make_disk("$dir/too-large.img", 128 << 20);
	my $r = boot_disk($disk, mem => '128M', cmdline => 'ktest=none snapshot=64M hibernate');
	expect_verdict($r, 33, 'too large');
	my ($line) = $r->{out} =~ /^# hibernate: refused reason=no-memory-resume (.*)$/m;
	ok(defined $line, 'too large: refused, reason=no-memory-resume');
	my $f = Boot::parse_fields($line // '');
	ok(($f->{need} // 0) > ($f->{have} // 0), "too large: need=$f->{need} > have=$f->{have}");
	like($r->{out}, qr/^# hibernate-workload: pages=16384 verified=16384 resumed=no /m,
	     'too large: the workload is untouched');
	is((diag_one($r, 'hibernate-frames') // {})->{leaked}, 0, 'too large: every frame given back');
	is(signature($disk), "\0" x 8, 'too large: nothing written');
	my $next = boot_disk($disk, mem => '128M', cmdline => 'ktest=none snapshot=0');
	expect_verdict($next, 33, 'too large: next boot');
	like($next->{out}, qr/^# resume: none$/m, 'too large: next boot finds no image');

	my (undef, $back) = hibernate_and_resume('fits', '128M', 'ktest=none snapshot=60M hibernate');
	like($back->{out}, qr/^# hibernate-workload: pages=15360 verified=15360 resumed=yes /m,
	     'fits: the 60 MiB workload comes back');
}

done_testing();
