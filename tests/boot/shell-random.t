#!/usr/bin/perl
# shell-random.t: a long shell session of commands drawn from a fixed seed,
# good and bad mixed: numbers past 64 bits, negative and empty ones, sizes
# out of range, absent maps, DIMM slots that do not exist, injected
# allocation failures. The machine has two hotplug slots (one DIMM
# cold-plugged) and a virtio disk, so every command has something to act on.
# Whatever each command does, it must answer with the prompt again, with at
# most one error line that names the command, and no exception; at exit
# every frame the session took is back. shell.t checks the answers
# themselves on a fixed script.
use strict;
use warnings;
use File::Temp qw(tempdir);
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $SEED = 20261204;
my $NR_COMMANDS = 300;

# pfns and counts around the machine's edges (1 GiB of RAM ends at pfn
# 0x40000, the 40-bit width at 0x10000000) and around the integer limits.
my @numbers = ('0', '1', '7', '00', '0x100', '0x3ffff', '0x40000', '0x7000000',
	'0xFFFFF', '0x10000000', '0x3fffffff', '4294967296', '0xfffffffffffff',
	'0x8000000000000000', '0xffffffffffffffff', '18446744073709551615',
	'18446744073709551616', '0x10000000000000000', '99999999999999999999999',
	'-1', '0x', 'x', '1e3', '');
my @sizes = ('0', '1', '4K', '8K', '4096', '1M', '3M', '4M', '16M', '512M', '1G',
	'64G', '16E', '0M', 'M', '-4M', '0x100000', '17179869184T',
	'99999999999999999999M');

srand($SEED);
sub pick { $_[rand @_] }
sub number { pick(@numbers) }
sub size { pick(@sizes) }
sub pfn_near_ram { sprintf('0x%x', int(rand(0x200000))) }
my @kinds = (
	sub { 'help' }, sub { 'memmap' }, sub { 'sections' }, sub { 'stats' },
	sub { 'section ' . number() },
	sub { 'pfn ' . number() }, sub { 'pfn ' . pfn_near_ram() },
	sub { 'flags new ' . pick(qw(present all some)) },
	sub { 'flags ' . pick(qw(set clear test next)) . ' ' . int(rand(6)) . ' ' . number() },
	sub { 'flags ' . pick(qw(set clear test next)) . ' ' . int(rand(4)) . ' ' . pfn_near_ram() },
	sub { 'flags ' . pick(qw(count free)) . ' ' . pick(0 .. 4, number()) },
	sub { 'flags set 0 ' . number() . ' ' . number() },
	sub { 'snapshot ' . size() }, sub { 'restore' },
	sub { 'alloc ' . pick(number(), int(rand(5000))) },
	sub { 'dimm' }, sub { 'dimm alloc ' . int(rand(3)) . ' ' . pick(number(), int(rand(200000))) },
	sub { 'dimm fail ' . pick(number(), int(rand(40))) },
	sub { 'diskbench ' . pick(size(), '') },
	sub { join(' ', map { number() } 1 .. int(rand(8))) },
);
my @commands = map { pick(@kinds)->() } 1 .. $NR_COMMANDS;

my $dir = tempdir(CLEANUP => 1);
my $r = boot_shell(firmware => 'bios', mem => '1G', slots => 2, maxmem => '8G',
		   dimm => ['512M'], disk => make_disk("$dir/disk.img", 64 << 20),
		   cmdline => 'ktest=none snapshot=0 shell', timeout => 600,
		   commands => [ @commands, 'exit' ]);
expect_verdict($r, 33, "$NR_COMMANDS random shell commands (seed $SEED)");

my (@unanswered, @errors, @unnamed);
for my $i (0 .. $#commands) {
	my $answer = $r->{answers}[$i];
	my $cmd = $commands[$i];
	if (!defined $answer) {
		push @unanswered, $cmd;
		next;
	}
	my @lines = grep { /^error:/ } split /\n/, $answer;
	push @errors, "'$cmd': " . scalar(@lines) . ' error lines' if @lines > 1;
	my ($word) = $cmd =~ /^(\S+)/ or next;
	push @unnamed, map { "'$cmd': $_" } grep {
		!/^error: (\Q$word\E\b|unknown command |too many words |line too long )/
	} @lines;
}
is(scalar(@{ $r->{answers} }), $NR_COMMANDS + 1, 'every command got an answer');
ok(!@unanswered, 'the prompt came back after each') or diag("no prompt after: $unanswered[0]");
ok(!@errors, 'at most one error line per command') or diag(join("\n", grep { defined } @errors[0 .. 4]));
ok(!@unnamed, 'each error line names its command') or diag(join("\n", grep { defined } @unnamed[0 .. 4]));
unlike($r->{out}, qr/^# exception:/m, 'no exception');

my ($start, $end) = diag_lines($r, 'shell');
is($start->{state}, 'ready', 'the shell said it was ready');
is($end->{state}, 'bye', 'and goodbye');
ok(defined $start->{frames_in_use} && defined $end->{frames_in_use} &&
   $end->{frames_in_use} == $start->{frames_in_use},
   'every frame the session took came back (frames_in_use ' .
   ($start->{frames_in_use} // '?') . ' -> ' . ($end->{frames_in_use} // '?') . ')');
like($r->{out}, qr/^# verdict: pass /m, 'the run ends with its verdict');

# The seed gives a mix: a session of only errors would test little.
my $nr_errors = grep { defined && /^error:/m } @{ $r->{answers} }[0 .. $#commands];
ok($nr_errors >= 50 && $nr_errors <= $NR_COMMANDS - 50,
   "good and bad commands both ($nr_errors of $NR_COMMANDS refused)");
done_testing();
