#!/usr/bin/perl
# hibernate-dimm.t: the DIMMs present are part of what a hibernation image
# is bound to (the disk header's dimms field: their count and a CRC-32C
# over each one's slot, start, end and node). Under SeaBIOS at 1 GiB with
# two hotplug slots (--slots 2 --maxmem 4G) and a cold-plugged 512 MiB
# DIMM, one hibernation (snapshot=4M hibernate) gives an image; then
#   the same machine, the same DIMM   -> "# resume: ok", the workload
#                                        verifies, the saved kernel passes
#   the same machine without the DIMM -> "# resume: refused reason=memmap
#                                        detail=dimms", expected=0 (none
#                                        here), found the image's count in
#                                        bits 63..32; a fresh boot (33)
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);
my %machine = (firmware => 'bios', slots => 2, maxmem => '4G', timeout => 90);

# A boot of %machine with DISK attached as the virtio-blk disk.
sub boot_disk {
	my ($disk, %o) = @_;
	return boot(%machine, disk => $disk, %o);
}

# The image, with the DIMM.
my $pristine = "$dir/pristine.img";
spew($pristine, "\0" x (64 << 20));
my $r = boot_disk($pristine, dimm => '512M', cmdline => 'ktest=none snapshot=4M hibernate');
is($r->{status}, 125, 'hibernate with a DIMM: powered off') or Boot::show_tail($r);
like($r->{out}, qr/^# dimm: slot=0 .*state=coldplug/m, 'the DIMM was online');
like($r->{out}, qr/^# hibernate: ok /m, 'hibernate: ok');
my $img = slurp($pristine);
is(substr($img, 0, 8), 'DYNFHIBR', 'the image is signed');
# struct hibimg_header: signature, version, header_size, kernel_build,
# memmap_fingerprint, dimms (byte 32).
my $dimms = unpack('Q<', substr($img, 32, 8));
is($dimms >> 32, 1, 'the header records one DIMM');
ok(($dimms & 0xffffffff) != 0, sprintf('... and its fingerprint (0x%x)', $dimms));

# The same DIMM: the saved kernel continues.
spew("$dir/same.img", $img);
$r = boot_disk("$dir/same.img", dimm => '512M', cmdline => 'ktest=none snapshot=1M');
like($r->{out}, qr/^# resume: ok /m, 'same DIMM: resume: ok') or Boot::show_tail($r);
like($r->{out}, qr/^# hibernate-workload: .*resumed=yes/m, 'same DIMM: the workload came back');
my ($w) = $r->{out} =~ /^# hibernate-workload: pages=(\d+) verified=(\d+) resumed=yes/m;
is($2, $1, 'same DIMM: every workload page verified') if defined $w;
expect_verdict($r, 33, 'same DIMM: the saved kernel passes');

# Without the DIMM: refused by name, a fresh boot.
spew("$dir/none.img", $img);
$r = boot_disk("$dir/none.img", cmdline => 'ktest=none snapshot=1M');
expect_verdict($r, 33, 'no DIMM: a fresh boot');
my ($line) = $r->{out} =~ /^# resume: refused (.*)$/m;
my $f = Boot::parse_fields($line // '');
is($f->{reason}, 'memmap', 'no DIMM: reason=memmap');
is($f->{detail}, 'dimms', 'no DIMM: detail=dimms');
is($f->{expected}, '0x0', 'no DIMM: expected no DIMMs');
{ no warnings "portable"; is(hex($f->{found} // 0), $dimms, "no DIMM: found the image's DIMMs"); }
unlike($r->{out}, qr/^# resume: ok/m, 'no DIMM: nothing loaded');
is((diag_one($r, 'resume-frames') // {})->{leaked}, 0, 'no DIMM: the check gave its frames back');
is(substr(slurp("$dir/none.img"), 0, 8), 'DYNFHIBR', 'no DIMM: the signature kept (refused before the load)');

done_testing();
