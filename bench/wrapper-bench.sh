#!/bin/sh
# nixos-build-wrapper's overhead: the fake nixos-rebuild of test/fakes run
# directly against the same build run through the wrapper (terminal output
# to /dev/null, log and records written), for 10k, 100k and 1M lines of
# build output. Two baselines: the direct run with its output thrown away
# (/dev/null), and the direct run piped through `tee FILE` into a fresh file
# on the same disk as the log (the least that showing a build live while
# logging it costs). Prints a table: mean time of each (hyperfine), the
# wrapper's ratio to each, and the peak memory
# (max RSS of the largest process, GNU time's %M) of the direct run and the
# wrapper. Target: ratio <= 1.1 at 1M lines, and wrapper memory that does
# not grow with the output.
#
#   sh bench/wrapper-bench.sh            (RUNS=5 SIZES="10000 100000 1000000")
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${RUNS:-5}
sizes=${SIZES:-10000 100000 1000000}

for tool in hyperfine jq; do
	command -v "$tool" >/dev/null 2>&1 || {
		printf 'wrapper-bench: %s is needed\n' "$tool" >&2
		exit 1
	}
done
timebin=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	timebin=/usr/bin/time
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wrapper-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A minimal machine: one system generation, running.
mkdir -p "$work/root/nix/store/x-nixos-system" "$work/root/nix/var/nix/profiles" "$work/root/run" "$work/home" "$work/tools" "$work/logs"
ln -s "$work/root/nix/store/x-nixos-system" "$work/root/nix/var/nix/profiles/system-1-link"
ln -s system-1-link "$work/root/nix/var/nix/profiles/system"
ln -s "$work/root/nix/store/x-nixos-system" "$work/root/run/current-system"
# Only the fake nixos-rebuild (no nh, no nom): the plain tee path.
ln -s "$root/test/fakes/_build.sh" "$work/tools/_build.sh"
ln -s "$root/test/fakes/nixos-rebuild" "$work/tools/nixos-rebuild"
export NIXOS_PROVENANCE_ROOT="$work/root" HOME="$work/home" NIXOS_PROVENANCE_LOG_DIR="$work/logs"
export PATH="$work/tools:$PATH"
wrapper=$root/out/bin/nixos-build-wrapper

mean() {
	jq -r '.results[0].mean' "$1"
}

peak() {
	if [ -z "$timebin" ]; then
		printf 'n/a'
		return 0
	fi
	"$timebin" -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || :
	awk '{ printf "%.1f MB", $1 / 1024 }' "$work/rss"
}

printf '%-9s %10s %10s %10s %8s %8s %11s %11s\n' lines direct '|tee' wrapper 'w/direct' 'w/|tee' 'direct RSS' 'wrapper RSS'
for n in $sizes; do
	hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/d.json" \
		"env FAKE_LINES=$n nixos-rebuild build --flake /etc/nixos" >/dev/null 2>&1
	hyperfine --warmup 1 --runs "$runs" --export-json "$work/f.json" --prepare "rm -f '$work/logs/direct.log'" \
		"FAKE_LINES=$n nixos-rebuild build --flake /etc/nixos | tee '$work/logs/direct.log' >/dev/null" >/dev/null 2>&1
	hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/w.json" \
		"env FAKE_LINES=$n dash $wrapper os build" >/dev/null 2>&1
	d=$(mean "$work/d.json")
	f=$(mean "$work/f.json")
	w=$(mean "$work/w.json")
	drss=$(FAKE_LINES=$n peak nixos-rebuild build --flake /etc/nixos)
	wrss=$(FAKE_LINES=$n peak dash "$wrapper" os build)
	awk -v n="$n" -v d="$d" -v f="$f" -v w="$w" -v dr="$drss" -v wr="$wrss" \
		'BEGIN { printf "%-9s %9.3fs %9.3fs %9.3fs %7.2fx %7.2fx %11s %11s\n", n, d, f, w, w / d, w / f, dr, wr }'
done
