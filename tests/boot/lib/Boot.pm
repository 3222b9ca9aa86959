# Boot.pm: boot the dynflags kernel in QEMU from a Perl test and read its report.
#
#   use lib 'tests/boot/lib';
#   use Boot;
#   my $r = boot(mem => '1G', cmdline => 'ktest=none');
#   expect_verdict($r, 33, 'boots at 1 GiB');
#   my @ranges = diag($r, 'memmap');      # list of { start => ..., end => ..., type => ... }
#
# boot() runs tools/run-qemu and returns { status, out, lines, shape }.
# The output has "\r" removed. Every run has a timeout (run-qemu's --timeout).
package Boot;

use strict;
use warnings;
use Exporter 'import';
use File::Temp qw(tempfile);
use IO::Select;
use IPC::Open2;
use Time::HiRes qw(time);
use Test::More;

our @EXPORT = qw(boot boot_shell diag_lines diag_one expect_verdict
		 expect_ktap_complete build_dir hexval);

sub build_dir { $ENV{DYNFLAGS_BUILD} // 'build' }

# The tools/run-qemu command line for a shape.
sub run_qemu_command {
	my (%o) = @_;
	my @cmd = ('tools/run-qemu', defined $o{linux} ? ('--linux', $o{linux}) :
		   ('--image', $o{image} // build_dir() . '/dynflags.iso'));
	for my $k (qw(firmware mem slots maxmem numa cpu cmdline)) {
		push @cmd, "--$k", $o{$k} if defined $o{$k};
	}
	push @cmd, '--phys-bits', $o{phys_bits} if defined $o{phys_bits};
	push @cmd, '--timeout', $o{timeout} // 120;
	push @cmd, '--stdin' if $o{interactive} || defined $o{stdin};
	push @cmd, '--no-exit-device' if $o{no_exit_device};
	push @cmd, '--', @{ $o{extra} } if $o{extra};
	return @cmd;
}

sub result {
	my ($text, $status, @cmd) = @_;
	$text =~ s/\r//g;
	return { status => $status, out => $text, lines => [ split /\n/, $text ],
		 shape => join(' ', @cmd[3 .. $#cmd]) };
}

# boot(image, firmware, mem, slots, maxmem, numa, phys_bits, cpu, cmdline,
#      timeout, stdin => "text for the serial console", extra => [qemu args])
# With linux => FILE it boots that Linux kernel on the shape instead.
sub boot {
	my %o = @_;
	my @cmd = run_qemu_command(%o);
	my $stdin_file = '/dev/null';
	if (defined $o{stdin}) {
		my ($fh, $name) = tempfile(UNLINK => 1);
		print $fh $o{stdin};
		close $fh;
		$stdin_file = $name;
	}

	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open(STDIN, '<', $stdin_file) or die "stdin: $!";
		open(STDERR, '>&', \*STDOUT) or die "stderr: $!";
		exec(@cmd) or die "exec @cmd: $!";
	}
	local $/;
	my $text = <$out> // '';
	close $out;
	return result($text, $? >> 8, @cmd);
}

# boot_shell(shape..., cmdline => '... shell', commands => [ 'help', ... ])
# Boots, waits for each shell prompt before typing the next command (the
# firmware and GRUB also read the serial line, so nothing is sent early),
# and returns boot()'s result plus answers => [ the text each command
# printed, its echo removed ]. A prompt that does not come within
# prompt_timeout seconds (default 90) ends the session.
sub boot_shell {
	my %o = @_;
	my $prompt = 'dynflags> ';
	my @cmd = run_qemu_command(%o, interactive => 1);
	my $pid = open2(my $out, my $in, @cmd);
	my $sel = IO::Select->new($out);
	my ($buf, $pos, @answers) = ('', 0);
	my $read_until_prompt = sub {
		my $deadline = time() + ($o{prompt_timeout} // 90);
		while (time() < $deadline) {
			my $at = index($buf, $prompt, $pos);
			if ($at >= 0) {
				my $text = substr($buf, $pos, $at - $pos);
				$pos = $at + length($prompt);
				return $text;
			}
			next unless $sel->can_read(0.5);
			my $n = sysread($out, my $chunk, 65536);
			return undef unless $n;          # QEMU ended
			$buf .= $chunk;
		}
		return undef;
	};
	my $ok = defined $read_until_prompt->();
	for my $c (@{ $o{commands} }) {
		last unless $ok;
		print $in "$c\n";
		$in->flush;
		my $text = $read_until_prompt->();
		if (!defined $text) {            # e.g. after "exit": read what is left
			$text = substr($buf, $pos);
			$ok = 0;
		}
		$text =~ s/\r//g;
		$text =~ s/^[^\n]*\n//;          # the echoed command line
		push @answers, $text;
	}
	close $in;
	local $/;
	$buf .= <$out> // '';
	close $out;
	waitpid($pid, 0);
	my $r = result($buf, $? >> 8, @cmd);
	$r->{answers} = \@answers;
	return $r;
}

# Fields of one "# key: a=1 b="x y" c=0x10" line, as a hash.
sub parse_fields {
	my ($rest) = @_;
	my %f;
	while ($rest =~ /\G\s*([\w.-]+)=("((?:[^"\\]|\\.)*)"|\S*)/gc) {
		$f{$1} = defined $3 ? $3 : $2;
	}
	return \%f;
}

# All report lines "# KEY: ..." (at the start of a line), parsed.
sub diag_lines {
	my ($r, $key) = @_;
	return map { /^# \Q$key\E: (.*)$/ ? parse_fields($1) : () } @{ $r->{lines} };
}

# The one line "# KEY: ...", or undef (a test fails if there are several).
sub diag_one {
	my ($r, $key) = @_;
	my @all = diag_lines($r, $key);
	return $all[0] if @all == 1;
	diag("expected one '# $key:' line, found " . scalar(@all));
	return undef;
}

sub hexval {
	my ($v) = @_;
	no warnings 'portable';          # addresses above 4 GiB are fine on 64-bit perl
	return defined $v ? ($v =~ /^0x/i ? hex($v) : $v) : undef;
}

sub show_tail {
	my ($r) = @_;
	my @l = @{ $r->{lines} };
	my $from = @l > 60 ? @l - 60 : 0;
	diag("shape: $r->{shape}\n--- last serial lines ---\n" . join("\n", @l[$from .. $#l]));
}

# The exit status must be exactly $want (33 pass, 35 fail, 37 panic).
sub expect_verdict {
	my ($r, $want, $name) = @_;
	my $ok = is($r->{status}, $want, "$name: exit status $want");
	show_tail($r) unless $ok;
	return $ok;
}

# A complete KTAP document: header, plan, one top-level result per planned
# suite, every one ok, and a "# verdict: pass" line. A missing result counts
# as a crash.
sub expect_ktap_complete {
	my ($r, $name) = @_;
	my @l = @{ $r->{lines} };
	my ($hdr) = grep { $l[$_] eq 'KTAP version 1' } 0 .. $#l;
	my $ok = ok(defined $hdr, "$name: KTAP header");
	my ($plan) = defined $hdr && ($l[$hdr + 1] // '') =~ /^1\.\.(\d+)$/ ? ($1) : ();
	$ok &&= ok(defined $plan, "$name: KTAP plan");
	if ($ok) {
		my @results = grep { /^(not )?ok \d+ / } @l;
		my @bad = grep { /^not ok/ } @results;
		$ok &&= is(scalar(@results), $plan, "$name: $plan suite results (none missing)");
		$ok &&= is(scalar(@bad), 0, "$name: no failed suite") or diag(join("\n", @bad));
	}
	my $v = diag_one($r, 'verdict');
	$ok &&= ok($v && $v->{pass} // ($r->{out} =~ /^# verdict: pass /m), "$name: verdict pass");
	show_tail($r) unless $ok;
	return $ok;
}

1;
