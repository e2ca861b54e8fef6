#!/bin/sh
# Benchmark of the status modes of nixos-generation-info and of
# `nixos-metadata list --json`, on fixtures with 10, 100 and 1,000 system
# generations (bench/make-fixture.sh), in sync; then, at the largest size,
# booted before the last switches, rolled back by one, rolled back to half.
#
# For each mode: the median time per call (hyperfine, no intermediate shell)
# and its ratio to `dash -c :` measured in the same hyperfine run (one run
# per command, so that the baseline sees the same load as the command).
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

# bench_one LABEL COMMAND: one hyperfine run of `dash -c :` and COMMAND
# together (so that both see the same machine load), one table row.
bench_one() {
	hyperfine -N -i --style none --warmup 10 --runs "$runs" --export-json "$work/result.json" \
		"dash -c :" "$2" >/dev/null 2>&1
	jq -r '[(.results[0].median * 1000 * 1000 | round / 1000), (.results[1].median * 1000 * 100 | round / 100),
		(.results[1].median / .results[0].median * 100 | round / 100)] | @tsv' "$work/result.json" |
		while IFS='	' read -r base ms ratio; do
			printf '%-26s %-38s %8s ms %7sx  (dash -c : %s ms)\n' "$1" "${2#* */out/bin/}" "$ms" "$ratio" "$base"
		done
}

# bench_run LABEL: every status mode and list --json.
bench_run() {
	[ "$shell" = dash ] || bench_one "$1" "$shell -c :"
	for mode in $modes; do
		bench_one "$1" "$shell $bin/nixos-generation-info $mode"
	done
	bench_one "$1" "$shell $bin/nixos-metadata list --json"
}

# relink NAME N: point run/NAME at generation N's store path.
relink() {
	rm "$root/run/$1"
	ln -s "$(cd "$root/nix/var/nix/profiles/system-$2-link" && pwd -P)" "$root/run/$1"
}

printf '%-26s %-38s %11s %8s\n' FIXTURE COMMAND MEDIAN RATIO
for size in $sizes; do
	root="$work/root $size"
	sh "$here/make-fixture.sh" "$root" "$size"
	export NIXOS_PROVENANCE_ROOT="$root" HOME="$root/home/alice" USER=alice LC_ALL=C.UTF-8 TZ=UTC
	unset XDG_STATE_HOME
	bench_run "$size gens, in sync"
done
# The other usual situations, on the largest fixture.
modes='--short --export'
relink booted-system $((size - 3))
bench_run "$size, booted 3 before"
relink booted-system "$size"
relink current-system $((size - 1))
bench_run "$size, rolled back 1"
# The slow path: the running generation far below the newest (one
# [ -ef ] per link).
relink current-system $((size / 2))
bench_run "$size, rolled back to half"
