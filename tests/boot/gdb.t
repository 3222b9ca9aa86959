#!/usr/bin/perl
# gdb.t: `tools/gdb.sh BUILD --batch` (what `make gdb` runs, without the
# prompt) boots the ISO halted, attaches gdb, stops at kmain, shows the
# backtrace and the boot information, and leaves no QEMU behind.
use strict;
use warnings;
use lib 'tests/boot/lib';
use Boot;
use Test::More;

plan skip_all => 'gdb is not installed (tools/deps.sh installs it)'
	unless grep { -x "$_/gdb" } split /:/, $ENV{PATH};

my $build = build_dir();
my $cmd = "tools/gdb.sh '$build' --batch --cmdline ktest=none 2>&1";
my $out = `$cmd`;
my $status = $? >> 8;

is($status, 0, 'gdb.sh --batch exits 0') or diag($out);
like($out, qr/^Hardware assisted breakpoint 1 at 0x[0-9a-f]+: file kernel\/kmain\.c/m,
	'a hardware breakpoint is set on kmain, with its source file');
like($out, qr/^Breakpoint 1, kmain \(bi=0x[0-9a-f]+/m, 'the breakpoint is hit');
like($out, qr/^dynflags: stopped at kmain$/m, 'the program counter is kmain');
like($out, qr/^#0  kmain \(bi=/m, 'the backtrace starts in kmain');
like($out, qr/^#1  .* in (multiboot2_main|\w+) /m, 'and names its caller');
like($out, qr/^  loader    grub-multiboot2, firmware uefi$/m, 'bootinfo reads struct boot_info');
like($out, qr/^  cmdline   ""$/m, 'the loader command line is empty (options come through fw_cfg)');
like($out, qr/LMA \(long mode active\) 1/, 'cpu-mode: the CPU is in long mode at kmain');
like($out, qr/PG \(paging\) 1/, 'cpu-mode: paging is on');
like($out, qr/killed/, 'gdb kills QEMU at the end');

# The pidfile QEMU wrote sat in a temporary directory that gdb.sh removed;
# what is left to check is that no QEMU with a gdbstub of ours still runs.
my $port = $out =~ /gdbstub on 127\.0\.0\.1:(\d+)/ ? $1 : undef;
ok(defined $port, 'gdb.sh says where the gdbstub listened');
SKIP: {
	skip 'no port', 1 unless defined $port;
	my @left = grep { /-gdb tcp:127\.0\.0\.1:$port\b/ } `ps -eo args`;
	is(scalar @left, 0, 'no QEMU is left running') or diag(@left);
}
ok(-s "$build/gdb-serial.log", 'the serial output is saved in BUILD/gdb-serial.log');

done_testing();
