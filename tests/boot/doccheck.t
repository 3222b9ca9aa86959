#!/usr/bin/perl
# doccheck.t: every marked exercise and excerpt of the docs matches the
# kernel, and the links between the docs hold (tools/doccheck --check, one
# TAP result per boot, per doc and for the links). `make docs` refreshes
# stale excerpts; docs/README.md explains the markup.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;

my $build = build_dir();
exec('tools/doccheck', '--check', '--tap', '--build', $build) or die "exec tools/doccheck: $!";
