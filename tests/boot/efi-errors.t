#!/usr/bin/perl
# efi-errors.t: the GNU-EFI loader refuses broken kernels with one clear
# line naming the problem and the EFI status, then leaves QEMU through
# isa-debug-exit 0x12 (status 37) before the kernel could run.
#
# The fixtures are made from the real kernel.elf by tests/fixtures/mkbad.pl
# (mk/efi.mk). A kernel placed where memory is never free (the legacy VGA
# window) can only be caught by the firmware, so it is tested here; the
# header errors are all tested on the host (boot/efi/elf_test.c) and one of
# them here, end to end.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my @cases = (
	[ 'overlap', qr/^dynflags-efi-loader: error: segment 0xA0000-0x[0-9A-F]+ overlaps non-free memory: EFI_NOT_FOUND$/mi ],
	[ 'magic',   qr/^dynflags-efi-loader: error: \\kernel\.elf: wrong magic \(not an ELF file\).*: EFI_LOAD_ERROR$/m ],
);

for my $c (@cases) {
	my ($kind, $want) = @$c;
	my $img = build_dir() . "/efi-bad-$kind.img";
	SKIP: {
		skip "no $img (make check-boot builds it)", 3 unless -f $img;
		my $r = boot(image => $img, mem => '256M', timeout => 60);
		expect_verdict($r, 37, "bad kernel ($kind)");
		like($r->{out}, $want, "bad kernel ($kind): the error is named");
		unlike($r->{out}, qr/^# boot:/m, "bad kernel ($kind): the kernel never ran");
	}
}

done_testing();
