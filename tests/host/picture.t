#!/usr/bin/perl
# tests/host/picture.t: tools/picture draws a known report correctly and
# rejects bad input with a clear message and a non-zero exit.
#
# The reports are tests/fixtures/report-*.txt. The SVG's structure is checked
# through the classes and data- attributes tools/picture puts on what it
# draws, so the test needs no PNG converter (one PNG check runs only when
# rsvg-convert is installed).

use strict;
use warnings;
no warnings 'portable';
use Test::More;
use FindBin qw($Bin);
use File::Temp qw(tempdir);

my $root     = "$Bin/../..";
my $picture  = "$root/tools/picture";
my $fixtures = "$root/tests/fixtures";
my $tmp      = tempdir(CLEANUP => 1);

my %COLOUR = (
	'usable' => '#4daf4a', 'reclaimable' => '#b8e186', 'acpi-reclaim' => '#fdb863',
	'acpi-nvs' => '#e66101', 'reserved' => '#9e9e9e', 'mmio' => '#8073ac',
);

sub slurp { my ($f) = @_; open(my $fh, '<', $f) or die "$f: $!"; local $/; return scalar <$fh>; }
sub spew { my ($f, $text) = @_; open(my $fh, '>', $f) or die "$f: $!"; print $fh $text; close $fh; }

# Runs tools/picture with the given arguments and input file (or undef for
# none); returns (exit status, stdout, stderr).
sub run_picture {
	my ($input, @args) = @_;
	my $cmd = join ' ', map { "'$_'" } $picture, @args;
	$cmd .= " < '$input'" if defined $input;
	my $out = `$cmd 2>'$tmp/stderr'`;
	return ($? >> 8, $out, slurp("$tmp/stderr"));
}

# Renders a report file to an SVG and returns its text.
sub render {
	my ($report, $name) = @_;
	my $svg = "$tmp/$name.svg";
	my ($status, $out, $err) = run_picture(undef, '--no-png', '-o', $svg, $report);
	is($status, 0, "$name: tools/picture exits 0") or diag($err);
	like($out, qr/wrote \Q$svg\E/, "$name: says where it wrote the SVG");
	return -e $svg ? slurp($svg) : '';
}

# The tags of the SVG must nest properly: a cheap well-formedness check.
sub balanced {
	my ($svg) = @_;
	my @stack;
	while ($svg =~ /<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g) {
		my ($close, $tag, $empty) = ($1, $2, $3);
		next if $empty;
		if ($close) { return "unexpected </$tag>" unless @stack && pop(@stack) eq $tag; }
		else { push @stack, $tag; }
	}
	return @stack ? "unclosed <$stack[-1]>" : '';
}

sub memmap_lines {
	my ($report) = @_;
	my $text = slurp($report);
	my @lines;
	push @lines, [hex($1), hex($2), $3]
		while $text =~ /^# memmap: start=(0x[0-9a-f]+) end=(0x[0-9a-f]+) type=(\S+)/mg;
	return @lines;
}

sub attrs { my ($tag) = @_; return { $tag =~ /([\w:-]+)="([^"]*)"/g }; }

# Every element whose class list begins with $class, as attribute hashes.
sub elements {
	my ($svg, $tagname, $class) = @_;
	return map { attrs($_) } $svg =~ /(<$tagname class="\Q$class\E(?:[ "])[^>]*>)/g;
}

# ------------------------------------------------------ 6 GiB machine ---
{
	my $report = "$fixtures/report-6g.txt";
	my $svg = render($report, '6g');
	is(balanced($svg), '', '6g: SVG tags nest properly');
	like($svg, qr/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/, '6g: an SVG document');

	my @want = memmap_lines($report);
	my @rects = elements($svg, 'rect', 'memmap');
	is(scalar @rects, scalar @want, '6g: one memory-map rectangle per memmap line');
	for my $i (0 .. $#want) {
		my ($start, $end, $type) = @{$want[$i]};
		my $r = $rects[$i] // {};
		my $ok = ($r->{'data-start'} // '') eq sprintf('0x%x', $start)
			&& ($r->{'data-end'} // '') eq sprintf('0x%x', $end)
			&& ($r->{class} // '') eq "memmap t-$type"
			&& ($r->{fill} // '') eq $COLOUR{$type}
			&& ($r->{width} // 0) >= 1;
		ok($ok, sprintf('6g: range [0x%x, 0x%x) drawn as %s in %s', $start, $end, $type, $COLOUR{$type}));
	}
	# Drawn to scale: the 4 GiB of RAM above 4 GiB is as wide as 32 sections of 128 MiB.
	my ($high) = grep { $_->{'data-start'} eq '0x100000000' } @rects;
	like($svg, qr/<g class="section-run s-present" data-first="0" data-last="15">/,
		'6g: sections 0-15 form one present run');
	like($svg, qr/<g class="section-run s-absent" data-first="16" data-last="31">/,
		'6g: sections 16-31 (the hole below 4 GiB) are absent');
	like($svg, qr/<g class="section-run s-present" data-first="32" data-last="63">/,
		'6g: sections 32-63 are present');
	my @cells = elements($svg, 'rect', 'section');
	is(scalar @cells, 64, '6g: one cell per section in 0-8 GiB');
	ok(abs($high->{width} - 32 * $cells[0]{width} - 32) < 2,
		'6g: to scale: the 4 GiB range is as wide as 32 section cells');

	# Leaves, as the kernel's pageflags-leaves lines report them.
	my @present = $svg =~ /<g class="leaves l-present" data-start-pfn="(0x[0-9a-f]+)" data-end-pfn="(0x[0-9a-f]+)" data-source="reported">/g;
	is_deeply(\@present, ['0x0', '0x80000', '0x100000', '0x200000'],
		'6g: present-only leaves over 0-2 GiB and 4-8 GiB');
	my @all = $svg =~ /<g class="leaves l-all" data-start-pfn="(0x[0-9a-f]+)" data-end-pfn="(0x[0-9a-f]+)" data-source="reported">/g;
	is_deeply(\@all, ['0x0', '0x200000'], '6g: all-possible leaves over every pfn below 8 GiB');
	is(scalar(() = $svg =~ /class="leaf over-ram"/g), 48 + 48, '6g: 48 leaves over RAM in each map');
	is(scalar(() = $svg =~ /class="leaf over-hole"/g), 16, '6g: 16 all-possible leaves over the hole');

	# Labels and legend.
	for my $label ('usable 4 GiB', 'usable 1.42 GiB', '1 GiB', '4 GiB', '8 GiB', '1 TiB', '1 MiB',
	               'present: sections 0-15', 'absent: sections 16-31', '16 leaves over a hole',
	               '48 leaves + 0 inner', '+ 1 header page = 196 KiB', '64 leaves + 0 inner', '+ 1 header page = 260 KiB',
	               'Present-only map: 48 leaves + 0 inner nodes + 1 header page = 196 KiB',
	               'phys_bits 40, virt_bits 48') {
		ok($svg =~ />[^<]*\Q$label\E[^<]*</, "6g: shows the label '$label'");
	}
	my ($legend) = $svg =~ /<g class="legend">(.*?)<\/g>/s;
	for my $type (keys %COLOUR) {
		like($legend // '', qr/<rect class="legend-swatch t-\Q$type\E" [^>]*fill="\Q$COLOUR{$type}\E"/,
			"6g: the legend has $type in $COLOUR{$type}");
	}
	unlike($legend // '', qr/t-persistent|t-unusable/, '6g: the legend lists only the types in the map');
	is(scalar(() = $svg =~ /class="table-row"/g), scalar @want, '6g: the table lists every range');
	ok($svg =~ /<g class="zoom" data-start="0x0" data-end="0x[0-9a-f]+">/, '6g: zooms into low memory');
	unlike($svg, qr/axis-break/, '6g: no hole is large enough to cut out of the axis');
}

# -------------------------------------- 1 GiB with slots and maxmem 8G ---
{
	my $svg = render("$fixtures/report-maxmem.txt", 'maxmem');
	is(balanced($svg), '', 'maxmem: SVG tags nest properly');
	my @srat = elements($svg, 'rect', 'srat');
	is(scalar @srat, 3, 'maxmem: three SRAT ranges');
	my ($hot) = grep { $_->{class} eq 'srat hotplug' } @srat;
	is_deeply([$hot->{'data-start'}, $hot->{'data-end'}], ['0x100000000', '0x340000000'],
		'maxmem: the hotplug range is 4 GiB to 13 GiB');
	like($svg, qr/<g class="section-run s-present" data-first="0" data-last="7">/, 'maxmem: sections 0-7 present');
	like($svg, qr/<g class="section-run s-possible" data-first="32" data-last="103">/,
		'maxmem: sections 32-103 possible');
	like($svg, qr/<g class="leaves l-all" data-start-pfn="0x0" data-end-pfn="0x340000" data-source="reported">/,
		'maxmem: all-possible leaves from the pageflags-leaves lines');
	is(scalar(() = $svg =~ /class="leaf over-hotplug"/g), 72, 'maxmem: 72 leaves over the hotplug range');
	like($svg, qr/>node 0 hotpluggable 9 GiB</, 'maxmem: labels the hotplug range');
	like($svg, qr/fill="url\(#hatch-hotplug\)"/, 'maxmem: hatches the hotplug range');
	like($svg, qr/<pattern id="hatch-hotplug"/, 'maxmem: defines the hatch pattern');
}

# ------------------------------- a cold-plugged DIMM in a hotplug slot ---
{
	my $svg = render("$fixtures/report-dimm.txt", 'dimm');
	is(balanced($svg), '', 'dimm: SVG tags nest properly');
	my @d = elements($svg, 'rect', 'dimm');
	is(scalar @d, 1, 'dimm: one DIMM drawn');
	is_deeply([map { $d[0]{$_} } qw(data-slot data-start data-end fill)],
		[0, '0x100000000', '0x140000000', '#ffd92f'], 'dimm: slot 0, 4 GiB to 5 GiB, in its own colour');
	like($d[0]{title} // $svg, qr/DIMM in slot 0, node 0, coldplug/, 'dimm: its title says slot, node and state');
	# The kernel reports sections 32-39 twice: hotplug-only at first, then
	# present once it has onlined the DIMM. The last state is drawn.
	my $report = slurp("$fixtures/report-dimm.txt");
	is(scalar(() = $report =~ /^# section: nr=32 /mg), 2, 'dimm: the report has section 32 twice');
	like($svg, qr/<g class="section-run s-present" data-first="32" data-last="39">/,
		'dimm: sections 32-39 are drawn present, as their last line says');
	like($svg, qr/>Sections: 16 present, 80 possible;/,
		'dimm: the sizes count them present too (the summary line, printed before, says 8)');
	my ($legend) = $svg =~ /<g class="legend">(.*?)<\/g>/s;
	like($legend // '', qr/<rect class="legend-swatch dimm" [^>]*fill="#ffd92f"/, 'dimm: the legend has the DIMM colour');
	my $plain = render("$fixtures/report-maxmem.txt", 'no-dimm');
	unlike($plain, qr/class="dimm/, 'no # dimm: line: no DIMM row');
	spew("$tmp/bad-dimm.txt", "# dimm: slot=0 start=0x140000000 end=0x100000000 node=0 state=coldplug\n");
	my ($status, undef, $err) = run_picture(undef, '--no-png', '-o', "$tmp/bad-dimm.svg", "$tmp/bad-dimm.txt");
	is($status, 1, 'a reversed DIMM range: exit 1');
	like($err, qr/bad-dimm\.txt:1: dimm range is empty or reversed/, 'a reversed DIMM range: names the line');
}

# ------------------------------------------------ robustness of input ---
{
	my $text = slurp("$fixtures/report-6g.txt");
	my $nr_ranges = () = memmap_lines("$fixtures/report-6g.txt");
	(my $crlf = $text) =~ s/\n/\r\n/g;
	spew("$tmp/crlf.txt", $crlf);
	my $svg = render("$tmp/crlf.txt", 'crlf');
	is(scalar(elements($svg, 'rect', 'memmap')), $nr_ranges, 'CRLF line ends are read');

	spew("$tmp/two-boots.txt", slurp("$fixtures/report-maxmem.txt") . $text);
	$svg = render("$tmp/two-boots.txt", 'two-boots');
	is(scalar(elements($svg, 'rect', 'memmap')), $nr_ranges, 'a log of two boots draws the last one');
	unlike($svg, qr/class="srat/, 'nothing of the first boot is left');

	my ($status, $out) = run_picture("$fixtures/report-6g.txt", '--no-png', '-o', "$tmp/stdin.svg");
	is($status, 0, 'reads the report from standard input');
	ok(-s "$tmp/stdin.svg", 'and writes the SVG');

	# Without '# pageflags-leaves:' lines (older kernels) the leaves are
	# derived from the sections, and agree with the kernel's leaves= counts.
	(my $no_leaves = $text) =~ s/^# pageflags-leaves: .*\n//mg;
	spew("$tmp/no-leaves.txt", $no_leaves);
	my ($st, undef, $err) = run_picture(undef, '--no-png', '-o', "$tmp/no-leaves.svg", "$tmp/no-leaves.txt");
	is($st, 0, 'a report without pageflags-leaves lines is drawn');
	$svg = -e "$tmp/no-leaves.svg" ? slurp("$tmp/no-leaves.svg") : '';
	my @derived = $svg =~ /<g class="leaves l-present" data-start-pfn="(0x[0-9a-f]+)" data-end-pfn="(0x[0-9a-f]+)" data-source="derived">/g;
	is_deeply(\@derived, ['0x0', '0x80000', '0x100000', '0x200000'],
		'without them, present-only leaves are derived from the present sections');
	@derived = $svg =~ /<g class="leaves l-all" data-start-pfn="(0x[0-9a-f]+)" data-end-pfn="(0x[0-9a-f]+)" data-source="derived">/g;
	is_deeply(\@derived, ['0x0', '0x200000'], 'and all-possible leaves from max_possible_pfn');
	unlike($err, qr/leaves derived from the sections, the kernel reported/,
		'the derived leaves agree with the leaves= the kernel reported');

	spew("$tmp/newer.txt", <<'EOF');
# cpu: phys_bits=40 virt_bits=48 source=cpuid
# memmap: start=0x0 end=0x40000000 type=usable
# memmap-summary: firmware_entries=3 ranges=1 usable_pages=262144 reserved_pages=0 clipped=0
# srat: start=0x0 end=0x40000000 node=0 hotplug=0 enabled=1
# srat: start=0x0 end=0x0 node=0 hotplug=0 enabled=0
# sections: warning=srat-past-phys-bits ranges=1
# section: nr=0 start=0x0 state=present,online node=0 pages=32768
# sections: bits=27 present=1 possible=1 max_possible_pfn=0x40000 phys_bits=40 table_pages=2
EOF
	$svg = render("$tmp/newer.txt", 'newer');
	is(scalar(elements($svg, 'rect', 'srat')), 1, 'a disabled SRAT entry is not drawn');
	like($svg, qr/>The kernel warned: # sections: warning=srat-past-phys-bits ranges=1</,
		'a warning line of the kernel is shown, not taken for a summary');
	like($svg, qr/<g class="section-run s-present" data-first="0" data-last="0">/,
		'fields this tool does not know are ignored');

	spew("$tmp/huge-hole.txt", <<'EOF');
# cpu: phys_bits=40 virt_bits=48
# memmap: start=0x0 end=0x9f000 type=usable
# memmap: start=0x100000 end=0x80000000 type=usable
# memmap: start=0xfd00000000 end=0x10000000000 type=reserved
EOF
	$svg = render("$tmp/huge-hole.txt", 'huge-hole');
	like($svg, qr/<g class="axis-break" data-start="0x[0-9a-f]+" data-end="0x[0-9a-f]+">/,
		'a huge hole is cut out of the axis');
	like($svg, qr/>hole \d+ GiB cut out</, 'and labelled with its size');
}

# ---------------------------------------------------------- bad input ---
my @bad = (
	['empty log', '', qr/the log is empty/],
	['no memmap lines', "KTAP version 1\n1..1\nok 1 boot\n", qr/no '# memmap:' lines/],
	['garbage bytes', join('', map { chr(($_ * 37 + 11) % 256) } 1 .. 4000), qr/no '# memmap:' lines/],
	['a field that is not a number', "# memmap: start=0x1000 end=0xzz type=usable\n",
		qr/bad\.txt:1: '# memmap:' field end=0xzz is not a number/],
	['a missing field', "# memmap: start=0x1000 type=usable\n", qr/lacks the field end=/],
	['text after the fields', "# memmap: start=0x0 end=0x1000 type=usable what\n", qr/unexpected text ' what'/],
	['an unknown type', "# memmap: start=0x0 end=0x1000 type=ram\n", qr/unknown memory type 'ram'/],
	['an empty range', "# memmap: start=0x2000 end=0x2000 type=usable\n", qr/empty or reversed/],
	['overlapping ranges', "# memmap: start=0x0 end=0x2000 type=usable\n# memmap: start=0x1000 end=0x3000 type=reserved\n",
		qr/bad\.txt:2: .*sorted and disjoint/],
	['a section at the wrong start', "# memmap: start=0x0 end=0x1000 type=usable\n"
		. "# section: nr=1 start=0x0 state=present node=0 pages=1\n# sections: bits=27 present=1 possible=1 max_possible_pfn=0x8000\n",
		qr/section nr=1 should start at 0x8000000/],
	['sections without the summary', "# memmap: start=0x0 end=0x1000 type=usable\n"
		. "# section: nr=0 start=0x0 state=present node=0 pages=1\n", qr/without the '# sections:' summary/],
	['an unknown pageflags mode', "# memmap: start=0x0 end=0x1000 type=usable\n"
		. "# pageflags: mode=some leaves=1 inner=1 bytes=8192 covered_pfns=32768\n", qr/unknown pageflags mode 'some'/],
	['a physical width past 52 bits', "# cpu: phys_bits=64 virt_bits=48\n", qr/phys_bits=64 is outside 32\.\.52/],
);
for my $case (@bad) {
	my ($what, $text, $message) = @$case;
	spew("$tmp/bad.txt", $text);
	unlink "$tmp/bad.svg";
	my ($status, undef, $err) = run_picture(undef, '--no-png', '-o', "$tmp/bad.svg", "$tmp/bad.txt");
	is($status, 1, "bad input ($what): exit status 1");
	like($err, qr/^picture: /, "bad input ($what): the message names the tool");
	like($err, $message, "bad input ($what): says what is wrong");
	ok(!-e "$tmp/bad.svg", "bad input ($what): writes no SVG");
}
{
	my ($status, undef, $err) = run_picture(undef, '-o', "$tmp/x.svg", "$tmp/no-such-log.txt");
	is($status, 1, 'a missing log file: exit status 1');
	like($err, qr/cannot read .*no-such-log\.txt/, 'a missing log file: says so');
	($status, undef, $err) = run_picture(undef, '--no-such-option');
	is($status, 2, 'a bad option: exit status 2');
	like($err, qr/usage: tools\/picture/, 'a bad option: prints the usage');
}

# ----------------------------------------------------------------- PNG ---
SKIP: {
	skip 'rsvg-convert is not installed (librsvg2-bin)', 2
		unless grep { -x "$_/rsvg-convert" } split /:/, $ENV{PATH};
	my ($status, $out) = run_picture(undef, '-o', "$tmp/png.svg", "$fixtures/report-6g.txt");
	like($out, qr/wrote \Q$tmp\E\/png\.png \(with rsvg-convert\)/, 'says which converter made the PNG');
	is(substr(slurp("$tmp/png.png"), 0, 8), "\x89PNG\r\n\x1a\n", 'the PNG is a PNG');
}

done_testing();
