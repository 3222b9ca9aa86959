#!/usr/bin/perl
# hibernate-refuse.t: every kind of refusal a resume makes, by name, under
# SeaBIOS at 1 GiB with a small workload. One hibernation (snapshot=4M
# hibernate) gives an image; each case boots on a damaged copy of it:
#   a flipped byte in a data page      -> reason=data (the signature cleared)
#   ... in the pfn list                -> reason=pfn
#   ... in the disk header             -> reason=signature detail=header_crc
#   the file cut short                 -> reason=truncated
#   another --mem                      -> reason=memmap
#   another kernel build (one byte of a read-only string changed in a copy
#   of the ELF, on an ISO of its own)  -> reason=kernel
# Each boot refuses by name, goes on fresh and passes (33); the file is as
# it was before that boot apart from the signature; and the boot's memory
# is a fresh boot's: the resume check gave back every frame it took
# (# resume-frames: leaked=0) and the snapshot step finds as many frames
# in use as on a boot with an empty disk.
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
	return boot(firmware => 'bios', timeout => 90, %o, disk => $disk);
}

# The image, once.
my $pristine = "$dir/pristine.img";
{
	open(my $fh, '>', $pristine) or die;
	truncate($fh, 64 << 20) or die;
	close $fh;
}
my $r = boot_disk($pristine, cmdline => 'ktest=none snapshot=4M hibernate');
is($r->{status}, 125, 'hibernate: powered off') or Boot::show_tail($r);
like($r->{out}, qr/^# hibernate: ok /m, 'hibernate: ok');
my $img = slurp($pristine);
is(substr($img, 0, 8), 'DYNFHIBR', 'the image is signed');

# Its layout, from the image header (image page 0, at byte 4096).
my ($nr_pages, $image_pages) = unpack('Q<Q<', substr($img, 4096 + 24, 16));
my $pfn_pages = int(($nr_pages + 511) / 512);
my $data_first = 1 + $pfn_pages;
my $page_at = sub { 4096 + $_[0] * 4096 };
ok($nr_pages > 1000 && $image_pages > $nr_pages, "layout: $nr_pages pages, $image_pages image pages");

# A fresh boot on an empty disk, for the frames in use.
my $empty = "$dir/empty.img";
spew($empty, "\0" x (1 << 20));
my $fresh = boot_disk($empty, cmdline => 'ktest=none snapshot=1M');
expect_verdict($fresh, 33, 'fresh boot');
my $fresh_used = (diag_one($fresh, 'snapshot-frames') // {})->{in_use_before};
ok(defined $fresh_used, "fresh boot: $fresh_used frames in use at the snapshot");

# An ISO of another kernel build: one byte of a read-only string changed.
my $alt_iso = "$dir/alt.iso";
{
	my $elf = slurp(build_dir() . '/kernel.elf');
	my $s = 'save the machine to the virtio disk and power off';
	my $at = index($elf, $s);
	ok($at > 0 && index($elf, $s, $at + 1) < 0, 'alt kernel: the string once in the ELF');
	substr($elf, $at, 1) = 'S';
	mkdir "$dir/iso"; mkdir "$dir/iso/boot"; mkdir "$dir/iso/boot/grub";
	spew("$dir/iso/boot/kernel.elf", $elf);
	copy('boot/grub.cfg', "$dir/iso/boot/grub/grub.cfg") or die;
	my $st = system("grub-mkrescue -o $alt_iso --install-modules='multiboot2 normal serial " .
			"terminal iso9660 echo test configfile part_msdos' --locales= --fonts= " .
			"--themes= --compress=xz $dir/iso >$dir/alt.log 2>&1");
	is($st, 0, 'alt kernel: ISO built') or diag(slurp("$dir/alt.log"));
}

my @cases = (
	[ 'data', 'data', undef, sub { my $o = $page_at->($data_first + 5) + 1234;
		substr($_[0], $o, 1) = chr(ord(substr($_[0], $o, 1)) ^ 0x40) } ],
	[ 'pfn', 'pfn', undef, sub { my $o = $page_at->(1) + 8 * 3 + 1;
		substr($_[0], $o, 1) = chr(ord(substr($_[0], $o, 1)) ^ 0x01) } ],
	[ 'header', 'signature', 'header_crc', sub {
		substr($_[0], 16, 1) = chr(ord(substr($_[0], 16, 1)) ^ 0x80) } ],
	[ 'truncated', 'truncated', 'disk_sectors', sub {
		$_[0] = substr($_[0], 0, $page_at->($image_pages - 1)) } ],
	[ 'mem', 'memmap', 'memmap_fingerprint', undef, mem => '1100M' ],
	[ 'kernel', 'kernel', 'kernel_build', undef, image => $alt_iso ],
);
for my $c (@cases) {
	my ($name, $kind, $detail, $damage, %shape) = @$c;
	my $bytes = $img;
	$damage->($bytes) if $damage;
	my $disk = "$dir/$name.img";
	spew($disk, $bytes);
	$r = boot_disk($disk, cmdline => 'ktest=none snapshot=1M', %shape);
	expect_verdict($r, 33, "$name: a fresh boot");
	my ($line) = $r->{out} =~ /^# resume: refused (.*)$/m;
	my $f = Boot::parse_fields($line // '');
	is($f->{reason}, $kind, "$name: refused, reason=$kind");
	is($f->{detail}, $detail, "$name: detail=$detail") if defined $detail;
	unlike($r->{out}, qr/^# resume: (ok|loaded)/m, "$name: nothing loaded");
	is((diag_one($r, 'resume-frames') // {})->{leaked}, 0, "$name: the check gave its frames back");
	is((diag_one($r, 'snapshot-frames') // {})->{in_use_before}, $fresh_used,
	   "$name: as many frames in use as on a fresh boot") unless %shape;
	is((diag_one($r, 'snapshot-workload') // {})->{pages}, 256, "$name: the boot's own workload");
	my $after = slurp($disk);
	is(length($after), length($bytes), "$name: the file's size unchanged");
	ok(substr($after, 8) eq substr($bytes, 8), "$name: the file unchanged past the signature");
	is(substr($after, 0, 8), $kind eq 'data' ? "\0" x 8 : substr($bytes, 0, 8),
	   $kind eq 'data' ? "$name: the signature cleared before the load" :
	   "$name: the signature kept (refused before the load)");
}

done_testing();
