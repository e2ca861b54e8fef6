#!/bin/sh
# Build a fake NixOS machine with N system generations (and N/10 + 1 Home
# Manager generations) under ROOT, laid out as test/helpers/fixture.ts does,
# in sync: the profile, /run/current-system, /run/booted-system and Home
# Manager's current-home all point at the newest generation.
#
# Every generation has its own commit (and every third its own nixpkgs), so
# list, diff and audit show real differences.
#
# Usage: sh bench/make-fixture.sh ROOT N   (exit 64 on wrong arguments)
set -eu
if [ "$#" -ne 2 ]; then
	printf 'usage: sh bench/make-fixture.sh ROOT N (a fake NixOS tree with N generations under ROOT)\n' >&2
	exit 64
fi
root=$1
count=$2
case $count in
'' | *[!0-9]* | 0*)
	printf 'make-fixture: N must be a number from 1, got: %s\n' "$count" >&2
	exit 64
	;;
esac

# hexid N SALT: 40 hex digits, different in the first 7 for every N (a
# multiplicative hash), so short commits differ too.
hexid() {
	printf '%07x%08x%08x%08x%09x' $((($1 * 2654435761 + $2) % 268435456)) $((($1 * 40503 + $2 * 7919) % 4294967296)) \
		$((($1 * 2246822519 + $2) % 4294967296)) $((($1 * 3266489917 + $2 * 31) % 4294967296)) $((($1 * 668265263 + $2) % 68719476736))
}
store=$root/nix/store
profiles=$root/nix/var/nix/profiles
home=$root/home/alice
state=$home/.local/state
mkdir -p "$store" "$profiles" "$root/run" "$state/nix/profiles" "$state/home-manager/gcroots"

kernel=$store/00000000000000000000000000000000-linux-6.6.30
initrd=$store/00000000000000000000000000000001-initrd-linux-6.6.30
modules=$store/00000000000000000000000000000000-linux-6.6.30-modules
mkdir -p "$kernel" "$initrd" "$modules/lib/modules/6.6.30"
: >"$kernel/bzImage"
: >"$initrd/initrd"

n=1
while [ "$n" -le "$count" ]; do
	hash=$(printf '%032d' "$n")
	top=$store/$hash-nixos-system-benchhost-24.05.20240101.abcdef0
	commit=$(hexid "$n" 17)
	nixpkgs=$(hexid $((n / 3 + 1000)) 91)
	mkdir -p "$top/etc"
	printf '24.05.20240101.abcdef0' >"$top/nixos-version"
	printf '%s' "$commit" >"$top/configuration-revision"
	cat >"$top/etc/nixos-metadata" <<EOF
# /etc/nixos-metadata: provenance of this NixOS generation (nixos-provenance, schema 1).
METADATA_SCHEMA_VERSION='1'

# Git Information
GIT_COMMIT='$commit'
GIT_SHORT_COMMIT='$(printf '%.7s' "$commit")'
GIT_DIRTY='false'
GIT_LAST_MODIFIED='20250109'
GIT_SOURCE_URL='https://github.com/owner/nixos-config/tree/$commit'

# Flake Input Revisions
NIXPKGS_REV='$nixpkgs'
NIXPKGS_NARHASH='sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
HOME_MANAGER_REV='def4567abc8901def4567abc8901def4567abc89'

# System Information
HOSTNAME='benchhost'
SYSTEM='x86_64-linux'
BUILD_DATE='20250109'
FLAKE_URL='github:owner/nixos-config/$commit'
EOF
	ln -s "$kernel/bzImage" "$top/kernel"
	ln -s "$initrd/initrd" "$top/initrd"
	ln -s "$modules" "$top/kernel-modules"
	ln -s "$top" "$profiles/system-$n-link"
	n=$((n + 1))
done
last=$((n - 1))
ln -s "system-$last-link" "$profiles/system"
ln -s "$top" "$root/run/current-system"
ln -s "$top" "$root/run/booted-system"

hm=$((count / 10 + 1))
n=1
while [ "$n" -le "$hm" ]; do
	gen=$store/$(printf '%032d' $((n + 1000000)))-home-manager-generation
	mkdir -p "$gen"
	ln -s "$gen" "$state/nix/profiles/home-manager-$n-link"
	n=$((n + 1))
done
ln -s "home-manager-$hm-link" "$state/nix/profiles/home-manager"
ln -s "$gen" "$state/home-manager/gcroots/current-home"
