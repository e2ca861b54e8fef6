#!/bin/sh
# Benchmark of issue 13's large cases (too slow for the test suite): 100,000
# system generations (`nixos-metadata list` and `list --json`: every date
# must be known) and 100,000 Home Manager generations (`nixos-generation-info
# --short`), each link pointing at one store path, under every shell.
#
# Usage: sh bench/garbage-bench.sh      (env: BENCH_COUNT=100000,
#                                        BENCH_SHELLS="dash bash yash")
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../out/bin
count=${BENCH_COUNT:-100000}
shells=${BENCH_SHELLS:-dash bash busybox mksh yash}
work=$(mktemp -d "${TMPDIR:-/tmp}/nixprov-garbage.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/root
profiles=$root/nix/var/nix/profiles
state=$root/home/alice/.local/state
store=$root/nix/store/00000000000000000000000000000000-nixos-system-bench
hm=$root/nix/store/00000000000000000000000000000001-home-manager-generation
mkdir -p "$store/etc" "$hm" "$profiles" "$root/run" "$state/nix/profiles" "$state/home-manager/gcroots"
printf "METADATA_SCHEMA_VERSION='1'\nGIT_COMMIT='%040d'\nGIT_SHORT_COMMIT='0000000'\nGIT_DIRTY='false'\n" 0 >"$store/etc/nixos-metadata"
printf '24.05' >"$store/nixos-version"
# ln through xargs (two operands a run), not one shell loop iteration per link.
(cd "$profiles" && seq 1 "$count" | awk -v s="$store" '{ printf "%s%csystem-%s-link%c", s, 0, $1, 0 }' | xargs -0 -n 2 ln -s)
(cd "$state/nix/profiles" && seq 1 "$count" | awk -v s="$hm" '{ printf "%s%chome-manager-%s-link%c", s, 0, $1, 0 }' | xargs -0 -n 2 ln -s)
ln -s "system-$count-link" "$profiles/system"
ln -s "$store" "$root/run/current-system"
ln -s "home-manager-$count-link" "$state/nix/profiles/home-manager"
ln -s "$hm" "$state/home-manager/gcroots/current-home"
export NIXOS_PROVENANCE_ROOT="$root" HOME="$root/home/alice" USER=alice LC_ALL=C.UTF-8 TZ=UTC NIXOS_PROVENANCE_NO_CACHE=1
unset XDG_STATE_HOME XDG_RUNTIME_DIR
# time_one LABEL COMMAND...: wall-clock seconds of one run.
time_one() {
	label=$1
	shift
	start=$(date +%s.%N)
	"$@" >"$work/out" 2>"$work/err" || :
	end=$(date +%s.%N)
	printf '%-44s %8.3f s  %s\n' "$label" "$(printf '%s - %s\n' "$end" "$start" | bc)" "$(head -c 60 "$work/out" | tr '\n' ' ')"
}
for sh in $shells; do
	case $sh in busybox) run="busybox sh" ;; *) run=$sh ;; esac
	# shellcheck disable=SC2086 # $run is the shell's argv
	time_one "$sh: --short ($count HM generations)" $run "$bin/nixos-generation-info" --short
	# shellcheck disable=SC2086
	time_one "$sh: list --json ($count system generations)" $run "$bin/nixos-metadata" list --json
	unknown=$(grep -c '"date": *"unknown"' "$work/out" || :)
	printf '%-44s %8s    dates unknown: %s\n' '' '' "$unknown"
done
