#!/bin/sh
# Benchmark of every status mode of nixos-generation-info (what a status bar
# or prompt polls), at 1,000 and 10,000 system generations, in three
# variants: in sync; in sync with the numbers of a long-lived, garbage-
# collected profile (9000-9999, 90000-99999); out of sync (the system rolled
# back by one, Home Manager one generation behind).
#
# Each row: the median time of one call (hyperfine -N, no intermediate
# shell) with the status cache (a poll answered from
# $NIXOS_PROVENANCE_CACHE_DIR, how a bar runs it) and without it
# (NIXOS_PROVENANCE_NO_CACHE=1: the computation itself), each as a ratio to
# `dash -c :` measured in the same hyperfine run, so that the baseline sees
# the same machine load. Target: every cached ratio <= 2.5x.
#
# Usage: sh bench/status-bench.sh
#   BENCH_BIN=DIR      the commands to measure (default: out/bin of this checkout)
#   BENCH_SHELL=dash   the interpreter      BENCH_RUNS=200   calls per row
#   BENCH_SIZES="1000 10000"                 BENCH_CACHE=both|on|off
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${BENCH_BIN:-$here/../out/bin}
shell=${BENCH_SHELL:-dash}
runs=${BENCH_RUNS:-200}
sizes=${BENCH_SIZES:-1000 10000}
cache=${BENCH_CACHE:-both}
for tool in hyperfine "$shell" dash awk; do
	command -v "$tool" >/dev/null 2>&1 || {
		printf 'status-bench: %s is needed\n' "$tool" >&2
		exit 2
	}
done
work=$(mktemp -d "${TMPDIR:-/tmp}/nixprov-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

modes='--short --status --export --warning --json --i3blocks --waybar --i3status-rs'

# bench_pair COMMAND [ENV...]: prints "BASE_MS CMD_MS RATIO" for one
# hyperfine run of `dash -c :` and COMMAND together.
bench_pair() {
	bench_cmd=$1
	shift
	env "$@" hyperfine -N -i --style none --warmup 20 --runs "$runs" --export-csv "$work/result.csv" \
		"dash -c :" "$bench_cmd" >/dev/null 2>&1
	# CSV: command,mean,stddev,median,user,system,min,max
	awk -F, 'NR == 2 { base = $4 } NR == 3 { printf "%.3f %.3f %.2f\n", base * 1000, $4 * 1000, $4 / base }' "$work/result.csv"
}

# bench_variant LABEL: one row per mode.
bench_variant() {
	label=$1
	for mode in $modes; do
		cmd="$shell $bin/nixos-generation-info $mode"
		on=- off=-
		if [ "$cache" != off ]; then
			rm -rf "$work/cache"
			set -- $(bench_pair "$cmd" NIXOS_PROVENANCE_CACHE_DIR="$work/cache")
			on="$2 ms ${3}x"
			base=$1
			case $(awk -v r="$3" 'BEGIN { print (r <= 2.5) ? "ok" : "over" }') in
			over) over=$((over + 1)) ;;
			esac
		fi
		if [ "$cache" != on ]; then
			set -- $(bench_pair "$cmd" NIXOS_PROVENANCE_NO_CACHE=1)
			off="$2 ms ${3}x"
			base=$1
		fi
		printf '%-34s %-14s %-18s %-18s %s\n' "$label" "$mode" "$on" "$off" "$base ms"
	done
}

# relink LINK GEN: point LINK at generation GEN's store path.
relink() {
	rm -f "$1"
	ln -s "$(cd "$profiles/system-$2-link" && pwd -P)" "$1"
}

over=0
printf 'shell: %s; runs per row: %s; commands: %s\n\n' "$shell" "$runs" "$bin"
printf '%-34s %-14s %-18s %-18s %s\n' VARIANT MODE CACHED UNCACHED 'dash -c :'
for size in $sizes; do
	root=$work/root-$size
	sh "$here/make-fixture.sh" "$root" "$size" >/dev/null
	profiles=$root/nix/var/nix/profiles
	export NIXOS_PROVENANCE_ROOT="$root" HOME="$root/home/alice" USER=alice LC_ALL=C.UTF-8 TZ=UTC
	unset XDG_STATE_HOME XDG_RUNTIME_DIR
	bench_variant "$size gens, in sync"

	# A long-lived profile after garbage collection: the same number of
	# generations, numbered from 9000 (or 90000) on.
	offset=$((size * 9 - 1))
	n=1
	while [ "$n" -le "$size" ]; do
		mv "$profiles/system-$n-link" "$profiles/system-$((n + offset))-link"
		n=$((n + 1))
	done
	rm -f "$profiles/system"
	ln -s "system-$((size + offset))-link" "$profiles/system"
	bench_variant "$size gens, numbered $((1 + offset))-$((size + offset))"

	# Out of sync: rolled back by one, Home Manager one behind.
	relink "$root/run/current-system" $((size + offset - 1))
	hm=$((size / 10 + 1))
	rm -f "$HOME/.local/state/home-manager/gcroots/current-home"
	ln -s "$(cd "$HOME/.local/state/nix/profiles/home-manager-$((hm - 1))-link" && pwd -P)" "$HOME/.local/state/home-manager/gcroots/current-home"
	bench_variant "$size gens, out of sync"
	rm -rf "$root"
done
printf '\ncached rows over 2.5x: %s\n' "$over"
[ "$over" -eq 0 ]
