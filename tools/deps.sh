#!/usr/bin/env bash
# deps.sh: install the Debian packages dynflags needs, saying what it installs.
#
#   tools/deps.sh           check, and install whatever is missing
#   tools/deps.sh --quiet   the same, but silent when nothing is missing
#   tools/deps.sh --list    print the package list and exit
#
# The list is complete for a bare Debian 12 (a `debootstrap --variant=minbase`
# system with nothing added): it names every tool the build and the tests
# call, not only the big ones. It uses apt-get as root, or through sudo
# (asking for a password only when there is a terminal to ask on). Without
# either, it stops and prints the command to run. On a system without
# dpkg (not Debian) it prints the list, for you to install by hand.
set -euo pipefail

packages=(
	make gcc libc6-dev binutils # build: cc, as, ld, objcopy; make itself
	perl                        # prove (the test harness), the test scripts
	procps                      # ps (tests/boot/gdb.t: no QEMU left behind)
	git                         # tests/host/layers.t lists the tracked sources
	clang libclang-rt-14-dev    # libFuzzer targets
	qemu-system-x86 ovmf        # the machine and its UEFI firmware
	grub-common grub-efi-amd64-bin grub-pc-bin xorriso mtools   # the ISO
	xz-utils                    # grub-mkrescue --compress=xz
	gnu-efi                     # the project's own UEFI loader
	libroaring-dev libjudy-dev  # benchmark baselines
	linux-image-amd64           # Linux, to compare with (tests/boot/linux.t)
	gdb                         # make gdb
	librsvg2-bin                # PNG pictures (the SVG needs nothing)
)

quiet=0
case "${1:-}" in
--quiet) quiet=1 ;;
--list) printf '%s\n' "${packages[@]}"; exit 0 ;;
"") ;;
*) echo "usage: $0 [--quiet|--list]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "deps: not a Debian system (no dpkg-query or apt-get): nothing checked." >&2
	echo "deps: install your system's equivalents of: ${packages[*]}" >&2
	# make run/test/bench/picture go on: the tools may be there all the same.
	[[ $quiet -eq 1 ]] && exit 0 || exit 1
fi

# One dpkg-query for the whole list; a package it does not know is missing.
declare -A installed=()
while read -r name status; do
	[[ $status == "install ok installed" ]] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
	[[ -n ${installed[$p]:-} ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	[[ $quiet -eq 1 ]] || echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

command_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
echo "deps: installing missing Debian packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
	sudo=()
elif command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
	sudo=(sudo)
else
	echo "deps: cannot install without root or sudo. Run, as root:" >&2
	echo "  $command_line" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get update -qq ||
   ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null; then
	echo "deps: apt-get failed. The command was:" >&2
	echo "  ${sudo[*]}${sudo:+ }$command_line" >&2
	exit 1
fi
echo "deps: installed ${missing[*]}"
