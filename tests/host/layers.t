#!/usr/bin/perl
# tests/host/layers.t: dependencies point one way. It reads the layer
# table from docs/design.md (the block after "<!-- layers -->"), so the
# diagram there is exactly what is enforced, and checks every #include
# "..." of boot/, kernel/, pageflags/ and tests/kernel/ against it:
#   - every source file belongs to exactly one layer;
#   - a file includes only headers of its own layer or of layers below it;
#   - a layer marked "-> only ..." includes nothing else from the layers
#     below but the headers it lists.
# A table that allows a known-bad include (a portable module including the
# console) must be refused too, so the check itself can fail.
use strict;
use warnings;
use Test::More;

# [ { name, patterns => [...], only => [...] }, ... ] from top to bottom.
sub read_layers {
	my ($file) = @_;
	open(my $fh, '<', $file) or die "$file: $!";
	# 0: before the marker, 1: before the block's opening fence, 2: in it.
	my ($state, @layers) = (0);
	while (my $line = <$fh>) {
		if ($state < 2) {
			$state = 1 if $line =~ /^<!-- layers -->/;
			$state = 2 if $state == 1 && $line =~ /^```/;
			next;
		}
		last if $line =~ /^```/;
		next if $line =~ /^\s*(#|$)/;
		my ($name, $rest) = $line =~ /^(\S+)\s+(.*)$/ or next;
		my ($files, $only) = split /\s*->\s*only\s+/, $rest;
		push @layers, { name => $name, patterns => [split ' ', $files],
				only => [split ' ', $only // ''] };
	}
	return @layers;
}

# Does `path` match a pattern: "dir/" (a folder), "a/b.*" (any ending) or
# an exact path?
sub matches {
	my ($path, $pat) = @_;
	return index($path, $pat) == 0 if $pat =~ m{/$};
	return $path =~ /^\Q$1\E\.[^\/]+$/ if $pat =~ /^(.*)\.\*$/;
	return $path eq $pat;
}

sub layer_of {
	my ($layers, $path) = @_;
	my @hits = grep { my $l = $layers->[$_];
			  grep { matches($path, $_) } @{$l->{patterns}} } 0 .. $#$layers;
	return @hits;
}

# Problems found for the includes { file => [header, ...] }.
sub problems {
	my ($layers, $includes) = @_;
	my @bad;
	for my $file (sort keys %$includes) {
		my @at = layer_of($layers, $file);
		if (@at != 1) {
			push @bad, "$file is in " . scalar(@at) . " layers, not 1";
			next;
		}
		my $me = $layers->[$at[0]];
		for my $inc (@{$includes->{$file}}) {
			my @to = layer_of($layers, $inc);
			next unless @to;        # tests/ktest.h and the like: not layered
			if ($to[0] < $at[0]) {
				push @bad, "$file ($me->{name}) includes $inc ($layers->[$to[0]]{name}), a layer above";
			} elsif ($to[0] > $at[0] && @{$me->{only}} &&
				 !grep { $_ eq $inc } @{$me->{only}}) {
				push @bad, "$file ($me->{name}) includes $inc, which is not in its -> only list";
			}
		}
	}
	return @bad;
}

my @layers = read_layers('docs/design.md');
ok(@layers >= 5, 'docs/design.md has the layer table') or BAIL_OUT('no layer table');

my %includes;
my @files = grep { /\.(c|h|S)$/ } split /\n/,
	`git ls-files boot kernel pageflags tests/kernel`;
ok(@files > 40, 'the tree has its sources') or diag(scalar @files);
for my $file (@files) {
	open(my $fh, '<', $file) or die "$file: $!";
	my @inc;
	while (<$fh>) {
		push @inc, $1 if /^\s*#\s*include\s+"([^"]+)"/;
	}
	# A bare name is the including file's own folder.
	my ($dir) = $file =~ m{^(.*)/};
	$includes{$file} = [map { m{/} ? $_ : "$dir/$_" } @inc];
}

my @bad = problems(\@layers, \%includes);
is(scalar @bad, 0, 'every include points down the layers of docs/design.md')
	or diag(join("\n", @bad));

# The checker must refuse an include that goes up.
my %upward = ('kernel/portable/memmap.c' => ['kernel/console.h']);
my @found = problems(\@layers, \%upward);
ok(@found == 1 && $found[0] =~ /a layer above/,
   'a portable module including the console is refused') or diag(@found);
my %loader = ('boot/multiboot2.c' => ['kernel/frame.h']);
@found = problems(\@layers, \%loader);
ok(@found == 1 && $found[0] =~ /only list/,
   'a loader including the frame allocator is refused') or diag(@found);

done_testing();
