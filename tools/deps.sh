#!/usr/bin/env bash
# deps.sh: install the Debian packages dynflags needs, saying what it installs.
#
#   tools/deps.sh           check, and install whatever is missing
#   tools/deps.sh --quiet   the same, but silent when nothing is missing
#   tools/deps.sh --list    print the package list and exit
#
# It uses apt-get as root, or through sudo. Without either, it stops and
# prints the command to run.
set -euo pipefail

packages=(
	gcc make binutils perl      # build, and prove (the test harness)
	clang libclang-rt-14-dev    # libFuzzer targets
	qemu-system-x86 ovmf        # the machine and its UEFI firmware
	grub-common grub-efi-amd64-bin grub-pc-bin xorriso mtools   # the ISO
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

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
	[[ $quiet -eq 1 ]] || echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

echo "deps: installing missing Debian packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo)
else
	echo "deps: cannot install without root. Run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: installed ${missing[*]}"
