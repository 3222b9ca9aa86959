#!/usr/bin/perl
# scale.t: the default suites cost in proportion to the maps they work on.
# A 1 GiB machine with 4 hotplug slots up to 1 TiB and a 46-bit width has
# an all-possible map of 16408 leaves (64 MiB). Every suite runs on it
# under SeaBIOS within 60 s (about 5 s here); a suite whose cost grows
# with the square of the map (as a sweep of every allocation failure point
# of a create did) takes minutes and hits the timeout.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

my $r = boot(firmware => 'bios', mem => '1G', slots => 4, maxmem => '1T',
	     phys_bits => 46, timeout => 60);
expect_verdict($r, 33, '1 GiB present, 1 TiB possible: every default suite passes within 60 s');
expect_ktap_complete($r, 'the KTAP report is complete');
like($r->{out}, qr/^# pageflags: mode=all leaves=16408 /m, 'the all-possible map has 16408 leaves');
like($r->{out}, qr/^\s*# (\d+) of 16409 failure points tried, each gave every frame back$/m,
     'the create-failure sweep samples its failure points on the big map');
done_testing();
