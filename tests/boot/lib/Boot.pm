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

our @EXPORT = qw(boot boot_shell boot_live diag_lines diag_one expect_verdict
		 expect_ktap_complete build_dir hexval slurp spew make_disk);

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
	push @cmd, '--qmp', $o{qmp} if defined $o{qmp};
	push @cmd, '--disk', $o{disk} if defined $o{disk};
	for my $d (ref $o{dimm} ? @{ $o{dimm} } : defined $o{dimm} ? ($o{dimm}) : ()) {
		push @cmd, '--dimm', $d;
	}
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

# boot_live(shape..., qmp => PATH): boots in the background, the serial
# console connected both ways, and returns a handle (Boot::Live) to follow
# the output as it comes, while the test drives QMP or the shell:
#   my $h = boot_live(firmware => 'bios', slots => 2, maxmem => '8G',
#                     qmp => "$dir/qmp", cmdline => 'ktest=none hotplug_wait=60');
#   my ($line) = $h->wait_for(qr/^# hotplug-wait: .*$/m, 60) or ...;
#   $h->send("dimm\n");          # text for the shell
#   my $r = $h->finish(60);      # boot()'s result: { status, out, lines, shape }
# wait_for(RE, TIMEOUT) looks at the output after the end of the previous
# match; it returns the match's captures (or the whole match when RE has
# none) and moves past it, or the empty list when RE does not come within
# TIMEOUT seconds or QEMU ends first. The run is always bounded by
# run-qemu's --timeout (timeout => S, default 120), and finish(S) kills the
# run's process group after S more seconds (default 60).
sub boot_live {
	my %o = @_;
	my @cmd = run_qemu_command(%o, interactive => 1);
	pipe(my $from_qemu, my $to_test) or die "pipe: $!";
	pipe(my $from_test, my $to_qemu) or die "pipe: $!";
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		setpgrp(0, 0);                   # its own group, so finish() can end it all
		close($from_qemu); close($to_qemu);
		open(STDIN, '<&', $from_test) or die "stdin: $!";
		open(STDOUT, '>&', $to_test) or die "stdout: $!";
		open(STDERR, '>&', $to_test) or die "stderr: $!";
		exec(@cmd) or die "exec @cmd: $!";
	}
	close($to_test); close($from_test);
	$to_qemu->autoflush(1);
	return bless { pid => $pid, out => $from_qemu, in => $to_qemu,
		       sel => IO::Select->new($from_qemu), buf => '', pos => 0,
		       cmd => \@cmd, eof => 0 }, 'Boot::Live';
}

package Boot::Live;

use Time::HiRes qw(time);

# Reads what is there within $wait seconds; false at the end of the output.
sub _read {
	my ($h, $wait) = @_;
	return 0 if $h->{eof};
	return 1 unless $h->{sel}->can_read($wait > 0 ? $wait : 0);
	my $n = sysread($h->{out}, my $chunk, 65536);
	if (!$n) { $h->{eof} = 1; return 0; }
	$chunk =~ s/\r//g;
	$h->{buf} .= $chunk;
	return 1;
}

sub wait_for {
	my ($h, $re, $timeout) = @_;
	my $deadline = time() + ($timeout // 60);
	while (1) {
		pos($h->{buf}) = $h->{pos};
		if ($h->{buf} =~ /$re/gc) {
			my @caps = @{^CAPTURE} ? @{^CAPTURE} : ($&);
			my $end = pos($h->{buf});
			# A match that ends where the output so far ends, inside a
			# line (a pattern's "$" or ".*" matches there too), may be
			# a line still being written: read on briefly and look
			# again; a prompt with nothing after it is accepted.
			if ($end == length($h->{buf}) && $h->{buf} !~ /\n\z/ && !$h->{eof}) {
				my $len = length($h->{buf});
				$h->_read(0.2);
				next if length($h->{buf}) > $len;
			}
			$h->{pos} = $end;
			return @caps;
		}
		my $left = $deadline - time();
		return () if $left <= 0;
		return () unless $h->_read($left < 0.5 ? $left : 0.5) || !$h->{eof};
	}
}

# The output so far (with "\r" removed).
sub output { $_[0]{buf} }

sub send {
	my ($h, $text) = @_;
	return 0 if $h->{eof} || !$h->{in};
	local $SIG{PIPE} = 'IGNORE';
	print { $h->{in} } $text or return 0;
	return 1;
}

# The pids whose parent is run-qemu (timeout, running QEMU).
sub _children {
	my ($h) = @_;
	my @kids;
	for my $stat (glob('/proc/[0-9]*/stat')) {
		open(my $fh, '<', $stat) or next;
		my $line = <$fh> // next;
		push @kids, $1 if $line =~ /^(\d+) \(.*\) \S+ (\d+) / && $2 == $h->{pid};
	}
	return @kids;
}

# Closes the console's input, reads the rest of the output and waits for
# the run to end (killing it after $timeout seconds); boot()'s result.
sub finish {
	my ($h, $timeout) = @_;
	close($h->{in}) if $h->{in};
	delete $h->{in};
	my $deadline = time() + ($timeout // 60);
	$h->_read(0.5) while !$h->{eof} && time() < $deadline;
	my $killed = !$h->{eof};
	if ($killed) {
		# timeout(1) runs QEMU in a process group of its own: end it
		# (it passes the signal on to QEMU), then run-qemu's group.
		kill('TERM', $_) for $h->_children;
		kill('TERM', -$h->{pid});
		my $until = time() + 10;
		$h->_read(0.5) while !$h->{eof} && time() < $until;
		kill('KILL', -$h->{pid}) unless $h->{eof};
	}
	close($h->{out});
	waitpid($h->{pid}, 0);
	my $status = $killed ? 124 : $? >> 8;
	return Boot::result($h->{buf}, $status, @{ $h->{cmd} });
}

package Boot;

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

# Disk files for the virtio-blk tests: the whole file's bytes, a file
# written whole, and a file of `bytes` zero bytes (sparse) at `path`.
sub slurp {
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or die "$path: $!";
	local $/;
	my $bytes = <$fh>;
	close $fh;
	return $bytes;
}

sub spew {
	my ($path, $bytes) = @_;
	open(my $fh, '>:raw', $path) or die "$path: $!";
	print $fh $bytes;
	close $fh;
}

sub make_disk {
	my ($path, $bytes) = @_;
	open(my $fh, '>', $path) or die "$path: $!";
	truncate($fh, $bytes) or die "truncate: $!";
	close $fh;
	return $path;
}

1;
