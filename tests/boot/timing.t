#!/usr/bin/perl
# timing.t: "# timing: phase=NAME cycles=C us=U" for each boot phase, in
# the order the boot runs them, each suite as ktest:SUITE, the shell, and
# phase=total just before the verdict. The phases before the TSC's rate is
# known are printed once it is; us agrees with cycles and the measured
# tsc_hz; the phases add up to no more than the total.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $r = boot(firmware => 'bios', mem => '1G', timeout => 60, stdin => '',
	     cmdline => 'ktest=memmap,cmdline snapshot=1M shell shell_idle=1');
expect_verdict($r, 33, 'a boot with two suites and the shell');
my @t = diag_lines($r, 'timing');
my @names = map { $_->{phase} } @t;
my @early = qw(console cmdline memmap frames paging acpi sections);
my $at = 0;
for my $want (@early, 'pageflags', 'tsc', 'hotplug', 'snapshot', 'ktest:cmdline', 'ktest:memmap', 'shell', 'total') {
	my ($i) = grep { $names[$_] eq $want } $at .. $#names;
	ok(defined $i, "phase=$want, in boot order") or diag("phases: @names");
	$at = $i + 1 if defined $i;
}
is(scalar(grep { $_ eq 'total' } @names), 1, 'one total');
my @l = @{ $r->{lines} };
like($l[-2] // '', qr/^# timing: phase=total /, 'the total comes just before the verdict');
like($l[-1] // '', qr/^# verdict: pass /, 'which is the last line');

my $hz = (diag_one($r, 'snapshot-bandwidth') // {})->{tsc_hz};
ok($hz && $hz > 0, 'the TSC rate is known');
my ($sum, $total, $bad) = (0, 0, 0);
for my $p (@t) {
	my $us = int($p->{cycles} * 1e6 / $hz);
	$bad++ unless abs($p->{us} - $us) <= 1;
	if ($p->{phase} eq 'total') { $total = $p->{cycles} } else { $sum += $p->{cycles} }
}
is($bad, 0, 'every us= is cycles / tsc_hz');
ok($total > 0 && $sum <= $total, "the phases ($sum cycles) fit in the total ($total)");
ok($sum >= $total * 0.99, 'and leave almost nothing out of it');
my $ms = (grep { $_->{phase} eq 'tsc' } @t)[0]{us} / 1000;
ok($ms >= 45 && $ms < 1000, "phase=tsc is the PIT calibration, 5 x 10 ms ($ms ms)");

# The early phases are printed once the rate is known: after phase=tsc
# ends, together, before the snapshot's lines and the KTAP header.
my @at = grep { $l[$_] =~ /^# timing: phase=(console|tsc) / } 0 .. $#l;
my ($snap) = grep { $l[$_] =~ /^# snapshot-workload:/ } 0 .. $#l;
my ($ktap) = grep { $l[$_] eq 'KTAP version 1' } 0 .. $#l;
ok(@at == 2 && !grep({ $l[$_] !~ /^# timing: / } $at[0] .. $at[1]) && $at[1] < $snap && $snap < $ktap,
   'console .. tsc are printed together before the snapshot step');
my ($pf) = grep { $l[$_] =~ /^# pageflags: mode=all/ } 0 .. $#l;
ok($at[0] > $pf, 'after the boot steps they time');

done_testing();
