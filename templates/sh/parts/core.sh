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

# prov_colours: prov_c_green, prov_c_red, prov_c_yellow, prov_c_bold and
# prov_c_off = colour sequences when stdout is a terminal (not a dumb one)
# and NO_COLOR is unset, else all empty. On a terminal, one process makes
# the escape character (the scripts' own bytes stay ASCII).
prov_colours() {
	prov_c_green=
	prov_c_red=
	prov_c_yellow=
	prov_c_bold=
	prov_c_off=
	{ [ -t 1 ] && [ -z "${NO_COLOR-}" ] && [ "${TERM-}" != dumb ]; } || return 0
	prov_c_esc=$(printf '\033')
	prov_c_green="${prov_c_esc}[32m"
	prov_c_red="${prov_c_esc}[31m"
	prov_c_yellow="${prov_c_esc}[33m"
	prov_c_bold="${prov_c_esc}[1m"
	prov_c_off="${prov_c_esc}[0m"
}

prov_warn() {
	command printf '%s: %s\n' "${prov_prog:-nixos-provenance}" "$*" >&2
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

# prov_usage: the command's --help text, kept beside the parts
# (usage/<command>.txt, generated from the schema). cat, not read: the text
# is UTF-8, which yash cannot read in the C locale.
prov_usage() {
	command cat -- "$prov_libdir/nixos-provenance/usage/$prov_prog.txt"
}

# prov_usage_error MESSAGE: the one way a command refuses its arguments:
# the message and the usage text on stderr, exit $prov_exit_usage (each
# command's generated prov_usage and exit codes come from the schema).
prov_usage_error() {
	prov_warn "$*"
	prov_usage >&2
	exit "$prov_exit_usage"
}

# prov_parse_args MAX rest|words DEFAULT-MODE ARGS...: the argument loop of
# every command. Each command's generated prov_parse sets its prov_opt_*
# defaults and calls it; its generated prov_parse_option knows the flags
# (and calls prov_parse_mode / _value / _switch). MAX positional words;
# `rest`: words after `--` are passed through (prov_opt_rest).
prov_parse_args() {
	prov_parse_max=$1
	prov_parse_rest_words=
	[ "$2" = words ] || prov_parse_rest_words=1
	prov_parse_default=$3
	shift 3
	prov_opt_mode=
	prov_opt_rest=
	prov_parse_flag=
	prov_npos=0
	while [ "$#" -gt 0 ]; do
		prov_parse_took=1
		case $1 in
		-h | --help)
			prov_usage
			exit "$prov_exit_ok"
			;;
		--)
			shift
			prov_parse_rest "$@"
			break
			;;
		--?*=*)
			prov_parse_inline=${1#*=}
			prov_parse_option "${1%%=*}" inline || prov_usage_error "unknown option: ${1%%=*}"
			;;
		-[1-9] | -[1-9]*[0-9])
			# -N: a word (a generation counted back from the current one), not an option.
			case ${1#-} in
			*[!0-9]*) prov_usage_error "unknown option: $1" ;;
			esac
			prov_parse_word "$1"
			;;
		-?*)
			prov_parse_inline=${2-}
			prov_parse_option "$1" "$#" || prov_usage_error "unknown option: $1"
			;;
		*) prov_parse_word "$1" ;;
		esac
		[ "$prov_parse_took" -eq 1 ] || shift
		shift
	done
	[ -n "$prov_opt_mode" ] || prov_opt_mode=$prov_parse_default
}

# prov_parse_value FLAG NAME HOW: prov_parse_val = the flag's value
# (inline, or the next word), which must not be empty.
prov_parse_value() {
	prov_parse_val=$prov_parse_inline
	case $3 in
	inline) ;;
	*)
		[ "$3" -ge 2 ] || prov_parse_val=
		prov_parse_took=2
		;;
	esac
	[ -n "$prov_parse_val" ] || prov_usage_error "$1 needs a non-empty $2"
}

# prov_parse_switch FLAG HOW: a flag without a value.
prov_parse_switch() {
	[ "$2" != inline ] || prov_usage_error "$1 takes no value"
}

# prov_parse_mode MODE FLAG: one flag of the mode group only.
prov_parse_mode() {
	[ -z "$prov_opt_mode" ] || [ "$prov_opt_mode" = "$1" ] || prov_usage_error "$prov_parse_flag and $2 cannot be combined"
	prov_opt_mode=$1
	prov_parse_flag=$2
}

# prov_parse_word WORD: one more positional argument (prov_pos_N).
prov_parse_word() {
	prov_npos=$((prov_npos + 1))
	[ "$prov_npos" -le "$prov_parse_max" ] || prov_usage_error "too many arguments: $1"
	eval "prov_pos_$prov_npos=\$1"
}

# prov_parse_rest WORDS...: what follows `--`: passed through, shell-quoted,
# in prov_opt_rest (commands with a rest), else more positional arguments.
prov_parse_rest() {
	for prov_l in "$@"; do
		if [ -n "$prov_parse_rest_words" ]; then
			prov_sh_quote "$prov_l"
			prov_opt_rest=${prov_opt_rest:+$prov_opt_rest }$prov_ret
		else
			prov_parse_word "$prov_l"
		fi
	done
}

# prov_parse_count MIN MAX MESSAGE: the subcommand's number of words.
prov_parse_count() {
	[ "$prov_npos" -ge "$1" ] && [ "$prov_npos" -le "$2" ] && return 0
	prov_usage_error "$3"
}

# prov_parse_modes SUBCOMMAND MODE...: the mode chosen is one SUBCOMMAND takes.
prov_parse_modes() {
	prov_parse_sub=$1
	shift
	for prov_l in "$@"; do
		[ "$prov_l" != "$prov_opt_mode" ] || return 0
	done
	prov_usage_error "$prov_parse_sub does not take $prov_parse_flag"
}
