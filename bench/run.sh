#!/bin/sh
# npm run bench: every bench/*-bench.sh, one after the other.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
status=0
for script in "$here"/*-bench.sh; do
	[ -e "$script" ] || continue
	printf '### %s\n' "${script##*/}"
	sh "$script" || status=1
done
exit "$status"
