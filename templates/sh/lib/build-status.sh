# shellcheck shell=sh
# Source it from sh, bash or zsh:   . /etc/nixos-provenance/build-status.sh
# (the NixOS module's stable path; /etc/nixos/lib/build-status.sh is an opt-in alias).
# It defines functions and prov_* globals only: no output, no set -e/-u, no
# change to IFS or the caller's options, and sourcing it twice is harmless.
# The public functions (the names without prov_) run under `emulate -L sh`
# in zsh, so zsh's own option defaults (no word splitting, NOMATCH) do not
# apply inside them and nothing leaks out of them.
#
# Where things are (both can be set in the environment before calling):
#   NIXOS_PROVENANCE_LOG_DIR         the wrapper's records (default: the module's logDir)
#   NIXOS_PROVENANCE_HISTORY_LENGTH  entries kept in build-history.json (default: historyLength)
# get_current_generation_json and get_generation_short run
# nixos-generation-info, create_status_report runs nixos-build-status (both
# found next to the calling command, else on PATH); the other generation
# functions use the same detection code as nixos-generation-info, no fork.

# Sourced under the caller's options: set -a would export every prov_*
# global (to every command the caller runs later), so it is off while the
# parts load (before the first assignment) and back on after.
case $- in
*a*)
	set +a
	prov_api_src_opts=a
	;;
*) prov_api_src_opts= ;;
esac

# The parts live in nixos-provenance/ beside this file. A sourced file cannot
# know its own path in POSIX sh, so the Nix package writes it in place of the
# token; from a checkout, set NIXOS_PROVENANCE_LIBDIR (or source it from bash
# or zsh, which can tell).
prov_libdir='@libdir@'
case $prov_libdir in
@*@)
	prov_libdir=${NIXOS_PROVENANCE_LIBDIR:-}
	if [ -z "$prov_libdir" ] && [ -n "${BASH_SOURCE:-}" ]; then
		# shellcheck disable=SC3028,SC3054 # bash only, guarded
		prov_libdir=${BASH_SOURCE%/*}
	elif [ -z "$prov_libdir" ] && [ -n "${ZSH_VERSION:-}" ]; then
		prov_libdir=${0%/*}
	fi
	;;
esac
for prov_l in @PARTS@; do
	if ! [ -f "$prov_libdir/nixos-provenance/$prov_l.sh" ]; then
		command printf '%s\n' "build-status.sh: cannot read $prov_libdir/nixos-provenance/$prov_l.sh (the nixos-provenance library parts); set NIXOS_PROVENANCE_LIBDIR" >&2
		case $prov_api_src_opts in *a*) set -a ;; esac
		return 70
	fi
	# shellcheck source=/dev/null
	. "$prov_libdir/nixos-provenance/$prov_l.sh"
done
# The sibling commands the functions run: the package's own bin/ when this
# is an installed library, else PATH; never a prov_bindir from the caller's
# environment.
prov_bindir=
if [ -x "$prov_libdir/../bin/nixos-build-status" ]; then
	prov_bindir=$prov_libdir/../bin
fi
case $prov_api_src_opts in *a*) set -a ;; esac
