#!/usr/bin/perl
# cmdline-fwcfg.t: crafted fw_cfg command lines (opt/dynflags/cmdline from a
# file). A line too long is cut at a word's end and the cut word is named,
# never used as a shorter value; a NUL byte inside the line separates words
# and is reported; bytes outside printable ASCII reach the report only as
# \xNN. "# boot:" stays the first report line.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use File::Temp qw(tempfile);
use Test::More;

sub boot_with_file {
	my ($bytes) = @_;
	my ($fh, $name) = tempfile(UNLINK => 1);
	binmode $fh;
	print $fh $bytes;
	close $fh;
	return boot(firmware => 'bios', mem => '256M', timeout => 60,
		    extra => [ '-fw_cfg', "name=opt/dynflags/cmdline,file=$name" ]);
}

# The report lines from "# boot:" on.
sub report { my ($r) = @_; my $at = index($r->{out}, '# boot:'); $at < 0 ? '' : substr($r->{out}, $at) }

sub first_report_line_is_boot {
	my ($r, $name) = @_;
	my ($first) = grep { /^# / } @{ $r->{lines} };
	like($first // '', qr/^# boot: /, "$name: # boot: is the first report line");
}

# 2035 spaces and snapshot=1024K: 2049 bytes, of which 2047 fit.
my $r = boot_with_file((' ' x 2035) . 'snapshot=1024K');
expect_verdict($r, 33, 'a truncated line');
first_report_line_is_boot($r, 'truncated');
my $w = diag_one($r, 'cmdline-warning') // {};
is($w->{problem}, 'fw_cfg command line truncated', 'the truncation is reported');
is($w->{bytes}, 2049, 'with the size of the fw_cfg file');
is($w->{dropped}, 'snapshot=102', 'and the cut word, which is dropped');
is((diag_one($r, 'snapshot-workload') // {})->{pages}, 4096,
   'the cut word is not used: snapshot= keeps its default 16M');
is(scalar(grep { /^# cmdline-error:/ } @{ $r->{lines} }), 0, 'no option error from a cut value');

# A NUL byte inside the line separates words; a final one just ends it.
$r = boot_with_file("ktest=none\0snapshot=0\0");
expect_verdict($r, 33, 'a NUL inside the line');
first_report_line_is_boot($r, 'NUL');
$w = diag_one($r, 'cmdline-warning') // {};
is($w->{problem}, 'NUL byte in fw_cfg command line', 'the NUL byte is reported');
is($w->{nuls}, 1, 'once (the final NUL ends the line)');
is($w->{action}, 'separator', 'and read as a space');
is((diag_one($r, 'boot') // {})->{cmdline}, 'ktest=none snapshot=0', 'the line as the kernel reads it');
like($r->{out}, qr/^KTAP version 1\n1\.\.0$/m, 'the word before the NUL is used (ktest=none)');
is(scalar(diag_lines($r, 'snapshot')), 0, 'and the word after it (snapshot=0)');

# Bytes outside printable ASCII, a quote and a backslash.
$r = boot_with_file("ktest=none snapshot=0 caf\xc3\xa9=1 q\"x\\=\x01");
expect_verdict($r, 33, 'bytes outside printable ASCII');
my $report = report($r);
unlike($report, qr/[^\x20-\x7e\n]/, 'the report from # boot: on is printable ASCII');
like($report, qr/^# boot: .* cmdline="ktest=none snapshot=0 caf\\xc3\\xa9=1 q\\x22x\\x5c=\\x01"$/m,
     'the # boot: line shows them as \xNN');
my %opt = map { $_->{option} => 1 } diag_lines($r, 'cmdline-warning');
ok($opt{'caf\xc3\xa9'}, 'an unknown option is named escaped');
ok($opt{'q\x22x\x5c'}, 'a quote and a backslash too');
$r = boot_with_file("ktest=memmap,b\xffd snapshot=0");
expect_verdict($r, 35, 'an unknown suite with a byte outside ASCII');
is((diag_one($r, 'ktest-error') // {})->{unknown}, 'b\xffd', 'the # ktest-error: line escapes it');

done_testing();
