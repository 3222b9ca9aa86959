#!/usr/bin/perl
# ktest-select.t: ktest= selects suites, and a name no suite has fails the
# run. A list of only unknown names runs nothing and exits 35 (not 33 like
# ktest=none); a mixed list runs the known suites and still fails; each
# names the unknown suites and every known one in one "# ktest-error:" line.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my %boot = (firmware => 'bios', mem => '256M', timeout => 60);

my $r = boot(%boot, cmdline => 'ktest=nosuchsuite snapshot=0');
expect_verdict($r, 35, 'ktest=nosuchsuite fails');
my $e = diag_one($r, 'ktest-error') // {};
is($e->{unknown}, 'nosuchsuite', 'the unknown suite is named');
like($e->{known} // '', qr/^cmdline,memmap,.*\bframe\b.*,snapshot$/, 'with every known suite, in run order');
is($e->{action}, 'failed', 'and the run fails');
like($r->{out}, qr/^KTAP version 1\n1\.\.0$/m, 'no suite runs');
like($r->{out}, qr/^# verdict: fail suites=0 passed=0 failed=0 skipped=0 boot_errors=1 exit=0x11$/m,
     'the verdict counts the selection as a boot error');
my @lines = @{ $r->{lines} };
my ($at_err) = grep { $lines[$_] =~ /^# ktest-error:/ } 0 .. $#lines;
my ($at_ktap) = grep { $lines[$_] eq 'KTAP version 1' } 0 .. $#lines;
ok(defined $at_err && defined $at_ktap && $at_err < $at_ktap, 'the error comes before the KTAP header');

$r = boot(%boot, cmdline => 'ktest=memmap,nosuch,cmdline,,typo snapshot=0');
expect_verdict($r, 35, 'a mixed list fails');
$e = diag_one($r, 'ktest-error') // {};
is($e->{unknown}, 'nosuch,typo', 'every unknown name, in order, empty ones skipped');
like($r->{out}, qr/^KTAP version 1\n1\.\.2$/m, 'the known suites are planned');
like($r->{out}, qr/^ok 1 cmdline$/m, 'and run (cmdline)');
like($r->{out}, qr/^ok 2 memmap$/m, 'and run (memmap)');
like($r->{out}, qr/^# verdict: fail suites=2 passed=\d+ failed=0 skipped=\d+ boot_errors=1 /m,
     'their cases pass, the run fails');

$r = boot(%boot, cmdline => 'ktest=none snapshot=0');
expect_verdict($r, 33, 'ktest=none passes');
is(scalar(diag_lines($r, 'ktest-error')), 0, 'ktest=none: no error');
like($r->{out}, qr/^KTAP version 1\n1\.\.0$/m, 'ktest=none runs no suite');

$r = boot(%boot, cmdline => 'ktest=memmap snapshot=0');
expect_verdict($r, 33, 'a list of known suites passes');
is(scalar(diag_lines($r, 'ktest-error')), 0, 'a known list: no error');

done_testing();
