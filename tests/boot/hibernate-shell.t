#!/usr/bin/perl
# hibernate-shell.t: the shell across a power cycle (SeaBIOS, 1 GiB).
# Boot 1: a page-flag map in the shell, bits set in it, then `hibernate`:
# the image is written and the machine powers off (QEMU status 0, which
# run-qemu reports as 125). Boot 2, on the same disk: the resume check
# loads the image and the saved kernel comes back inside its shell command,
# "hibernate: resumed", then the prompt; the map still holds the bits
# (`flags count`, `flags next`, `flags test`), and `exit` gives the verdict.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);
my $disk = "$dir/hib.img";
{
	open(my $fh, '>', $disk) or die;
	truncate($fh, 64 << 20) or die;
	close $fh;
}
my @pfns = (0x1234, 0x2345, 0x3fff0);
my $r = boot_shell(firmware => 'bios', mem => '1G', disk => $disk, timeout => 60,
		   cmdline => 'ktest=none shell',
		   commands => [ 'flags new present', (map { sprintf('flags set 0 0x%x', $_) } @pfns),
				 'hibernate' ]);
is($r->{status}, 125, 'boot 1: powered off after hibernate') or Boot::show_tail($r);
like($r->{answers}[0] // '', qr/^flags: map=0 mode=present /m, 'boot 1: map 0 made');
like($r->{answers}[$_ + 1] // '', qr/^flags: map=0 pfn=0x0*\Q${\ sprintf('%x', $pfns[$_])}\E bit=1$/m,
     sprintf('boot 1: pfn 0x%x set', $pfns[$_])) for 0 .. $#pfns;
like($r->{out}, qr/^# hibernate: ok pages=\d+ /m, 'boot 1: hibernate: ok');

$r = boot_shell(firmware => 'bios', mem => '1G', disk => $disk, timeout => 60,
		cmdline => 'ktest=none',
		commands => [ 'flags count 0', 'flags next 0 0x0',
			      sprintf('flags next 0 0x%x', $pfns[0] + 1),
			      sprintf('flags next 0 0x%x', $pfns[2] + 1), 'exit' ]);
expect_verdict($r, 33, 'boot 2: resumed, then exit');
like($r->{out}, qr/^# resume: ok pages=\d+ .*generation=1 /m, 'boot 2: # resume: ok generation=1');
like($r->{out}, qr/^hibernate: resumed$/m, 'boot 2: back inside the shell command');
my @a = @{ $r->{answers} };
like($a[0] // '', qr/^flags: map=0 count=3$/m, 'boot 2: three bits in map 0');
like($a[1] // '', qr/next=0x0*1234$/m, 'boot 2: the first from 0 is 0x1234');
like($a[2] // '', qr/next=0x0*2345$/m, 'boot 2: then 0x2345');
like($a[3] // '', qr/next=none$/m, 'boot 2: none after 0x3fff0');
like($r->{out}, qr/^# verdict: pass /m, 'boot 2: verdict pass');
done_testing();
