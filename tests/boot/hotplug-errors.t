#!/usr/bin/perl
# hotplug-errors.t: what the add path does with what it cannot take
# (SeaBIOS, 1 GiB, two slots, maxmem 8G).
#   1. An allocation failure at every allocation of the add path, in one
#      boot: the shell's "dimm fail N" makes the Nth allocation from then on
#      fail (as fail_alloc=N counts from boot), and N is swept from 1 until
#      an add succeeds. Every N that lands in the add gives one
#      "# hotplug-error: ... reason=out-of-memory step=..." line with
#      leaked=0 and no add line; QEMU is told (_OST failure) and the DIMM is
#      then removed (ejected) for the next try. "As before" is proven by the
#      frame counters (the shell's "stats": free frames and frames in use
#      the same after every refusal) and by the final add, whose
#      frames_free starts from the free frames before the sweep. Each step
#      of the add path that allocates (page-tables, frames, pageflags; the
#      sections of a hotpluggable range exist from boot) is hit.
#   2. Bad input QEMU lets through: phys-bits=32 with device memory at 4 GiB
#      (QEMU 7.2 checks maxmem against phys-bits from 33 bits up, but not at
#      32). A DIMM there lies past the CPU's width (and past the SRAT, which
#      the kernel clips to the width): the cold-plugged one and a hot-added
#      one are each refused with one "# hotplug-error:" line, and the boot
#      goes on.
#   3. Bad input QEMU refuses itself, so that no kernel can see it: a DIMM
#      over RAM (addr below the device-memory region) and one over another
#      DIMM; device_add fails with QEMU's error.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use QMP;
use File::Temp qw(tempdir);
use Test::More;

my $dir = tempdir(CLEANUP => 1);
my $GiB = 2**30;
my %shape = (firmware => 'bios', mem => '1G', slots => 2, maxmem => '8G', timeout => 120);
my $WAIT = qr/^# hotplug-wait: seconds=\d+$/m;
my $DONE = qr/^# (?:hotplug: event=add|hotplug-error:) .*\n/m;
my $PROMPT = qr/dynflags> /;

# 1. An allocation failure at each allocation of the add path.
{
	my $sock = "$dir/fail.qmp";
	my $h = boot_live(%shape, qmp => $sock, cmdline => 'ktest=none snapshot=0 shell');
	my $q = eval { QMP->connect($sock, timeout => 30) };
	ok($q, 'fail sweep: QMP connects') or diag($@);
	ok($h->wait_for($PROMPT, 60), 'fail sweep: the shell');
	# The allocator's counters: (free, in use).
	my $counters = sub {
		$h->send("stats\n");
		my ($l) = $h->wait_for(qr/^# frames: (.*)\n/m, 30);
		$h->wait_for($PROMPT, 30);
		my $f = Boot::parse_fields($l // '');
		return ($f->{free} // -1, ($f->{allocated} // 0) - ($f->{freed} // 0));
	};
	my @before = $counters->();
	my ($in_add, $add_ok, %steps) = (0, 0);
	for my $n (1 .. 60) {
		my $name = "dimm fail $n";
		$h->send("dimm fail $n\n");
		$h->wait_for($PROMPT, 30);
		$h->send("dimm wait 30\n");
		eval { $q->add_dimm($n, $GiB) };
		is($@, '', "$name: QMP add of d$n") or last;
		my ($line) = $h->wait_for($DONE, 40);
		ok($h->wait_for($PROMPT, 40), "$name: the shell is back");
		if (($line // '') =~ /^# hotplug: event=add /) {
			$add_ok = $n;
			my ($free_from) = $line =~ /\bframes_free=(\d+)->/;
			is($free_from, $before[0], "$name: past the add path the add succeeds, from the free frames before the sweep ($before[0])");
			last;
		}
		$in_add++;
		like($line // '', qr/^# hotplug-error: event=add slot=\d+ reason=out-of-memory step=[a-z-]+ .*\bleaked=0\n/,
		     "$name: # hotplug-error: reason=out-of-memory step=... leaked=0") or diag($h->output =~ s/.*\n(.*\n.*\n.*\n)/$1/sr);
		$steps{$1}++ if ($line // '') =~ /\bstep=([a-z-]+)/;
		my $ost = eval { $q->ost } // {};
		my ($o) = grep { ($_->{device} // '') eq "d$n" } values %$ost;
		is(($o // {})->{source} // -1, 1, "$name: OST: the insert (source 1) was answered");
		is(($o // {})->{status} // -1, 1, "$name: OST: with failure (1)");
		# The refused DIMM is taken out again for the next try.
		$h->send("dimm wait 30\n");
		eval { $q->execute('device_del', { id => "d$n" }) };
		my ($rm) = $h->wait_for(qr/^# hotplug: event=remove .*\n/m, 40);
		like($rm // '', qr/ result=ejected /, "$name: the refused DIMM is ejected on device_del");
		ok($q->wait_event('DEVICE_DELETED', 30, sub { ($_[0]{data}{device} // '') eq "d$n" }),
		   "$name: QEMU: DEVICE_DELETED d$n");
		$h->wait_for($PROMPT, 30);
		eval { $q->execute('object-del', { id => "m$n" }) };
		is(join(' ', $counters->()), "@before", "$name: the frame counters as before (free, in use)");
	}
	ok($in_add > 0, "some allocations lie in the add path ($in_add)");
	ok($add_ok, "and past them the add succeeds (dimm fail $add_ok)");
	# The sections step allocates nothing here: the boot already has the
	# pages of every possible section, the hotpluggable SRAT range's too
	# (its out-of-memory path is tested on the host, sections_test).
	is(join(' ', sort keys %steps), 'frames page-tables pageflags',
	   'every step of the add path that allocates ran out of memory once at least (' . join(' ', map { "$_=$steps{$_}" } sort keys %steps) . ')');
	$h->send("exit\n");
	$q->close if $q;
	my $r = $h->finish(60);
	expect_verdict($r, 33, 'fail sweep');
	unlike($r->{out}, qr/^# exception:/m, 'fail sweep: no CPU exception');
}

# 2. A DIMM past a 32-bit physical width.
{
	my $name = 'phys-bits=32, cold DIMM at 4 GiB';
	my $r = boot(%shape, phys_bits => 32, dimm => ['1G'], cmdline => 'ktest=none snapshot=0');
	expect_verdict($r, 33, $name);
	is((diag_one($r, 'cpu') // {})->{phys_bits}, 32, "$name: the CPU says 32 bits");
	my @err = grep { /^# hotplug-error: / } @{ $r->{lines} };
	is(scalar(@err), 1, "$name: one # hotplug-error: line") or diag(join("\n", @err));
	like($err[0] // '', qr/width|phys|srat/i, "$name: it names the width or the SRAT");
	is(scalar(grep { ($_->{state} // '') eq 'coldplug' } diag_lines($r, 'dimm')), 0, "$name: not onlined");
}
{
	my $name = 'phys-bits=32, hot add at 4 GiB';
	my $sock = "$dir/pb32.qmp";
	my $h = boot_live(%shape, phys_bits => 32, qmp => $sock,
			  cmdline => 'ktest=none snapshot=0 hotplug_wait=30 hotplug_events=1');
	ok($h->wait_for($WAIT, 60), "$name: the kernel waits");
	# QEMU is surely listening once the kernel runs: connect then.
	my $q = eval { QMP->connect($sock, timeout => 30) };
	# The kernel refuses the DIMM and ends at once (hotplug_events=1), so
	# QEMU may be gone, and the QMP connection reset, before QMP's answer
	# is read: the kernel's line below is the proof that it arrived.
	eval { $q->add_dimm(1, $GiB) } or diag("QMP: $@");
	my ($line) = $h->wait_for($DONE, 40);
	like($line // '', qr/^# hotplug-error: .*(width|phys|srat)/i, "$name: # hotplug-error: naming the width or the SRAT");
	# Where QEMU put it, as the kernel read it from the controller (QMP's
	# query-memory-devices could come after the power-off).
	like($line // '', qr/ start=0x100000000 end=0x140000000 /, "$name: QEMU places it at 4 GiB");
	$q->close if $q;
	my $r = $h->finish(60);
	expect_verdict($r, 33, $name);
	is(scalar(grep { /^# hotplug: event=add / } @{ $r->{lines} }), 0, "$name: no add line");
}

# 3. What QEMU itself refuses (checked with the machine paused: -S).
{
	my $name = 'QEMU refuses';
	my $sock = "$dir/refuse.qmp";
	my $h = boot_live(%shape, dimm => ['1G'], qmp => $sock, extra => ['-S'], cmdline => 'ktest=none');
	my $q = eval { QMP->connect($sock, timeout => 20) };
	ok($q, "$name: QMP connects") or diag($@);
	if ($q) {
		$q->execute('object-add', { 'qom-type' => 'memory-backend-ram', id => 'm1', size => $GiB });
		eval { $q->execute('device_add', { driver => 'pc-dimm', id => 'd1', memdev => 'm1', addr => 16 * 2**20 }) };
		like($@, qr/can't add memory device .*usable range/, "$name: a DIMM over RAM");
		eval { $q->execute('device_add', { driver => 'pc-dimm', id => 'd1', memdev => 'm1', addr => 4 * $GiB }) };
		like($@, qr/address range conflicts with memory device/, "$name: a DIMM over another DIMM") and diag("QEMU: $@");
		eval { $q->execute('quit') };
		$q->close;
	}
	$h->finish(30);
}

done_testing();
