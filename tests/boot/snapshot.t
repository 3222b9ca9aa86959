#!/usr/bin/perl
# snapshot.t: the snapshot -> scramble -> restore cycle with snapshot=64M,
# at 1 GiB and at 6 GiB (where the workload should reach above 4 GiB). The
# cycle is a boot step; each boot runs only the suite "snapshot", which
# checks what the step did, every kind of damage on a small image, and
# allocation failures at each step. Then a snapshot of a third of RAM,
# the step with no suite at all (ktest=none), and snapshot=0, which skips it.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $pages = 64 * 2**20 / 4096;                  # 16384
my $image_pages = 1 + $pages / 512 + $pages + $pages / 1024;

for my $s ({ mem => '1G', above_4g => 0 }, { mem => '6G', above_4g => 1 }) {
	my $name = "snapshot=64M at $s->{mem}";
	my $r = boot(mem => $s->{mem}, cmdline => 'ktest=snapshot snapshot=64M', timeout => 300);
	expect_verdict($r, 33, $name);
	expect_ktap_complete($r, $name);

	my $w = diag_one($r, 'snapshot-workload') // {};
	is($w->{pages}, $pages, "$name: the workload has $pages pages");
	if ($s->{above_4g}) {
		# RAM is [0, 2 GiB) and [4 GiB, 8 GiB): spread evenly, about half
		# of the workload must lie above 4 GiB.
		cmp_ok($w->{pages_above_4g} // 0, '>', $pages / 3, "$name: much of it lies above 4 GiB");
		cmp_ok(hexval($w->{last_pfn} // 0), '>=', 0x100000, "$name: up to pfn $w->{last_pfn}");
	}

	my $snap = diag_one($r, 'snapshot') // {};
	is($snap->{pages}, $pages, "$name: snapshot saved every page");
	is($snap->{image_pages}, $image_pages, "$name: image of $image_pages pages");
	is($snap->{image_bytes}, $image_pages * 4096, "$name: image_bytes");
	cmp_ok($snap->{cycles} // 0, '>', 0, "$name: snapshot cycles measured");

	my $bw = diag_one($r, 'snapshot-bandwidth') // {};
	cmp_ok($bw->{copy_mib_s} // 0, '>', 0, "$name: copy bandwidth");
	cmp_ok($bw->{memcpy_mib_s} // 0, '>', 0, "$name: memcpy baseline");
	like($bw->{ratio} // '', qr/^\d+\.\d\d$/, "$name: ratio");
	cmp_ok($bw->{tsc_hz} // 0, '>', 100_000_000, "$name: TSC calibrated against the PIT");

	my $rest = diag_one($r, 'restore') // {};
	is($rest->{pages}, $pages, "$name: restore wrote every page");
	is($rest->{verified}, $pages, "$name: every page verified against its CRC");
	unlike($r->{out}, qr/^# restore: refused/m, "$name: not refused");

	my $f = diag_one($r, 'snapshot-frames') // {};
	is($f->{leaked}, 0, "$name: every frame given back");
}

# A snapshot of a third of the usable RAM (256 MiB of 734 MiB at 1 GiB):
# the workload takes about 22 frames of every 64-page group of RAM, so no
# free run is longer than about 42 frames, and an index in one run (129
# frames) would not fit; its index is single frames under a directory.
{
	my $name = 'snapshot=256M at 1G';
	my $pages = 256 * 2**20 / 4096;
	my $r = boot(mem => '1G', cmdline => 'ktest=none snapshot=256M', timeout => 120);
	expect_verdict($r, 33, $name);
	is(scalar(diag_lines($r, 'snapshot-abort')), 0, "$name: not aborted");
	is((diag_one($r, 'snapshot') // {})->{pages}, $pages, "$name: the snapshot saved $pages pages");
	is((diag_one($r, 'restore') // {})->{verified}, $pages, "$name: every page restored and verified");
	is((diag_one($r, 'snapshot-frames') // {})->{leaked}, 0, "$name: every frame given back");
}

# ktest=none runs no suite, but the snapshot step still runs (16M default).
{
	my $name = 'ktest=none';
	my $pages = 16 * 2**20 / 4096;
	my $r = boot(firmware => 'bios', mem => '1G', cmdline => 'ktest=none', timeout => 60);
	expect_verdict($r, 33, $name);
	like($r->{out}, qr/^KTAP version 1\n1\.\.0$/m, "$name: no suite runs");
	is((diag_one($r, 'snapshot') // {})->{pages}, $pages, "$name: the snapshot step saved $pages pages");
	my $rest = diag_one($r, 'restore') // {};
	is($rest->{pages}, $pages, "$name: restore wrote every page");
	is($rest->{verified}, $pages, "$name: every page verified");
	is((diag_one($r, 'snapshot-frames') // {})->{leaked}, 0, "$name: every frame given back");
	is(scalar(diag_lines($r, 'snapshot-error')), 0, "$name: no snapshot-error");
	like($r->{out}, qr/^# verdict: pass .* boot_errors=0 /m, "$name: no boot error");
	# The step comes right after the page flags, before the KTAP document.
	like($r->{out}, qr/^# pageflags: mode=all .*?^# snapshot-workload: .*?^# restore: .*?^KTAP version 1$/ms,
	     "$name: after the page flags, before the suites");
}

# snapshot=0 skips the step: no snapshot line at all.
{
	my $name = 'ktest=none snapshot=0';
	my $r = boot(firmware => 'bios', mem => '1G', cmdline => 'ktest=none snapshot=0', timeout => 60);
	expect_verdict($r, 33, $name);
	is(scalar(grep { /^# (snapshot|restore)[a-z-]*:/ } @{ $r->{lines} }), 0, "$name: no snapshot or restore line");
}

done_testing();
