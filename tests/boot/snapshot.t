#!/usr/bin/perl
# snapshot.t: the snapshot -> scramble -> restore cycle with snapshot=64M,
# at 1 GiB and at 6 GiB (where the workload should reach above 4 GiB). Each
# boot runs only the suite "snapshot": the option-driven cycle, every kind
# of damage on a small image, and allocation failures at each step.
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

done_testing();
