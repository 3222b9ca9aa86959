#!/usr/bin/perl
# hotplug-coldplug.t: a DIMM given on QEMU's command line (run-qemu --dimm)
# is onlined at boot. Under SeaBIOS and OVMF, on one node and on node 1 of
# two (--numa 2): the controller's "# hotplug-controller: slots=2", one
# "# dimm: ... state=coldplug" line at the address and size QEMU reports
# (QMP query-memory-devices) on the right node, and every section it covers
# present and online on that node. A machine without hotplug slots reports
# slots=0 and no DIMM.
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

my $dir = tempdir(CLEANUP => 1);
my $GiB = 2**30;

for my $fw (qw(bios uefi)) {
	for my $numa (undef, 2) {
		my $node = $numa ? 1 : 0;
		my $name = "cold DIMM, $fw" . ($numa ? ", node 1 of $numa" : '');
		my $sock = "$dir/qmp-$fw-" . ($numa // 1);
		my $h = boot_live(firmware => $fw, mem => '2G', slots => 2, maxmem => '8G',
				  ($numa ? (numa => $numa) : ()), dimm => [$numa ? "1G\@$node" : '1G'],
				  qmp => $sock, cmdline => 'ktest=none', timeout => 120);
		my $q = eval { QMP->connect($sock, timeout => 30) };
		ok($q, "$name: QMP connects") or diag($@);
		my $d0 = $q ? eval { $q->dimms->{d0} } : undef;
		ok($d0, "$name: QEMU has DIMM d0") or diag($@);
		$q->close if $q;
		my $r = $h->finish(120);
		expect_verdict($r, 33, $name);
		next unless $d0;
		is($d0->{size}, $GiB, "$name: QEMU: 1 GiB");
		is($d0->{node}, $node, "$name: QEMU: on node $node");
		ok(!$d0->{hotplugged}, "$name: QEMU: cold-plugged");
		local $TODO = $KERNEL_TODO;

		my $c = diag_one($r, 'hotplug-controller') // {};
		is($c->{slots}, 2, "$name: # hotplug-controller: slots=2");
		my @dimms = diag_lines($r, 'dimm');
		is(scalar(@dimms), 1, "$name: one # dimm: line");
		my $d = $dimms[0] // {};
		is($d->{slot}, $d0->{slot}, "$name: slot $d0->{slot}");
		is(hexval($d->{start}), $d0->{addr}, sprintf("$name: start=0x%x", $d0->{addr}));
		is(hexval($d->{end}), $d0->{addr} + $d0->{size}, "$name: end is start + 1 GiB");
		is($d->{node}, $node, "$name: node=$node");
		is($d->{state}, 'coldplug', "$name: state=coldplug");

		my $bits = (diag_one($r, 'sections') // {})->{bits} // 27;
		my %sec = map { $_->{nr} => $_ } diag_lines($r, 'section');
		my ($first, $last) = ($d0->{addr} >> $bits, ($d0->{addr} + $d0->{size} - 1) >> $bits);
		my @bad = grep {
			my $s = $sec{$_};
			!$s || ($s->{state} // '') !~ /\bpresent\b/ || ($s->{state} // '') !~ /\bonline\b/
			   || ($s->{node} // -1) != $node
		} $first .. $last;
		is("@bad", '', "$name: sections $first-$last present, online, node $node")
			or diag(join("\n", grep { /^# section: nr=(\d+) / && grep { $_ == $1 } @bad } @{ $r->{lines} }));
		unlike($r->{out}, qr/^# hotplug-error:/m, "$name: no hotplug error");
	}
}

# No slots: no controller registers, no DIMM.
for my $fw (qw(bios uefi)) {
	my $name = "no slots, $fw";
	my $r = boot(firmware => $fw, mem => '1G', cmdline => 'ktest=none', timeout => 120);
	expect_verdict($r, 33, $name);
	local $TODO = $KERNEL_TODO;
	is((diag_one($r, 'hotplug-controller') // {})->{slots}, 0, "$name: # hotplug-controller: slots=0");
	is(scalar(diag_lines($r, 'dimm')), 0, "$name: no # dimm: line");
}

done_testing();
