#!/usr/bin/perl
# options.t: kernel options from fw_cfg. Unknown options warn and are
# ignored, invalid values are refused with the default kept, and ktest=
# selects suites. The boot still passes, unless ktest= names a suite that
# does not exist (tests/boot/ktest-select.t).
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $r = boot(mem => '256M', cmdline => 'frobnicate=1 section_bits=99 crash=sideways ktest=memmap,nosuchsuite');
expect_verdict($r, 35, 'bad options (an unknown suite fails the run)');
my $b = diag_one($r, 'boot');
is($b && $b->{cmdline}, 'frobnicate=1 section_bits=99 crash=sideways ktest=memmap,nosuchsuite',
   'the fw_cfg command line is reported whole');
my @warn = diag_lines($r, 'cmdline-warning');
is(scalar(@warn), 1, 'one warning');
is($warn[0]{option}, 'frobnicate', 'the unknown option is named');
is($warn[0]{action}, 'ignored', 'and ignored');
my %err = map { $_->{option} => $_ } diag_lines($r, 'cmdline-error');
is($err{section_bits}{value}, '99', 'section_bits=99 refused');
is($err{section_bits}{valid}, '22..32', 'with the valid range');
is($err{section_bits}{default}, '27', 'and the default kept');
is($err{crash}{valid}, 'none|pagefault|divide|ud|gp', 'crash=sideways refused with the choices');
my ($kw) = diag_lines($r, 'ktest-error');
is($kw && $kw->{unknown}, 'nosuchsuite', 'an unknown suite is named');
like($r->{out}, qr/^KTAP version 1\n1\.\.1$/m, 'only the selected suite runs');
like($r->{out}, qr/^ok 1 memmap$/m, 'the selected suite passes');
like($r->{out}, qr/^# verdict: fail .* boot_errors=1 /m, 'the unknown suite is the one error');

$r = boot(mem => '256M', cmdline => 'ktest=none');
expect_verdict($r, 33, 'ktest=none');
like($r->{out}, qr/^KTAP version 1\n1\.\.0$/m, 'ktest=none runs no suite');
like($r->{out}, qr/^# verdict: pass suites=0 /m, 'and passes');

done_testing();
