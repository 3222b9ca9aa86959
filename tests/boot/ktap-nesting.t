#!/usr/bin/perl
# ktap-nesting.t: report lines the kernel prints while a suite runs are
# indented to the suite's level, as KUnit nests them. Between a suite's
# "# Subtest:" line and its top-level "ok N name" line, no line starts at
# column 0 with "#": the frame suite's "# frames-warning:" lines (it frees
# bad frames on purpose) come out as "    # frames-warning:". The lines
# before the test plan and the verdict stay at column 0.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $r = boot(firmware => 'bios', mem => '1G', timeout => 90);
expect_verdict($r, 33, 'every suite');
expect_ktap_complete($r, 'every suite');
my @l = @{ $r->{lines} };

my ($suite, @column0, $suites) = (undef);
for my $i (0 .. $#l) {
	if ($l[$i] =~ /^    # Subtest: (\S+)$/) {
		$suite = $1;
		$suites++;
	} elsif (defined $suite && $l[$i] =~ /^(?:not )?ok \d+ \Q$suite\E$/) {
		undef $suite;
	} elsif (defined $suite && $l[$i] =~ /^#/) {
		push @column0, "$suite: $l[$i]";
	}
}
ok($suites && $suites > 10, "found the suites ($suites)");
ok(!defined $suite, 'every suite ended with its result line');
is(scalar(@column0), 0, 'no column-0 report line inside a suite') or diag(join("\n", @column0));

my @warnings = grep { /# frames-warning:/ } @l;
is(scalar(@warnings), 5, 'the frame suite provokes five frames warnings');
is(scalar(grep { /^    # frames-warning: problem="free of a frame not allocated" / } @warnings), 5,
   'each indented to the suite level');

my ($first) = grep { /^\s*# / } @l;
like($first, qr/^# boot: /, '# boot: is the first report line, at column 0');
like($r->{out}, qr/^# sections: bits=/m, 'the report lines before the plan stay at column 0');
like($l[-1], qr/^# verdict: pass /, 'the verdict is the last line, at column 0');

done_testing();
