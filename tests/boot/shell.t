#!/usr/bin/perl
# shell.t: a scripted session with the serial shell (option `shell`),
# good input and bad. Every bad line gets one "error:" line and the prompt
# again; the session ends cleanly, with every frame given back.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

# 1 GiB on q35/OVMF, 40-bit CPU: pfns below 0x10000000 are in range; RAM
# ends below 0x40000, so 0x7000000 is in range but holds no memory.
my @script = (
	[ 'help',                   qr/^  memmap .*^  pfn PFN .*^  flags new .*^  alloc N .*^  exit /ms ],
	[ 'memmap',                 qr/^# memmap: start=0x0 .*^# memmap-summary: /ms ],
	[ 'sections',               qr/^# section: nr=0 start=0x0 state=present,online .*^# sections: bits=27 present=8 /ms ],
	[ 'section 0',              qr/^section: nr=0 start=0x0 end=0x8000000 state=present,online node=0 pages=\d+ subsections_present=0x/m ],
	[ 'section 99999999999',    qr/^error: section: no section "99999999999"/m ],
	[ 'pfn 0x100',              qr/^pfn: pfn=0x100 phys_addr=0x100000 type=\S+ .* section=0 state=present,online pfn_valid=1 leaf=0 word=4 bit=0 /m ],
	[ 'pfn 0x7000000',          qr/^pfn: pfn=0x7000000 .*type=none section=3584 state=absent pfn_valid=0 /m ],
	[ 'pfn 0x10000000',         qr/^error: pfn: pfn 0x10000000 out of range \(phys_bits=40/m ],
	[ 'pfn',                    qr/^error: pfn: missing arguments; usage: pfn PFN/m ],
	[ 'pfn 12abc',              qr/^error: pfn: "12abc" is not a number/m ],
	[ 'flags new present',      qr/^flags: map=0 mode=present leaves=8 /m ],
	[ 'flags new all',          qr/^flags: map=1 mode=all /m ],
	[ 'flags new sometimes',    qr/^error: flags new: mode must be present or all/m ],
	[ 'flags set 0 0x100',      qr/^flags: map=0 pfn=0x100 bit=1$/m ],
	[ 'flags set 0 0x7000000',  qr/^error: flags set: map 0 pfn 0x7000000: not-present$/m ],
	[ 'flags set 1 0x3ff00',    qr/^flags: map=1 pfn=0x3ff00 bit=1$/m ],
	[ 'flags test 0 0x100',     qr/^flags: map=0 pfn=0x100 bit=1$/m ],
	[ 'flags test 0 0x101',     qr/^flags: map=0 pfn=0x101 bit=0$/m ],
	[ 'flags next 0 0',         qr/^flags: map=0 from=0x0 next=0x100$/m ],
	[ 'flags next 0 0x101',     qr/^flags: map=0 from=0x101 next=none$/m ],
	[ 'flags count 0',          qr/^flags: map=0 count=1$/m ],
	[ 'pfn 0x100',              qr/^pfn: pfn=0x100 .* map0=1 map1=0$/m ],
	[ 'flags clear 0 0x100',    qr/^flags: map=0 pfn=0x100 bit=0$/m ],
	[ 'flags count 0',          qr/^flags: map=0 count=0$/m ],
	[ 'flags free 1',           qr/^flags: map=1 freed_bytes=\d+$/m ],
	[ 'flags test 1 0',         qr/^error: flags: map 1 is free/m ],
	[ 'flags test 7 0',         qr/^error: flags: no map "7"/m ],
	[ 'flags set 0',            qr/^error: flags: missing arguments/m ],
	[ 'flags frob',             qr/^error: flags: unknown subcommand "frob"/m ],
	[ 'flags',                  qr/^error: flags: missing subcommand/m ],
	[ 'alloc 5',                qr/^alloc: frames=5 first_pfn=0x[0-9a-f]+ last_pfn=0x[0-9a-f]+ held=5$/m ],
	[ 'alloc many',             qr/^error: alloc: "many" is not a frame count/m ],
	[ 'alloc 0',                qr/^error: alloc: "0" is not a frame count/m ],
	[ 'dimm',                   qr/^dimm: slots=0 dimms=0$/m ],
	[ 'dimm alloc 0 1',         qr/^error: dimm: alloc: this machine has no memory-hotplug slots /m ],
	[ 'stats',                  qr/^# frames: total=\d+ .*^stats: held_by_alloc=5 shell_maps=1$/ms ],
	[ 'restore',                qr/^error: restore: no snapshot/m ],
	[ 'snapshot 4M',            qr/^snapshot: pages=1024 image_pages=\d+ cycles=\d+ scrambled=yes$/m ],
	[ 'snapshot 4M',            qr/^error: snapshot: one is taken already/m ],
	[ 'restore',                qr/^restore: pages=1024 cycles=\d+ verified=1024$/m ],
	[ 'snapshot lots',          qr/^error: snapshot: "lots" is not a size/m ],
	[ 'snapshot 1K',            qr/^error: snapshot: "1K" is not a size/m ],
	[ 'frobnicate now',         qr/^error: unknown command "frobnicate" \(type help\)$/m ],
	[ 'x' x 300,                qr/^error: line too long \(at most 127 characters\)$/m ],
	[ "pfnn\x7f 0x100",         qr/^pfn: pfn=0x100 /m ],            # backspace edits the line
	[ 'a b c d e f g',          qr/^error: too many words \(at most 6\)$/m ],
	[ '',                       qr/^$/ ],                            # an empty line: just the prompt
	[ 'snapshot 1M',            qr/^snapshot: pages=256 /m ],        # left for exit to give back
	[ 'exit',                   qr/^# shell: state=bye /m ],
);

my $r = boot_shell(mem => '1G', cmdline => 'ktest=none shell',
		   commands => [ map { $_->[0] } @script ]);
expect_verdict($r, 33, 'shell session');
is(scalar(@{ $r->{answers} }), scalar(@script), 'every command got its answer');
for my $i (0 .. $#script) {
	my ($cmd, $want) = @{ $script[$i] };
	my $shown = length($cmd) > 40 ? substr($cmd, 0, 20) . '... (' . length($cmd) . ' chars)' : $cmd;
	$shown =~ s/\x7f/<BS>/g;
	like($r->{answers}[$i] // '', $want, "answer to '$shown'");
	my @errors = ($r->{answers}[$i] // '') =~ /^error:/mg;
	ok(@errors <= 1, "'$shown': at most one error line");
}
my ($start, $end) = diag_lines($r, 'shell');
is($start->{state}, 'ready', 'the shell says it is ready');
is($start->{idle}, 'apic-timer', 'and sleeps between keys on the local-APIC timer');
is($end->{state}, 'bye', 'and says goodbye');
is($end->{frames_in_use}, $start->{frames_in_use}, 'every frame the session took came back');
unlike($r->{out}, qr/^# exception:/m, 'no exception');
like($r->{out}, qr/^# verdict: pass /m, 'the run ends with its verdict');

# shell_idle=SECONDS: a shell that gets no input ends with its verdict
# instead of waiting for ever (stdin is empty: only the timeout could end it).
my $t0 = time();
$r = boot(firmware => 'bios', mem => '256M', cmdline => 'ktest=none snapshot=0 shell shell_idle=3',
	  stdin => '', timeout => 60);
my $took = time() - $t0;
expect_verdict($r, 33, 'shell_idle=3 without input');
my @idle = grep { defined $_->{seconds} } diag_lines($r, 'shell');
is(scalar(@idle), 1, 'one # shell: idle line');
is($idle[0]{seconds}, 3, 'naming the idle time');
is($idle[0]{action}, 'exit', 'and that the shell ends');
like($r->{out}, qr/^# shell: state=idle seconds=3 action=exit\n# shell: state=bye /m, 'then the shell says goodbye');
ok($took < 45, "and the run ends well before the timeout (${took}s)");
is(scalar(grep { /^# cmdline-/ } @{ $r->{lines} }), 0, 'shell_idle= is an option');

done_testing();
