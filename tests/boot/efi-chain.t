#!/usr/bin/perl
# efi-chain.t: GRUB chainloads the GNU-EFI loader from the CD. The loader's
# device is then the whole CD, which has no UEFI file system, so it reads
# /boot/kernel.elf through ISO 9660 itself; GRUB's arguments arrive as load
# options and come first on the kernel's command line, before fw_cfg's.
#
# efi-chain.iso (mk/efi.mk) is the project's ISO with one more menu entry,
# the default: "chainloader /boot/efi-loader.efi ktest=none
# efi_test=stale_map_key". The last word is the loader's own: it changes
# the memory map after GetMemoryMap, so the first ExitBootServices fails
# with a stale map key and the loader must get the map again and retry.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $iso = build_dir() . '/efi-chain.iso';
plan skip_all => "no $iso (make check-boot builds it)" unless -f $iso;

my $r = boot(image => $iso, mem => '256M', cmdline => 'section_bits=27');
expect_verdict($r, 33, 'chainloaded');
like($r->{out}, qr/^# efi-loader: name=dynflags-efi-loader /m, 'the loader ran');
like($r->{out}, qr{^dynflags-efi-loader: reading /boot/kernel\.elf from the ISO 9660 disk$}m,
     'kernel.elf read through ISO 9660');
my $b = diag_one($r, 'boot');
is($b && $b->{loader}, 'gnu-efi', 'loader=gnu-efi');
is($b && $b->{cmdline}, 'ktest=none section_bits=27',
   'load options first, then the fw_cfg command line');
like($r->{out}, qr/^KTAP version 1\n1\.\.0$/m, 'ktest=none from the load options took effect');
like($r->{out}, qr/^# efi-loader: exit_boot_services=ok tries=2$/m,
     'a stale map key: ExitBootServices failed once, the loader got the map again and retried');
unlike($r->{out}, qr/^# cmdline-warning:/m, 'the loader took its test word out of the kernel command line');

done_testing();
