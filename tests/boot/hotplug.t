#!/usr/bin/perl
# hotplug.t: DIMMs added and removed with QMP while the kernel runs
# (SeaBIOS, 1 GiB of RAM, two slots, maxmem 8G). Each boot is followed
# live (Boot.pm's boot_live): the test waits for the kernel to say it waits
# for events ("# hotplug-wait:", option hotplug_wait=) or for the shell's
# "dimm wait", and then drives QEMU through QMP.
#   1. hot add of 1 GiB: the "# hotplug: event=add" line at the address QEMU
#      chose, its leaves and free frames growing, QEMU's
#      query-memory-devices and query-acpi-ospm-status agreeing; then the
#      snapshot step (after the wait) spreads its workload into the DIMM.
#   2. add, then remove (device_del) once the add is acknowledged:
#      result=ejected, the leaves back, DEVICE_DELETED from QEMU, the DIMM
#      gone from query-memory-devices; then a second DIMM added where the
#      first was, its add reported as the first one's was.
#   3. a remove refused while frames in the DIMM are in use (the shell
#      allocates in it): result=refused reason=busy, QEMU's OST status says
#      the eject failed, and the DIMM stays.
#   4. two DIMMs on two NUMA nodes (--numa 2, device_add node=0 and node=1).
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use QMP;
use File::Temp qw(tempdir);
use Test::More;

# The _OST codes the kernel reports and QEMU shows in query-acpi-ospm-status
# (source: the ACPI event, status: the result): an insert is a device check
# (1), a remove an eject request (3); success 0, device busy 0x82.
my ($OST_INSERT, $OST_EJECT, $OST_SUCCESS, $OST_BUSY) = (1, 3, 0, 0x82);

my $dir = tempdir(CLEANUP => 1);
my $GiB = 2**30;
my %shape = (firmware => 'bios', mem => '1G', slots => 2, maxmem => '8G', timeout => 150);
my $ADD = qr/^# hotplug: event=add .*$/m;
my $REMOVE = qr/^# hotplug: event=remove .*$/m;
# The shell command that allocates frames inside a DIMM (kernel/shell.c).
my $ALLOC_CMD = 'dimm alloc 0 16';

# Boots with QMP at a fresh socket; returns (handle, qmp).
sub start {
	my ($tag, %o) = @_;
	my $sock = "$dir/$tag.qmp";
	my $h = boot_live(%shape, %o, qmp => $sock);
	my $q = eval { QMP->connect($sock, timeout => 30) };
	ok($q, "$tag: QMP connects") or diag($@);
	return ($h, $q);
}

# The fields of one report line.
sub fields_of { my ($line) = @_; return Boot::parse_fields(($line // '') =~ s/^# [\w-]+: //r) }

sub range_pair { my ($v) = @_; return ($v // '') =~ /^(\d+)->(\d+)$/ ? ($1, $2) : () }

sub check_add {
	my ($name, $add, $d) = @_;
	my $f = fields_of($add);
	is($f->{slot}, $d->{slot}, "$name: slot $d->{slot}");
	is(hexval($f->{start}), $d->{addr}, sprintf("$name: start=0x%x as QEMU placed it", $d->{addr}));
	is(hexval($f->{end}), $d->{addr} + $d->{size}, "$name: end = start + size");
	is($f->{node}, $d->{node}, "$name: node=$d->{node}");
	my $bits = 27;
	is($f->{sections}, ($d->{addr} >> $bits) . '-' . (($d->{addr} + $d->{size} - 1) >> $bits), "$name: sections");
	my @p = range_pair($f->{present_leaves});
	ok(@p && $p[1] > $p[0], "$name: present_leaves grew ($f->{present_leaves})") if defined $f->{present_leaves};
	ok(@p, "$name: present_leaves=X->Y") unless defined $f->{present_leaves};
	my @a = range_pair($f->{all_leaves});
	ok(@a && $a[0] == $a[1], "$name: all_leaves unchanged (" . ($f->{all_leaves} // '') . ')');
	my @fr = range_pair($f->{frames_free});
	ok(@fr && $fr[1] - $fr[0] >= $d->{size} / 4096 * 0.9, "$name: frames_free grew by about the DIMM (" . ($f->{frames_free} // '') . ')');
	return $f;
}

# 1. Hot add, then the snapshot reaches into the DIMM.
{
	my $name = 'hot add';
	my ($h, $q) = start('add', cmdline => 'ktest=none hotplug_wait=60 hotplug_events=1 snapshot=64M');
	ok($h->wait_for(qr/^# hotplug-wait: seconds=60$/m, 60), "$name: the kernel waits for events");
	# Stopped while QEMU is asked where the DIMM went: the kernel ends
	# soon after its one event (see "two nodes" below).
	ok(eval { $q->execute('stop'); 1 }, "$name: QMP stop") or diag($@);
	my $d = eval { $q->add_dimm(1, $GiB); $q->dimms->{d1} };
	ok($d, "$name: QMP object-add and device_add") or diag($@);
	ok(defined eval { $q->resume }, "$name: QMP cont") or diag($@);
	$d //= {};
	ok($d->{hotplugged}, "$name: QEMU: hotplugged");
	my ($add) = $h->wait_for($ADD, 60);
	ok($add, "$name: # hotplug: event=add");
	my $ost = eval { $q->ost->{$d->{slot} // 0} } // {};
	is($ost->{device}, 'd1', "$name: OST: slot $d->{slot} holds d1");
	is($ost->{source}, $OST_INSERT, "$name: OST: the insert (device check, source 1) was acknowledged");
	is($ost->{status}, $OST_SUCCESS, "$name: OST: with success (0)");
	$q->close;
	my $r = $h->finish(120);
	expect_verdict($r, 33, $name);
	check_add($name, $add, $d) if $add;
	ok(scalar(diag_lines($r, 'hotplug-timing')), "$name: # hotplug-timing:");
	my $w = diag_one($r, 'snapshot-workload') // {};
	if ($add && $d->{addr}) {
		my ($lo, $hi) = ($d->{addr} >> 12, ($d->{addr} + $d->{size}) >> 12);
		cmp_ok(hexval($w->{last_pfn} // 0), '>=', $lo, "$name: the workload reaches the DIMM (last_pfn=" . ($w->{last_pfn} // '?') . ')');
		cmp_ok(hexval($w->{last_pfn} // 0), '<', $hi, "$name: and ends inside it");
		cmp_ok($w->{pages_above_4g} // 0, '>', 0, "$name: pages above 4 GiB (the DIMM's)");
	}
	is((diag_one($r, 'snapshot-frames') // {})->{leaked}, 0, "$name: the snapshot gave every frame back");
	unlike($r->{out}, qr/^# hotplug-error:/m, "$name: no hotplug error");
}

# 2. Add, then remove once the add is done, then add again. The kernel
# waits for three events, so QEMU is still running when it is asked
# whether d1 is gone.
{
	my $name = 'hot remove';
	my ($h, $q) = start('remove', cmdline => 'ktest=none hotplug_wait=90 hotplug_events=3 snapshot=0');
	ok($h->wait_for(qr/^# hotplug-wait: seconds=90$/m, 60), "$name: the kernel waits for events");
	my $d = eval { $q->add_dimm(1, $GiB); $q->dimms->{d1} } // {};
	my ($add) = $h->wait_for($ADD, 60);
	ok($add, "$name: the add first");
	ok(eval { $q->execute('device_del', { id => 'd1' }); 1 }, "$name: QMP device_del") or diag($@);
	my ($rm) = $h->wait_for($REMOVE, 60);
	ok($rm, "$name: # hotplug: event=remove");
	my $del = $q->wait_event('DEVICE_DELETED', 30, sub { ($_[0]{data}{device} // '') eq 'd1' });
	ok($del, "$name: QEMU: DEVICE_DELETED d1");
	# Once ejected the slot is gone from query-acpi-ospm-status; the
	# answer is in QEMU's ACPI_DEVICE_OST event, sent when _OST is written.
	my $ev = $q->wait_event('ACPI_DEVICE_OST', 10, sub { ($_[0]{data}{info}{source} // -1) == $OST_EJECT });
	my $ost = $ev ? $ev->{data}{info} : {};
	ok($ev, "$name: OST: ACPI_DEVICE_OST for the eject request (source 3)");
	is($ost->{device}, 'd1', "$name: OST: for d1");
	is($ost->{status}, $OST_SUCCESS, "$name: OST: with success (0)");
	my $dimms = eval { $q->dimms };
	ok($dimms, "$name: QEMU answers query-memory-devices after the remove") or diag($@);
	ok($dimms && !exists $dimms->{d1}, "$name: QEMU: d1 is gone");
	# The third event: a new DIMM in the place the first one left. The
	# kernel ends soon after it, so QEMU is stopped while asked (as in 1).
	my $d2 = eval { $q->execute('stop'); $q->add_dimm(2, $GiB); $q->dimms->{d2} };
	ok($d2, "$name: QMP adds d2") or diag($@);
	ok(defined eval { $q->resume }, "$name: QMP cont") or diag($@);
	$d2 //= {};
	my ($add2) = $h->wait_for($ADD, 60);
	$q->close;
	my $r = $h->finish(120);
	expect_verdict($r, 33, $name);
	if ($add && $rm && $d->{addr}) {
		my ($a, $f) = (fields_of($add), fields_of($rm));
		is($f->{slot}, $d->{slot}, "$name: slot");
		is(hexval($f->{start}), $d->{addr}, "$name: start");
		is(hexval($f->{end}), $d->{addr} + $d->{size}, "$name: end");
		is($f->{result}, 'ejected', "$name: result=ejected");
		my @ap = range_pair($a->{present_leaves});
		is($f->{present_leaves}, @ap ? "$ap[1]->$ap[0]" : 'Y->X', "$name: present_leaves back to before the add");
	}
	is($d2->{addr}, $d->{addr}, "$name: QEMU puts d2 where d1 was");
	ok($add2, "$name: # hotplug: event=add for d2");
	check_add("$name: d2", $add2, $d2) if $add2 && $d2->{addr};
	unlike($r->{out}, qr/^# hotplug-error:/m, "$name: no hotplug error");
}

# 3. A remove refused: frames in the DIMM are in use.
{
	my $name = 'refused remove';
	my ($h, $q) = start('refused', cmdline => 'ktest=none snapshot=0 shell');
	ok($h->wait_for(qr/dynflags> /, 60), "$name: the shell");
	$h->send("dimm wait 60\n");
	my $d = eval { $q->add_dimm(1, $GiB); $q->dimms->{d1} } // {};
	my ($add) = $h->wait_for($ADD, 60);
	ok($add, "$name: dimm wait sees the add");
	ok($h->wait_for(qr/dynflags> /, 60), "$name: the wait ends after the event");
	$h->send("$ALLOC_CMD\n");
	ok($h->wait_for(qr/dynflags> /, 30), "$name: $ALLOC_CMD");
	$h->send("dimm wait 60\n");
	ok(eval { $q->execute('device_del', { id => 'd1' }); 1 }, "$name: QMP device_del") or diag($@);
	my ($rm) = $h->wait_for($REMOVE, 60);
	ok($rm, "$name: # hotplug: event=remove");
	my $f = $rm ? fields_of($rm) : {};
	is($f->{result}, 'refused', "$name: result=refused");
	is($f->{reason}, 'busy', "$name: reason=busy");
	cmp_ok($f->{pages_in_use} // 0, '>', 0, "$name: pages_in_use=" . ($f->{pages_in_use} // '?'));
	my $ost = eval { $q->ost->{$d->{slot} // 0} } // {};
	is($ost->{source}, $OST_EJECT, "$name: OST: the eject request (source 3) was answered");
	is($ost->{status}, $OST_BUSY, "$name: OST: with device busy (0x82)");
	ok(!$q->wait_event('DEVICE_DELETED', 3), "$name: QEMU: no DEVICE_DELETED");
	ok(eval { $q->dimms->{d1} }, "$name: QEMU: d1 stays");
	ok($h->wait_for(qr/dynflags> /, 60), "$name: the shell is back");
	$h->send("exit\n");
	$q->close;
	my $r = $h->finish(60);
	expect_verdict($r, 33, $name);
	unlike($r->{out}, qr/^# exception:/m, "$name: no CPU exception");
}

# 4. Two DIMMs on two NUMA nodes.
{
	my $name = 'two nodes';
	my ($h, $q) = start('numa', mem => '2G', numa => 2,
			    cmdline => 'ktest=none hotplug_wait=90 hotplug_events=2 snapshot=0');
	ok($h->wait_for(qr/^# hotplug-wait: seconds=90$/m, 60), "$name: the kernel waits for events");
	# The kernel powers off after its second event, so the machine is
	# stopped (QMP stop) while the DIMMs go in and QEMU is asked where it
	# put them; on a busy host the query could otherwise come after the
	# power-off. The events reach the kernel at cont.
	my %d;
	ok(eval { $q->execute('stop'); 1 }, "$name: QMP stop") or diag($@);
	for my $n (0, 1) {
		$d{$n} = eval { $q->add_dimm($n + 1, $GiB, node => $n); $q->dimms->{'d' . ($n + 1)} };
		ok($d{$n}, "$name: QMP add of d" . ($n + 1) . " on node $n") or diag($@);
		$d{$n} //= {};
		is($d{$n}{node}, $n, "$name: QEMU: d" . ($n + 1) . " on node $n");
	}
	ok(defined eval { $q->resume }, "$name: QMP cont") or diag($@);
	my @adds = grep { $_ } map { ($h->wait_for($ADD, 60))[0] } 1 .. 2;
	is(scalar(@adds), 2, "$name: two # hotplug: event=add lines");
	$q->close;
	my $r = $h->finish(120);
	expect_verdict($r, 33, $name);
	for my $add (@adds) {
		my $f = fields_of($add);
		my ($n) = grep { ($d{$_}{slot} // -1) eq ($f->{slot} // '') } keys %d;
		ok(defined $n, "$name: the add of slot $f->{slot} is a DIMM QEMU has") or next;
		check_add("$name, node $n", $add, $d{$n});
	}
}

done_testing();
