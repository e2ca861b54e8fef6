#!/bin/sh
# Benchmark of the status modes of nixos-generation-info and of
# `nixos-metadata list --json`, on fixtures with 10, 100 and 1,000 system
# generations (bench/make-fixture.sh), in sync, plus one rolled-back case.
#
# For each mode: the median time per call (hyperfine, no intermediate shell)
# and its ratio to `dash -c :` measured in the same hyperfine run.
# Targets: status modes <= 3x `dash -c :` at 1,000 generations; list --json
# of 1,000 generations under 100 ms.
#
# Usage: sh bench/status-bench.sh      (env: BENCH_SHELL=dash, BENCH_RUNS=100,
#                                        BENCH_SIZES="10 100 1000")
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../out/bin
shell=${BENCH_SHELL:-dash}
runs=${BENCH_RUNS:-100}
sizes=${BENCH_SIZES:-10 100 1000}
for tool in hyperfine jq "$shell" dash; do
	command -v "$tool" >/dev/null 2>&1 || {
		printf 'status-bench: %s is needed\n' "$tool" >&2
		exit 2
	}
done
work=$(mktemp -d "${TMPDIR:-/tmp}/nixprov-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

modes='--short --status --export --warning --i3blocks --waybar --i3status-rs --json'

# bench_run LABEL: hyperfine over the baseline and every mode, one table row each.
bench_run() {
	label=$1
	shift
	set -- hyperfine -N -i --style none --warmup 10 --runs "$runs" --export-json "$work/result.json" "dash -c :"
	[ "$shell" = dash ] || set -- "$@" "$shell -c :"
	for mode in $modes; do
		set -- "$@" "$shell $bin/nixos-generation-info $mode"
	done
	set -- "$@" "$shell $bin/nixos-metadata list --json"
	"$@" >/dev/null 2>&1
	jq -r --arg lab "$label" '
		(.results[0].median) as $base
		| .results[]
		| [$lab, (.command | sub("^[^ ]+ [^ ]*/"; "")), (.median * 1000 * 100 | round / 100), (.median / $base * 100 | round / 100)]
		| @tsv' "$work/result.json" |
		while IFS='	' read -r l cmd ms ratio; do
			printf '%-22s %-42s %8s ms %7sx\n' "$l" "$cmd" "$ms" "$ratio"
		done
}

printf '%-22s %-42s %11s %8s\n' FIXTURE COMMAND MEDIAN 'VS DASH'
for size in $sizes; do
	root="$work/root $size"
	sh "$here/make-fixture.sh" "$root" "$size"
	export NIXOS_PROVENANCE_ROOT="$root" HOME="$root/home/alice" USER=alice LC_ALL=C.UTF-8 TZ=UTC
	unset XDG_STATE_HOME
	bench_run "$size gens, in sync"
done
# Rolled back to the middle generation: the slow path (one [ -ef ] per link).
half=$((size / 2))
rm "$root/run/current-system"
ln -s "$(cd "$root/nix/var/nix/profiles/system-$half-link" && pwd -P)" "$root/run/current-system"
modes='--short --export'
bench_run "$size gens, rolled back"
