#!/usr/bin/perl
# hotplug-errors.t: what the add path does with what it cannot take
# (SeaBIOS, 1 GiB, two slots, maxmem 8G).
#   1. fail_alloc=N for every allocation of the add path: N is swept from 1
#      until an add succeeds; N inside the boot fails the boot before it
#      waits (tests/boot/fail-alloc.t checks those), every N that lands in
#      the add gives one "# hotplug-error:" line with leaked=0, no add line,
#      and a run that still passes.
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

# Until kernel/hotplug.c lands, the checks of the kernel's report lines are
# TODO; the QEMU side (QMP, the DIMMs QEMU builds) is checked as usual.
our $TODO;
my $KERNEL_TODO = 'the kernel side of memory hotplug (kernel/hotplug.c) is not in the tree yet';
$TODO = $KERNEL_TODO;

my $dir = tempdir(CLEANUP => 1);
my $GiB = 2**30;
my %shape = (firmware => 'bios', mem => '1G', slots => 2, maxmem => '8G', timeout => 90);
my $WAIT = qr/^# hotplug-wait: seconds=\d+$/m;
my $DONE = qr/^# (hotplug: event=add|hotplug-error:) .*$/m;

# 1. fail_alloc over the add path.
my ($in_add, $add_ok) = (0, 0);
for my $n (1 .. 150) {
	my $sock = "$dir/fa$n.qmp";
	my $h = boot_live(%shape, qmp => $sock,
			  cmdline => "ktest=none snapshot=0 hotplug_wait=30 hotplug_events=1 fail_alloc=$n");
	my $waits = $h->wait_for($WAIT, 60);
	my $before = $h->output;
	my ($line);
	if ($waits) {
		my $q = eval { QMP->connect($sock, timeout => 20) };
		eval { $q->add_dimm(1, $GiB) } if $q;
		($line) = $h->wait_for($DONE, 40);
		$q->close if $q;
	}
	my $r = $h->finish(60);
	unlike($r->{out}, qr/^# exception:/m, "fail_alloc=$n: no CPU exception");
	if (!$waits && $r->{status} == 33 && $r->{out} !~ /^# [a-z-]+-error:/m) {
		fail("fail_alloc=$n: the boot passed without waiting for hotplug events (no hotplug_wait=)");
		last;
	}
	next unless $waits && $before !~ /^# [a-z-]+-error:/m;    # failed in the boot
	if (defined $line && $line =~ /^# hotplug: event=add /) {
		$add_ok = $n;
		expect_verdict($r, 33, "fail_alloc=$n: past the add path, the add");
		last;
	}
	$in_add++;
	my $name = "fail_alloc=$n (in the add)";
	like($line // '', qr/^# hotplug-error: /, "$name: a # hotplug-error: line");
	like($line // '', qr/\bleaked=0\b/, "$name: leaked=0");
	like($line // '', qr/out of memory|out-of-memory|no-memory|no memory/, "$name: says it ran out of memory");
	is(scalar(grep { /^# hotplug: event=add / } @{ $r->{lines} }), 0, "$name: no add line");
	expect_verdict($r, 33, $name);
}
ok($in_add > 0, "some allocations lie in the add path ($in_add)");
ok($add_ok, "and past them the add succeeds (fail_alloc=$add_ok)");

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
	my $q = eval { QMP->connect($sock, timeout => 20) };
	ok($h->wait_for($WAIT, 60), "$name: the kernel waits");
	my $d = eval { $q->add_dimm(1, $GiB); $q->dimms->{d1} } // {};
	is($d->{addr}, 4 * $GiB, "$name: QEMU places it at 4 GiB") or diag($@);
	my ($line) = $h->wait_for($DONE, 40);
	like($line // '', qr/^# hotplug-error: .*(width|phys|srat)/i, "$name: # hotplug-error: naming the width or the SRAT");
	$q->close if $q;
	my $r = $h->finish(60);
	expect_verdict($r, 33, $name);
	is(scalar(grep { /^# hotplug: event=add / } @{ $r->{lines} }), 0, "$name: no add line");
}

# 3. What QEMU itself refuses (checked with the machine paused: -S).
undef $TODO;
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
