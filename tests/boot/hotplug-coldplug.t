#!/usr/bin/perl
# hotplug-coldplug.t: a DIMM given on QEMU's command line (run-qemu --dimm)
# is onlined at boot. Under SeaBIOS and OVMF, on one node and on node 1 of
# two (--numa 2): the controller's "# hotplug-controller: slots=2", one
# "# dimm: ... state=coldplug" line at the address and size QEMU reports
# (QMP query-memory-devices) on the right node, and every section it covers
# present and online on that node. The SeaBIOS boot on one node runs the
# default in-kernel suites with the DIMM online (frame and section totals
# count it; every suite passes). A machine without hotplug slots (SeaBIOS;
# OVMF's slot-less DSDT is the same, docs/report-format.md) reports slots=0
# and no DIMM.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use QMP;
use File::Temp qw(tempdir);
use Test::More;

my $dir = tempdir(CLEANUP => 1);
my $GiB = 2**30;

for my $fw (qw(bios uefi)) {
	for my $numa (undef, 2) {
		my $node = $numa ? 1 : 0;
		my $name = "cold DIMM, $fw" . ($numa ? ", node 1 of $numa" : '');
		my $sock = "$dir/qmp-$fw-" . ($numa // 1);
		# One boot runs the default suites with the DIMM online.
		my $suites = $fw eq 'bios' && !$numa;
		$name .= ', default suites' if $suites;
		my $h = boot_live(firmware => $fw, mem => '2G', slots => 2, maxmem => '8G',
				  ($numa ? (numa => $numa) : ()), dimm => [$numa ? "1G\@$node" : '1G'],
				  qmp => $sock, cmdline => $suites ? '' : 'ktest=none', timeout => 120);
		my $q = eval { QMP->connect($sock, timeout => 30) };
		ok($q, "$name: QMP connects") or diag($@);
		my $d0 = $q ? eval { $q->dimms->{d0} } : undef;
		ok($d0, "$name: QEMU has DIMM d0") or diag($@);
		$q->close if $q;
		my $r = $h->finish(120);
		expect_verdict($r, 33, $name);
		if ($suites) {
			expect_ktap_complete($r, $name);
		}
		next unless $d0;
		is($d0->{size}, $GiB, "$name: QEMU: 1 GiB");
		is($d0->{node}, $node, "$name: QEMU: on node $node");
		ok(!$d0->{hotplugged}, "$name: QEMU: cold-plugged");

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
for my $fw (qw(bios)) {
	my $name = "no slots, $fw";
	my $r = boot(firmware => $fw, mem => '1G', cmdline => 'ktest=none', timeout => 120);
	expect_verdict($r, 33, $name);
	is((diag_one($r, 'hotplug-controller') // {})->{slots}, 0, "$name: # hotplug-controller: slots=0");
	is(scalar(diag_lines($r, 'dimm')), 0, "$name: no # dimm: line");
}

done_testing();
