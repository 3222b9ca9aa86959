#!/usr/bin/perl
# snapshot-corrupt.t: snapshot_corrupt=KIND damages the kernel's own image
# before the restore. Every kind must be refused, before a single page is
# written, with the reason and the field at fault, and RAM left exactly as
# it was; the boot still passes: the refusal asked for is no boot error,
# with the suite "snapshot" checking it or with no suite at all.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my @kinds = (
	{ kind => 'data',     reason => 'data',     field => 'page_crc',           pfn => 1 },
	{ kind => 'pfn',      reason => 'pfn',      field => 'pfn_list',           pfn => 1 },
	{ kind => 'truncate', reason => 'truncate', field => 'image_pages' },
	{ kind => 'magic',    reason => 'magic',    field => 'magic' },
	{ kind => 'memmap',   reason => 'memmap',   field => 'memmap_fingerprint' },
);

for my $k (@kinds) {
	my $name = "snapshot_corrupt=$k->{kind}";
	my $r = boot(mem => '256M', cmdline => "ktest=snapshot snapshot=4M snapshot_corrupt=$k->{kind}");
	expect_verdict($r, 33, $name);
	# "# restore: refused reason=..." (the word "refused" has no value)
	my @refused = map { /^# restore: refused (.*)$/ ? Boot::parse_fields($1) : () } @{ $r->{lines} };
	is(scalar(@refused), 1, "$name: the restore was refused");
	my $rest = $refused[0] // {};
	is($rest->{reason}, $k->{reason}, "$name: reason=$k->{reason}");
	is($rest->{field}, $k->{field}, "$name: field=$k->{field}");
	ok(defined $rest->{pfn}, "$name: the pfn is named ($rest->{pfn})") if $k->{pfn};
	is($rest->{ram_unchanged}, 'yes', "$name: RAM unchanged");
	is((diag_one($r, 'snapshot-frames') // {})->{leaked}, 0, "$name: no frame leaked");
	like($r->{out}, qr/^# verdict: pass .* boot_errors=0 /m, "$name: no boot error");
}

{
	my $name = 'ktest=none snapshot_corrupt=data';
	my $r = boot(firmware => 'bios', mem => '256M', cmdline => 'ktest=none snapshot=4M snapshot_corrupt=data', timeout => 60);
	expect_verdict($r, 33, $name);
	like($r->{out}, qr/^# restore: refused reason=data field=page_crc .*ram_unchanged=yes$/m,
	     "$name: the boot step's restore was refused");
	is(scalar(diag_lines($r, 'snapshot-error')), 0, "$name: no snapshot-error");
	like($r->{out}, qr/^# verdict: pass .* boot_errors=0 /m, "$name: no boot error");
}

done_testing();
