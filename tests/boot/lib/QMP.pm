# QMP.pm: a small client for the QEMU Machine Protocol, in Perl core modules.
#
#   use lib 'tests/boot/lib';
#   use QMP;
#   my $q = QMP->connect('/tmp/x/qmp.sock', timeout => 30);
#   my $devs = $q->execute('query-memory-devices');
#   $q->execute('device_del', { id => 'd1' });
#   my $ev = $q->wait_event('DEVICE_DELETED', 60);   # undef on timeout
#
# connect() retries until the socket exists and accepts (QEMU creates it a
# moment after it starts), reads the greeting {"QMP": ...} and negotiates
# capabilities (qmp_capabilities). execute() sends one command with an id
# and returns its "return" value, or dies with "QMP CMD: CLASS: DESC" when
# QEMU answers with an error, or on a timeout or a closed connection.
# Asynchronous events ({"event": ...}) read while waiting for anything are
# kept, in order, for wait_event() and events(). Messages are one JSON
# object per line (docs/interop/qmp-spec.rst in QEMU's tree).
package QMP;

use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Select;
use JSON::PP;
use Socket qw(SOCK_STREAM);
use Time::HiRes qw(time sleep);

# QMP->connect(PATH, timeout => SECONDS (default 30), command_timeout => S)
sub connect {
	my ($class, $path, %o) = @_;
	my $deadline = time() + ($o{timeout} // 30);
	my ($sock, $err);
	while (1) {
		$sock = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path) and last;
		$err = $!;
		die "QMP: cannot connect to $path within " . ($o{timeout} // 30) . "s: $err\n"
			if time() >= $deadline;
		sleep(0.1);
	}
	$sock->autoflush(1);
	my $self = bless { sock => $sock, sel => IO::Select->new($sock), buf => '',
			   json => JSON::PP->new->canonical, id => 0, pending => [],
			   seen => [], path => $path,
			   command_timeout => $o{command_timeout} // 30 }, $class;
	my $greeting = $self->_read_message($deadline - time() > 5 ? $deadline - time() : 5);
	die "QMP: no greeting from $path\n" unless $greeting;
	die "QMP: not a QMP greeting: " . $self->{json}->encode($greeting) . "\n"
		unless ref $greeting->{QMP} eq 'HASH';
	$self->{greeting} = $greeting->{QMP};
	$self->execute('qmp_capabilities');
	return $self;
}

sub greeting { $_[0]{greeting} }

# One decoded message, or undef on timeout; dies if the peer closed.
sub _read_message {
	my ($self, $timeout) = @_;
	my $deadline = time() + $timeout;
	while (1) {
		if ((my $nl = index($self->{buf}, "\n")) >= 0) {
			my $line = substr($self->{buf}, 0, $nl + 1, '');
			next unless $line =~ /\S/;
			my $msg = eval { $self->{json}->decode($line) };
			die "QMP: bad JSON from QEMU: $line" unless ref $msg eq 'HASH';
			return $msg;
		}
		my $left = $deadline - time();
		return undef unless $self->{sel}->can_read($left > 0 ? $left : 0);
		my $n = sysread($self->{sock}, my $chunk, 65536);
		next if !defined $n && ($!{EINTR} || $!{EAGAIN});   # a signal, not the end
		die "QMP: connection to $self->{path} " . (defined $n ? 'closed' : "failed: $!") . "\n" unless $n;
		$self->{buf} .= $chunk;
	}
}

# Reads one message; an event is queued and returned as such.
sub _pump {
	my ($self, $timeout) = @_;
	my $msg = $self->_read_message($timeout) // return undef;
	if (defined $msg->{event}) {
		push @{ $self->{pending} }, $msg;
		push @{ $self->{seen} }, $msg;
	}
	return $msg;
}

# execute(CMD, {ARGS}, TIMEOUT): the command's "return" value.
sub execute {
	my ($self, $cmd, $args, $timeout) = @_;
	my $id = 'dynflags-' . ++$self->{id};
	my %req = (execute => $cmd, id => $id);
	$req{arguments} = $args if $args;
	my $line = $self->{json}->encode(\%req) . "\n";
	local $SIG{PIPE} = 'IGNORE';            # QEMU gone: an error, not a signal
	die "QMP $cmd: not connected\n" unless $self->{sock};
	defined syswrite($self->{sock}, $line) or die "QMP $cmd: write: $!\n";
	$timeout //= $self->{command_timeout};
	my $deadline = time() + $timeout;
	while (1) {
		my $left = $deadline - time();
		my $msg = $left > 0 ? $self->_pump($left) : undef;
		die "QMP $cmd: no answer within ${timeout}s\n" unless $msg;
		next if defined $msg->{event};
		next if defined $msg->{id} && $msg->{id} ne $id;   # an old answer
		if (exists $msg->{error}) {
			my $e = $msg->{error};
			die "QMP $cmd: $e->{class}: $e->{desc}\n";
		}
		return $msg->{return} if exists $msg->{return};
		die "QMP $cmd: unexpected answer " . $self->{json}->encode($msg) . "\n";
	}
}

# wait_event(NAME, TIMEOUT, [MATCH]): the first not yet taken event NAME
# (for which MATCH->(event) is true, when given), or undef on timeout.
# Events taken by wait_event are not returned again; events() keeps all.
sub wait_event {
	my ($self, $name, $timeout, $match) = @_;
	my $deadline = time() + ($timeout // $self->{command_timeout});
	while (1) {
		my $q = $self->{pending};
		for my $i (0 .. $#$q) {
			next unless $q->[$i]{event} eq $name;
			next if $match && !$match->($q->[$i]);
			return splice(@$q, $i, 1);
		}
		my $left = $deadline - time();
		return undef if $left <= 0;
		my $msg = eval { $self->_pump($left) };
		return undef if $@;                      # QEMU went away
	}
}

# Every event read so far (also the ones wait_event took), optionally NAME only.
sub events {
	my ($self, $name) = @_;
	return grep { !defined $name || $_->{event} eq $name } @{ $self->{seen} };
}

# Reads whatever events arrive within TIMEOUT seconds (default 0: what is
# already buffered) without sending anything.
sub poll {
	my ($self, $timeout) = @_;
	my $deadline = time() + ($timeout // 0);
	while (eval { $self->_pump($deadline - time()) }) { }
	return $self->events;
}

# add_dimm(N, SIZE_BYTES, node => K, addr => A): object-add of memory
# backend mN, then device_add of pc-dimm dN on it (the names run-qemu's
# --dimm uses, so pick N past the cold-plugged ones). Returns "dN".
sub add_dimm {
	my ($self, $n, $size, %o) = @_;
	$self->execute('object-add', { 'qom-type' => 'memory-backend-ram', id => "m$n", size => $size });
	my %dev = (driver => 'pc-dimm', id => "d$n", memdev => "m$n");
	$dev{$_} = $o{$_} for grep { defined $o{$_} } qw(node addr slot);
	$self->execute('device_add', \%dev);
	return "d$n";
}

# query-memory-devices as { ID => { addr, size, slot, node, hotplugged } }.
sub dimms {
	my ($self) = @_;
	return { map { ($_->{data}{id} // "slot$_->{data}{slot}") => $_->{data} }
		 grep { $_->{type} eq 'dimm' } @{ $self->execute('query-memory-devices') } };
}

# resume(): cont, for a guest that may end as soon as it runs. QEMU sends
# its answer to cont after the vCPUs are running, and a kernel that exits
# on the event it resumes into can take QEMU with it first. So the
# connection closing in place of the answer also counts: 1 when QEMU
# answered, 0 when it was gone. Any other failure dies as in execute().
# The caller still checks that the guest ran (its report, its verdict).
sub resume {
	my ($self) = @_;
	return 1 if eval { $self->execute('cont'); 1 };
	die $@ unless $@ =~ /^QMP: connection to \S+ (closed|failed: Connection reset by peer)$/m;
	return 0;
}

# query-acpi-ospm-status as { SLOT => { device, source, status } }.
sub ost {
	my ($self) = @_;
	return { map { ($_->{slot} => $_) } @{ $self->execute('query-acpi-ospm-status') } };
}

sub close {
	my ($self) = @_;
	close($self->{sock}) if $self->{sock};
	delete $self->{sock};
}

sub DESTROY { $_[0]->close }

1;
