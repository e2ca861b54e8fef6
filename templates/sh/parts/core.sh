# shellcheck shell=sh
# The runtime core: paths, messages, the shell quoter.
# Shared by every command and by lib/build-status.sh. Every name here starts
# with prov_ (functions and globals alike) so sourcing never clobbers a
# caller's names. Functions hand results back in prov_ret instead of printing
# them, so callers need no $(...) subshell: a fork saved on every status poll.

# Every absolute path the runtime reads is under this prefix; tests point it
# at a fixture tree, real systems leave it empty.
prov_root=${NIXOS_PROVENANCE_ROOT:-}
prov_profiles=$prov_root/nix/var/nix/profiles
prov_current=$prov_root/run/current-system
prov_booted=$prov_root/run/booted-system

prov_warn() {
	printf '%s: %s\n' "${prov_prog:-nixos-provenance}" "$*" >&2
}

# prov_die STATUS MESSAGE...
prov_die() {
	prov_status=$1
	shift
	prov_warn "$@"
	exit "$prov_status"
}

# prov_sh_quote VALUE: prov_ret = VALUE as one single-quoted shell word.
# The runtime's only shell escaper (mirrors generator/escape/shell.ts).
prov_sh_quote() {
	prov_ret=
	prov_rest=$1
	while :; do
		case $prov_rest in
		*\'*)
			prov_ret=$prov_ret${prov_rest%%\'*}\'\\\'\'
			prov_rest=${prov_rest#*\'}
			;;
		*)
			prov_ret=\'$prov_ret$prov_rest\'
			return 0
			;;
		esac
	done
}

# prov_usage_error MESSAGE: the one way a command refuses its arguments:
# the message and the usage text on stderr, exit $prov_exit_usage (each
# command's generated prov_usage and exit codes come from the schema).
prov_usage_error() {
	prov_warn "$*"
	prov_usage >&2
	exit "$prov_exit_usage"
}
