#!/usr/bin/perl
# hibernate-fail-alloc.t: fail_alloc=N in the hibernation and in the
# resume (SeaBIOS, 1 GiB, a 1 MiB workload). The count starts again at
# hibernate()'s first allocation, and at the resume's once an image is
# found (N is past the boot's own allocations before either).
#   Hibernate: each point refuses, "# hibernate: refused reason=no-memory-*",
#   every frame given back (# hibernate-frames: leaked=0), the run passes,
#   nothing was written (the disk is still all zero: no half-written
#   signature), and the next boot says "# resume: none".
#   Resume: each point refuses, "# resume: refused reason=no-memory
#   detail=STAGE", leaked=0, a fresh boot that passes; the signature was
#   cleared before the load, so the next boot says "# resume: none".
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;
use File::Copy qw(copy);
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);

# A SeaBIOS boot with DISK attached as the virtio-blk disk (none if undef).
sub boot_disk {
	my ($disk, %o) = @_;
	return boot(firmware => 'bios', timeout => 60, %o, disk => $disk);
}

sub blank {
	my ($path) = @_;
	open(my $fh, '>', $path) or die "$path: $!";
	truncate($fh, 32 << 20) or die;
	close $fh;
}

sub zero_file {
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or die;
	local $/;
	my $b = <$fh>;
	close $fh;
	return $b !~ /[^\0]/;
}

my $disk = "$dir/hib.img";
for my $n (50, 70, 76) {
	blank($disk);
	my $r = boot_disk($disk, cmdline => "ktest=none snapshot=1M hibernate fail_alloc=$n");
	expect_verdict($r, 33, "hibernate fail_alloc=$n");
	my ($why) = $r->{out} =~ /^# hibernate: refused reason=(\S+) /m;
	like($why // '', qr/^no-memory/, "hibernate fail_alloc=$n: refused, reason=" . ($why // '?'));
	is((diag_one($r, 'hibernate-frames') // {})->{leaked}, 0, "hibernate fail_alloc=$n: leaked=0");
	is((diag_one($r, 'hibernate-workload') // {})->{verified}, 256, "hibernate fail_alloc=$n: the workload intact");
	unlike($r->{out}, qr/^# (exception|panic):/m, "hibernate fail_alloc=$n: no exception");
	ok(zero_file($disk), "hibernate fail_alloc=$n: nothing written to the disk");
	$r = boot_disk($disk, cmdline => 'ktest=none');
	like($r->{out}, qr/^# resume: none$/m, "hibernate fail_alloc=$n: the next boot: # resume: none");
}

# One image for the resume points.
my $pristine = "$dir/pristine.img";
blank($pristine);
my $r = boot_disk($pristine, cmdline => 'ktest=none snapshot=1M hibernate');
is($r->{status}, 125, 'the image: hibernated') or Boot::show_tail($r);
# The image's size says roughly where the last stages are: the safe frames
# take one allocation per data and CRC page (and one per unsafe frame met).
my $image_pages = do {
	open(my $fh, '<:raw', $pristine) or die;
	seek($fh, 4096 + 32, 0);
	read($fh, my $b, 8);
	close $fh;
	unpack('Q<', $b);
};
my %stages;
sub resume_point {
	my ($n, $next) = @_;
	copy($pristine, $disk) or die;
	my $r = boot_disk($disk, cmdline => "ktest=none fail_alloc=$n");
	return 0 if $r->{out} =~ /^# resume: ok /m;
	expect_verdict($r, 33, "resume fail_alloc=$n");
	my ($line) = $r->{out} =~ /^# resume: refused (.*)$/m;
	my $f = Boot::parse_fields($line // '');
	is($f->{reason}, 'no-memory', "resume fail_alloc=$n: refused, reason=no-memory detail=" . ($f->{detail} // '?'));
	$stages{$f->{detail} // '?'}++;
	is((diag_one($r, 'resume-frames') // {})->{leaked}, 0, "resume fail_alloc=$n: leaked=0");
	unlike($r->{out}, qr/^# (exception|panic):/m, "resume fail_alloc=$n: no exception");
	if ($next) {
		$r = boot_disk($disk, cmdline => 'ktest=none');
		expect_verdict($r, 33, "resume fail_alloc=$n: the next boot");
		like($r->{out}, qr/^# resume: none$/m, "resume fail_alloc=$n: the next boot: # resume: none");
	}
	return 1;
}
resume_point($_, 1) for 20, 30, 100;
# Then from just past the data to the first N the resume survives.
my $n = $image_pages + 20;
$n++ while $n < $image_pages + 80 && resume_point($n, 0);
ok($n < $image_pages + 80, "resume: fail_alloc=$n and beyond resume (past its last allocation)");
ok($stages{$_}, "resume: a point in stage $_") for qw(maps index safe-frames copy-list copy-tables);
done_testing();
