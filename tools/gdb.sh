#!/usr/bin/env bash
# gdb.sh: boot dynflags halted in QEMU and attach gdb with the kernel's symbols.
#
#   tools/gdb.sh BUILD_DIR [--batch] [run-qemu options] [-- extra QEMU args]
#
# QEMU starts through tools/run-qemu (OVMF with a fresh VARS copy, -no-reboot,
# -net none) with its CPU halted (-S) and its gdbstub on a free port of
# 127.0.0.1. gdb loads BUILD_DIR/kernel.elf and tools/dynflags.gdb, connects,
# and runs the kernel to the first instruction of kmain().
#
#   interactive (default): gdb's prompt at kmain. Try `bt`, `bootinfo`,
#       `cpu-mode`, `next`, `serial` (the kernel's serial output, which is
#       also saved in BUILD_DIR/gdb-serial.log). `quit` ends QEMU too.
#   --batch: runs to kmain, prints where it stopped, the backtrace and the
#       boot information, then kills QEMU. Exit status 0 only if it stopped
#       at kmain. Used by tests/boot/gdb.t.
#
# Options after BUILD_DIR go to tools/run-qemu, e.g. --mem 6G --cmdline ktest=none.
# QEMU never outlives this script: it is killed on every exit, and run-qemu's
# timeout (DYNFLAGS_GDB_TIMEOUT seconds; 180 in batch mode, 3600 otherwise)
# bounds both.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 && $1 != -* ]] || usage
build=$1; shift
batch=0
qemu_opts=() qemu_extra=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	--batch) batch=1; shift ;;
	-h|--help) usage ;;
	--) shift; qemu_extra=("$@"); break ;;
	*) qemu_opts+=("$1"); shift ;;
	esac
done

elf=$build/kernel.elf
iso=$build/dynflags.iso
for f in "$elf" "$iso"; do
	[[ -f $f ]] || { echo "gdb.sh: no $f (run make BUILD=$build iso first)" >&2; exit 2; }
done
command -v gdb >/dev/null || { echo "gdb.sh: gdb is not installed (tools/deps.sh installs it)" >&2; exit 2; }

if [[ $batch -eq 1 ]]; then limit=${DYNFLAGS_GDB_TIMEOUT:-180}; else limit=${DYNFLAGS_GDB_TIMEOUT:-3600}; fi
serial_log=$build/gdb-serial.log
tmp=$(mktemp -d)
qemu_job=

# Ends QEMU (by the pid it wrote), then its run-qemu wrapper.
cleanup() {
	local pid=
	[[ -s $tmp/qemu.pid ]] && pid=$(<"$tmp/qemu.pid")
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	[[ -z $qemu_job ]] || wait "$qemu_job" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A TCP port that is free now. Another program may take it before QEMU
# does; then QEMU exits at once and we try another.
free_port() {
	perl -MIO::Socket::INET -e \
		'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0) or die "$!\n"; print $s->sockport'
}

# Whether something listens on 127.0.0.1:$1 (from /proc/net/tcp, state 0A).
listening() {
	local hex
	hex=$(printf '%04X' "$1")
	grep -q "^ *[0-9]*: 0100007F:$hex 00000000:0000 0A" /proc/net/tcp
}

port=
for attempt in 1 2 3; do
	port=$(free_port)
	rm -f "$tmp/qemu.pid"
	# setsid: QEMU gets its own session, so a Ctrl-C meant for gdb
	# (which stops the kernel) does not end QEMU.
	setsid "$root/tools/run-qemu" --image "$iso" --timeout "$limit" "${qemu_opts[@]}" \
		-- -S -gdb "tcp:127.0.0.1:$port" -pidfile "$tmp/qemu.pid" "${qemu_extra[@]}" \
		>"$serial_log" 2>&1 </dev/null &
	qemu_job=$!
	for _ in $(seq 100); do
		listening "$port" && break
		kill -0 "$qemu_job" 2>/dev/null || break
		sleep 0.1
	done
	listening "$port" && break
	wait "$qemu_job" 2>/dev/null || true
	qemu_job=
	echo "gdb.sh: QEMU did not open its gdbstub on port $port (attempt $attempt):" >&2
	tail -n 5 "$serial_log" >&2
	[[ $attempt -lt 3 ]] || exit 1
done
echo "gdb.sh: QEMU halted, gdbstub on 127.0.0.1:$port, serial output in $serial_log" >&2

export DYNFLAGS_SERIAL_LOG=$serial_log
gdb_args=(-nx -q "$elf" -x "$root/tools/dynflags.gdb" -ex "target remote 127.0.0.1:$port")
if [[ $batch -eq 1 ]]; then
	out=$tmp/gdb.out
	status=0
	timeout -k 5 "$limit" gdb -batch "${gdb_args[@]}" \
		-ex dynflags-kmain -ex 'echo --- backtrace\n' -ex bt \
		-ex 'echo --- boot information\n' -ex bootinfo \
		-ex 'echo --- CPU mode\n' -ex cpu-mode -ex kill \
		</dev/null >"$out" 2>&1 || status=$?
	cat "$out"
	if [[ $status -eq 124 ]]; then
		echo "gdb.sh: gdb timed out after ${limit}s" >&2
		exit 1
	fi
	grep -q '^dynflags: stopped at kmain$' "$out" || {
		echo "gdb.sh: did not stop at kmain; the serial output ends:" >&2
		tail -n 20 "$serial_log" >&2
		exit 1
	}
	echo "gdb.sh: stopped at kmain"
	exit 0
fi

trap - INT   # a Ctrl-C now belongs to gdb, which stops the kernel
echo "gdb.sh: running to kmain; then try: bt, bootinfo, cpu-mode, next, serial, continue, quit" >&2
gdb "${gdb_args[@]}" -ex dynflags-kmain -ex bootinfo
