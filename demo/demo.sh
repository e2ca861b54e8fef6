#!/bin/sh
# nixos-provenance demo: builds a realistic fake NixOS machine in a temporary
# directory (a dozen generations with varied commits and nixpkgs revisions,
# the newest dirty and with a specialisation added, booted on an older
# kernel, Home Manager behind, a failed and a successful recorded build) and
# runs the commands against it, printing each command and its output. Runs
# on any Linux with a POSIX shell; nothing outside the temporary directory
# is read or written.
#
# Usage: sh demo/demo.sh [DIR]   (npm run demo; nix run .#demo)
#   DIR: where to build the machine (default: a new mktemp -d directory,
#   kept afterwards so you can go on exploring; remove it when done).
# The commands are taken from PATH; from a checkout, out/bin is put first.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$here/../out/bin/nixos-generation-info" ]; then
	PATH=$(cd "$here/../out/bin" && pwd):$PATH
fi
for command in nixos-generation-info nixos-metadata nixos-build-status nixos-build-wrapper; do
	command -v "$command" >/dev/null 2>&1 || {
		printf 'demo: %s is not on PATH (run from a checkout, or through nix run .#demo)\n' "$command" >&2
		exit 69
	}
done
fixture=${NIXOS_PROVENANCE_DEMO_FIXTURE:-$here/../bench/make-fixture.sh}

if [ "$#" -gt 1 ]; then
	printf 'usage: sh demo/demo.sh [DIR]\n' >&2
	exit 64
fi
root=${1:-$(mktemp -d "${TMPDIR:-/tmp}/nixos-provenance-demo.XXXXXX")}
mkdir -p "$root"
if [ -n "$(ls -A "$root")" ]; then
	printf 'demo: %s is not empty; give a new or empty directory\n' "$root" >&2
	exit 73
fi

# ---------------------------------------------------------------- the machine
sh "$fixture" "$root" 12 >/dev/null
profiles=$root/nix/var/nix/profiles
store=$root/nix/store
top() { readlink "$profiles/system-$1-link"; }
hm_state=$root/home/alice/.local/state

# One generation every other day of January 2025 (the links' times are what
# `nixos-metadata list` shows as the date).
n=1
while [ "$n" -le 12 ]; do
	touch -h -t "202501$(printf '%02d' $((n * 2)))0930" "$profiles/system-$n-link"
	n=$((n + 1))
done

# Generation 12 was built from a dirty tree and adds a `gaming` specialisation.
g12=$(top 12)
sed "s/^GIT_DIRTY='false'/GIT_DIRTY='true'/" "$g12/etc/nixos-metadata" >"$g12/etc/nixos-metadata.new"
mv "$g12/etc/nixos-metadata.new" "$g12/etc/nixos-metadata"
printf '%s-dirty' "$(cat "$g12/configuration-revision")" >"$g12/configuration-revision"
mkdir -p "$g12/specialisation/gaming"

# Generations 11 and 12 run a newer kernel; the machine was booted into 10.
kernel=$store/00000000000000000000000000000002-linux-6.12.8
initrd=$store/00000000000000000000000000000003-initrd-linux-6.12.8
mkdir -p "$kernel" "$initrd" "$kernel-modules/lib/modules/6.12.8"
: >"$kernel/bzImage"
: >"$initrd/initrd"
for n in 11 12; do
	t=$(top "$n")
	rm -f "$t/kernel" "$t/initrd" "$t/kernel-modules"
	ln -s "$kernel/bzImage" "$t/kernel"
	ln -s "$initrd/initrd" "$t/initrd"
	ln -s "$kernel-modules" "$t/kernel-modules"
done
rm -f "$root/run/booted-system"
ln -s "$(top 10)" "$root/run/booted-system"

# Home Manager: generation 3 is built, 2 is still the active one.
hm3=$store/00000000000000000000000001000003-home-manager-generation
mkdir -p "$hm3"
ln -s "$hm3" "$hm_state/nix/profiles/home-manager-3-link"
rm -f "$hm_state/nix/profiles/home-manager"
ln -s home-manager-3-link "$hm_state/nix/profiles/home-manager"

# Two recorded builds, made by the real nixos-build-wrapper around a stand-in
# nixos-rebuild: one failing, then one succeeding.
logs=$root/var/log/nixos-builds
fakebin=$root/demo-bin
mkdir -p "$logs" "$fakebin" "$root/etc/nixos"
cat >"$fakebin/nixos-rebuild" <<'REBUILD'
#!/bin/sh
# A stand-in for nixos-rebuild: prints what a build prints, fails on request.
printf 'building the system configuration...\n'
printf "these 3 derivations will be built:\n  /nix/store/aaaa-hello-2.12.1.drv\n"
printf 'building '"'"'/nix/store/aaaa-hello-2.12.1.drv'"'"'...\n'
if [ -n "${DEMO_BUILD_FAILS:-}" ]; then
	printf "error: builder for '/nix/store/aaaa-hello-2.12.1.drv' failed with exit code 2;\n       last 1 log lines:\n       > make: *** [Makefile:12: all] Error 2\n" >&2
	exit 1
fi
printf 'activating the configuration...\n'
exit 0
REBUILD
chmod +x "$fakebin/nixos-rebuild"

export NIXOS_PROVENANCE_ROOT="$root" HOME="$root/home/alice" USER=alice NIXOS_PROVENANCE_LOG_DIR="$logs"
build() {
	PATH=$fakebin:$PATH nixos-build-wrapper os switch --no-nh --flake "$root/etc/nixos" --log-dir "$logs" >/dev/null 2>&1 || :
}
DEMO_BUILD_FAILS=1 build
build

# ---------------------------------------------------------------- the tour
show() {
	printf '\n$ %s\n' "$*"
	"$@" || printf '(exit %s)\n' "$?"
}

printf 'nixos-provenance demo: a fake NixOS machine in %s\n' "$root"
printf '(12 generations, the newest dirty with a new specialisation, booted into 10 on an\n'
printf 'older kernel, Home Manager behind, one failed and one successful recorded build)\n'
show nixos-generation-info
show nixos-generation-info --short
show nixos-generation-info --waybar
show nixos-metadata
show nixos-metadata list
show nixos-metadata diff 11 12
show nixos-metadata audit
show nixos-metadata reproduce 11
show nixos-build-status
show nixos-build-status --prometheus

cat <<EXPLORE

Keep exploring: the machine stays in $root. Point the commands at it with
  export NIXOS_PROVENANCE_ROOT='$root' HOME='$root/home/alice' USER=alice NIXOS_PROVENANCE_LOG_DIR='$logs'
then try nixos-metadata --json, nixos-generation-info --json, nixos-build-status --verbose,
nixos-metadata 7 --field GIT_COMMIT (from a checkout, with PATH=\$PWD/out/bin:\$PATH).
Remove it with: rm -rf '$root'
EXPLORE
