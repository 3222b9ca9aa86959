#!/usr/bin/perl
# tests/host/doccheck.t: tools/doccheck, without booting. It reads a small
# doc (tests/fixtures/doccheck/doc.md) against a saved serial log of a 6 GiB
# shell boot (--log), and must fail, naming the doc, the line, the expected
# and the real text, when an exact field changes by one character; let a
# drift field move within its tolerance and not beyond; fail on a broken
# link or anchor; and --refresh must put the real values back.

use strict;
use warnings;
use Test::More;
use FindBin qw($Bin);
use File::Copy qw(copy);
use File::Temp qw(tempdir);

my $root     = "$Bin/../..";
my $doccheck = "$root/tools/doccheck";
my $fix      = "$root/tests/fixtures/doccheck";
my $log      = "$fix/6g-shell.log";

# Copies the fixture docs into a fresh directory, applies $edit (a code
# ref on the text of doc.md), runs doccheck with @args there, and returns
# (exit status, output, the doc's text afterwards).
sub run_on {
	my ($edit, @args) = @_;
	my $dir = tempdir(CLEANUP => 1);
	copy("$fix/$_", "$dir/$_") or die "$_: $!" for qw(doc.md other.md img.txt);
	open(my $fh, '<', "$dir/doc.md") or die;
	my $text = do { local $/; <$fh> };
	close $fh;
	local $_ = $text;
	$edit->() if $edit;
	open($fh, '>', "$dir/doc.md") or die;
	print $fh $_;
	close $fh;
	my $out = `cd '$dir' && '$doccheck' --doc doc.md --doc other.md --log 6g-shell='$log' @args 2>&1`;
	my $st = $? >> 8;
	open($fh, '<', "$dir/doc.md") or die;
	my $after = do { local $/; <$fh> };
	return ($st, $out, $after, $text);
}

sub line_of {
	my ($text, $needle) = @_;
	my @l = split /\n/, $text;
	my ($i) = grep { index($l[$_], $needle) >= 0 } 0 .. $#l;
	return defined $i ? $i + 1 : -1;
}

my ($st, $out) = run_on(undef, '--check');
is($st, 0, 'the fixture doc matches its log') or diag($out);

($st, $out) = run_on(undef, '--list');
like($out, qr/^boot 6g-shell +qemu +--mem 6G cmdline="ktest=none shell"/m, '--list names the boot');
is(scalar(() = $out =~ /^(block|expect) doc\.md:/mg), 4, '--list shows the four marks');

# One character of an exact field.
my ($text, $after);
($st, $out, undef, $text) = run_on(sub { s/tables=11/tables=12/ }, '--check');
is($st, 1, 'tables=11 -> 12 fails');
my $n = line_of($text, '# paging:');
like($out, qr/^doc\.md:$n: boot 6g-shell$/m, 'the failure names the doc and the line');
like($out, qr/^   expected: # paging: root=0x9f000 tables=12 /m, 'the expected text');
like($out, qr/^   real:     # paging: root=0x9f000 tables=11 /m, 'the real text');
like($out, qr/\(tables: 12 -> 11\)/, 'and the field');

($st, $out) = run_on(sub { s/word=16 bit=0 \.\.\./word=15 bit=0 .../ }, '--check');
is($st, 1, 'a shell answer with one digit changed fails');
like($out, qr/expected: pfn: pfn=0x100400 .* word=15 .*\n\s+real:\s+pfn: pfn=0x100400 .* word=16 /,
	'naming the real answer line');

($st, $out) = run_on(sub { s/type=usable \.\.\./type=usablE .../ }, '--check');
is($st, 1, 'a one-letter change in a word of the text fails too');

# Drift: root:pages=16 is an address within 16 pages; cycles:any anything.
($st, $out) = run_on(sub { s/root=0x9f000/root=0xaf000/ }, '--check');
is($st, 0, 'root 16 pages away passes') or diag($out);
($st, $out) = run_on(sub { s/root=0x9f000/root=0xb0000/ }, '--check');
is($st, 1, 'root 17 pages away fails');
like($out, qr/\(root: 0xb0000 -> 0x9f000 \(outside pages=16\)\)/, 'and says it is outside the drift');
($st, $out) = run_on(sub { s/ cycles=292379974/ cycles=1/ }, '--check');
is($st, 0, 'a cycle count marked any passes whatever it is') or diag($out);
($st, $out) = run_on(sub { s/image_pages=4109/image_pages=4110/ }, '--check');
is($st, 1, 'but the exact field next to it does not');

# Elisions: "..." lines and "..." inside a line leave text out; a line
# the output lacks fails.
($st, $out) = run_on(sub { s/^\.\.\.\n//m }, '--check');
is($st, 0, 'lines between two block lines need no "..." line') or diag($out);
($st, $out) = run_on(sub { s/^(# sections: .*)$/$1\n# nosuch: a=1/m }, '--check');
is($st, 1, 'a line no output has fails');
like($out, qr/real:     \(no such line in the output of boot 6g-shell\)/, 'and says so');

# An answer given in prose (expect=).
($st, $out) = run_on(sub { s/frames_in_use=127/frames_in_use=128/g }, '--check');
is($st, 1, 'an expect= with the wrong value fails');
like($out, qr/expected: frames_in_use=128\n\s+real:\s+# shell: state=ready frames_in_use=127 /, 'naming the real line');
($st, $out) = run_on(sub { s/has 1433180 usable/has 1433181 usable/ }, '--check');
is($st, 1, 'an expect= whose value the prose does not give fails');
like($out, qr/expect "usable_pages=1433180" is not in the paragraph/, 'and says so');

# Links and anchors.
($st, $out) = run_on(sub { s/\(#the-shell\)/(#the-shel)/ }, '--check');
is($st, 1, 'a broken anchor fails');
like($out, qr/^doc\.md:\d+: link #the-shel: doc\.md has no heading with the anchor #the-shel$/m, 'naming it');
($st, $out) = run_on(sub { s/other\.md#a-heading-with-punctuation-too/other.md#a-heading-with-punctuation/ }, '--check');
is($st, 1, 'an anchor into another page that it lacks fails');
($st, $out) = run_on(sub { s/\(img\.txt\)/(img.png)/ }, '--check');
is($st, 1, 'a link to a missing file fails');
like($out, qr/link img\.png: no file img\.png/, 'naming the file');

# --refresh rewrites stale values from the log, exact and drift alike.
($st, $out, $after, $text) = run_on(sub { s/tables=11/tables=12/; s/ cycles=292379974/ cycles=5/;
	s/frames_in_use=127/frames_in_use=128/g }, '--refresh');
is($st, 0, '--refresh succeeds on stale values') or diag($out);
(my $orig = $text) =~ s/tables=12/tables=11/;
$orig =~ s/ cycles=5/ cycles=292379974/;
$orig =~ s/frames_in_use=128/frames_in_use=127/g;
is($after, $orig, 'and writes back the real values, in the blocks, the expect= and the prose');
like($out, qr/"frames_in_use=128" is now "frames_in_use=127": read the prose around it/,
	'pointing at the prose it changed');

done_testing();
