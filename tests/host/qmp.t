#!/usr/bin/perl
# tests/host/qmp.t: tests/boot/lib/QMP.pm against a fake QMP server on a
# UNIX socket (no QEMU): connecting before the socket exists (it retries),
# the greeting and qmp_capabilities, a command's "return", an "error" as a
# die naming the command, the class and the description, events arriving
# before and between answers kept for wait_event() in order, wait_event()'s
# timeout, a server that never answers (execute() times out), resume()
# answered and resume() where QEMU ends first, and tools/qmp printing each
# answer as one JSON line.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::UNIX;
use JSON::PP;
use Socket qw(SOCK_STREAM SOMAXCONN);
use Time::HiRes qw(time sleep);
use QMP;

my $dir = tempdir(CLEANUP => 1);
my $json = JSON::PP->new->canonical;

# A fake QEMU: after $delay seconds it listens on $path and serves
# $clients connections; each gets the greeting, then for every request the
# scripted reply of its "execute" (a list of messages; "ID" is replaced by
# the request's id), or nothing for "hang". "cont" is answered, or with
# cont_ends => 1 the connection is closed instead, as when the guest
# ends QEMU as soon as it runs.
sub fake_server {
	my ($path, $delay, $clients, %script) = @_;
	my $pid = fork() // die "fork: $!";
	return $pid if $pid;
	sleep($delay);
	my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM, Local => $path, Listen => SOMAXCONN)
		or die "listen $path: $!";
	alarm(20);
	for (1 .. $clients) {
		my $c = $srv->accept or last;
		$c->autoflush(1);
		print $c $json->encode({ QMP => { version => { qemu => { major => 7, minor => 2, micro => 0 } },
						 capabilities => ['oob'] } }), "\r\n";
		my $negotiated = 0;
		while (my $line = <$c>) {
			my $req = $json->decode($line);
			my $cmd = $req->{execute};
			my $id = $req->{id};
			my @reply;
			if ($cmd eq 'qmp_capabilities') {
				$negotiated = 1;
				@reply = ({ return => {}, id => $id });
			} elsif (!$negotiated) {
				@reply = ({ error => { class => 'CommandNotFound', desc => 'Expecting capabilities negotiation with \'qmp_capabilities\'' }, id => $id });
			} elsif ($cmd eq 'hang') {
				next;
			} elsif ($cmd eq 'cont' && $script{cont_ends}) {
				last;           # QEMU gone before it answers
			} elsif ($cmd eq 'cont') {
				@reply = ({ return => {}, id => $id });
			} elsif ($cmd eq 'echo') {
				@reply = ({ return => $req->{arguments}, id => $id });
			} else {
				@reply = map { my %m = %$_; $m{id} = $id if exists $m{id}; \%m } @{ $script{$cmd} // [] };
				@reply = ({ error => { class => 'CommandNotFound', desc => "The command $cmd has not been found" }, id => $id })
					unless @reply;
			}
			print $c $json->encode($_), "\n" for @reply;
		}
		close $c;
	}
	exit 0;
}

my $ev = sub { my ($name, $data) = @_; { event => $name, data => $data, timestamp => { seconds => 1, microseconds => 0 } } };
my $path = "$dir/qmp.sock";
my $pid = fake_server($path, 0.5, 2,
	'query-memory-devices' => [ { return => [ { type => 'dimm', data => { id => 'd1', addr => 4294967296, size => 1073741824, slot => 0, node => 0 } } ], id => 1 } ],
	'device_del' => [ $ev->('ACPI_DEVICE_OST', { info => { device => 'd1', slot => '0', 'slot-type' => 'DIMM', source => 3, status => 0 } }),
			  { return => {}, id => 1 },
			  $ev->('DEVICE_DELETED', { device => 'd1', path => '/machine/peripheral/d1' }) ],
	'object-add' => [ { error => { class => 'GenericError', desc => "attempt to add duplicate property 'm1'" }, id => 1 } ],
);

my $t0 = time();
my $q = eval { QMP->connect($path, timeout => 10, command_timeout => 2) };
ok($q, 'connect: waits for the socket to appear') or diag($@);
cmp_ok(time() - $t0, '>=', 0.4, 'connect: it was not there at first');
is($q->greeting->{version}{qemu}{major}, 7, 'the greeting is kept');

my $devs = $q->execute('query-memory-devices');
is($devs->[0]{data}{addr}, 4294967296, 'execute returns the "return" value');
is_deeply($q->execute('echo', { a => [1, 2] }), { a => [1, 2] }, 'arguments reach the server');

eval { $q->execute('object-add', { 'qom-type' => 'memory-backend-ram', id => 'm1', size => 1 }) };
like($@, qr/^QMP object-add: GenericError: attempt to add duplicate property 'm1'/, 'an error dies with command, class and description');
eval { $q->execute('no-such-command') };
like($@, qr/CommandNotFound/, 'an unknown command dies');

is_deeply($q->execute('device_del', { id => 'd1' }), {}, 'device_del returns {}');
my $ost = $q->wait_event('ACPI_DEVICE_OST', 2);
is($ost->{data}{info}{source}, 3, 'an event read before the answer is kept');
my $del = $q->wait_event('DEVICE_DELETED', 2, sub { $_[0]{data}{device} eq 'd1' });
is($del->{data}{device}, 'd1', 'an event read with the answer is kept, MATCH selects it');
$t0 = time();
is($q->wait_event('DEVICE_DELETED', 0.5), undef, 'a taken event is not returned again: timeout');
cmp_ok(time() - $t0, '>=', 0.4, 'wait_event waited its timeout');
is(scalar($q->events), 2, 'events() keeps every event');
is(scalar($q->events('DEVICE_DELETED')), 1, 'events(NAME) selects');

$t0 = time();
eval { $q->execute('hang', undef, 1) };
like($@, qr/^QMP hang: no answer within 1s/, 'a command with no answer times out');
cmp_ok(time() - $t0, '<', 5, 'and does not wait longer');
is($q->resume, 1, 'resume: cont answered');
$q->close;

# resume() where QEMU ends in place of answering cont: 0, not a death; a
# later command then dies, since the connection is gone.
{
	my $p2 = "$dir/ends.sock";
	my $pid2 = fake_server($p2, 0, 1, cont_ends => 1);
	my $q2 = eval { QMP->connect($p2, timeout => 10, command_timeout => 2) };
	is(eval { $q2->resume }, 0, 'resume: QEMU gone before answering cont is 0') or diag($@);
	eval { $q2->execute('query-status') };
	like($@, qr/^QMP(?: query-status: write: |: connection to \S+ (?:closed|failed))/, 'resume: then a command dies');
	waitpid($pid2, 0);
}

# tools/qmp: one answer per line, a bare name for a command without
# arguments, an error as status 1.
my $out = `tools/qmp --timeout 5 '$path' query-memory-devices '{"execute":"echo","arguments":{"x":1}}' 2>&1`;
is($? >> 8, 0, 'tools/qmp: exit 0') or diag($out);
my @lines = split /\n/, $out;
is($json->decode($lines[0] // 'null')->[0]{data}{id}, 'd1', 'tools/qmp: a bare command name');
is_deeply($json->decode($lines[1] // 'null'), { x => 1 }, 'tools/qmp: a JSON command');
waitpid($pid, 0);

$out = `tools/qmp --timeout 1 '$dir/nothing' query-status 2>&1`;
is($? >> 8, 1, 'tools/qmp: no socket: exit 1');
like($out, qr/cannot connect/, 'tools/qmp: says so');

done_testing();
