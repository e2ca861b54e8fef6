# shellcheck shell=sh
# The build runs live: its output goes to the terminal as it comes (through
# tee, never held in memory) and into a temporary log next to the records.
# Afterwards, under a lock, the log, last-build.json and build-history.json
# are each written to a temporary file in the log directory and renamed into
# place, so a crash at any moment leaves the previous files whole.

# A known IFS and no CDPATH: word splitting and cd behave the same whatever
# the caller exported.
# What the builder must get back (prov_bw_builder): CDPATH as the caller
# exported it, and SHELL (script(1) needs its own).
prov_bw_cdpath_set=${CDPATH+1}
prov_bw_cdpath=${CDPATH-}
prov_bw_shell_set=${SHELL+1}
prov_bw_shell=${SHELL-}
IFS=' 	
'
unset CDPATH

# prov_bw_now: prov_bw_iso = local time, ISO 8601 with a colon in the offset;
# prov_bw_epoch = seconds since the epoch. One date(1) for both.
prov_bw_now() {
	prov_bw_iso=$(date '+%Y-%m-%dT%H:%M:%S%z %s')
	prov_bw_epoch=${prov_bw_iso##* }
	prov_bw_iso=${prov_bw_iso% *}
	case $prov_bw_iso in
	*[+-][0-9][0-9][0-9][0-9]) prov_bw_iso=${prov_bw_iso%??}:${prov_bw_iso#"${prov_bw_iso%??}"} ;;
	esac
	case $prov_bw_epoch in
	'' | *[!0-9]*) prov_bw_epoch=$(awk 'BEGIN { srand(); print srand() }') ;;
	esac
}

# prov_bw_word ARG: prov_ret = ARG as it would be typed: bare when it holds
# only characters a shell does not interpret, single-quoted otherwise.
prov_bw_word() {
	case $1 in
	'' | *[!A-Za-z0-9_./:=@%+,-]*) prov_sh_quote "$1" ;;
	*) prov_ret=$1 ;;
	esac
}

# prov_bw_generation: prov_ret = `g42` / `hm12` (the newest generation of the
# profile the build changes), or `unknown`.
prov_bw_generation() {
	if [ "$prov_bw_target" = os ]; then
		prov_gen_latest "$prov_profiles" system
		prov_bw_pfx=g
	else
		prov_hm_detect
		prov_ret=$prov_hm_latest
		prov_bw_pfx=hm
	fi
	if [ -n "$prov_ret" ]; then
		prov_ret=$prov_bw_pfx$prov_ret
	else
		prov_ret=unknown
	fi
}

# prov_bw_snapshot: prov_ret = `nixos-generation-info --json` on one line,
# or null when it cannot be had.
prov_bw_snapshot() {
	prov_ret=null
	prov_bs_tool nixos-generation-info || return 0
	prov_bw_snap=$("$prov_ret" --json 2>/dev/null) || prov_bw_snap=
	prov_ret=null
	# The record is one line: a multi-line document is joined (JSON strings
	# cannot hold a raw line break, so this changes no value).
	case $prov_bw_snap in
	*"$prov_bw_nl"* | *"$prov_bw_cr"*) prov_bw_snap=$(printf '%s\n' "$prov_bw_snap" | command tr '\n\r' '  ') ;;
	esac
	case $prov_bw_snap in
	*[!\ ]*) ;;
	*) return 0 ;;
	esac
	# Trim the blanks tr left, then accept only an object.
	prov_bw_snap=${prov_bw_snap%"${prov_bw_snap##*[! ]}"}
	prov_bw_snap=${prov_bw_snap#"${prov_bw_snap%%[! ]*}"}
	case $prov_bw_snap in
	\{*\}) prov_ret=$prov_bw_snap ;;
	esac
}

# prov_bw_abs PATH: prov_ret = PATH made absolute against the physical
# working directory (no fork when it already is).
prov_bw_abs() {
	case $1 in
	/*) prov_ret=$1 ;;
	*)
		prov_ret=$(pwd -P 2>/dev/null) || prov_ret=
		[ -n "$prov_ret" ] || return 1
		prov_ret=${prov_ret%/}/$1
		;;
	esac
}

# prov_bw_chain_ok: succeed when DIR = $prov_bw_chain_dir (absolute) and every directory
# above it are safe to keep records in; prov_ret = the reason otherwise.
# Above DIR, each existing component must be a real directory (never a
# symlink), owned by root or by us, and not writable by anyone else unless
# sticky (/tmp): then no other user can replace any component, so the path
# means the same directory from the check to the last write. Returns 1 to
# refuse, 2 when a component is not a directory (nothing can be written
# there: the caller falls back). DIR itself,
# when it exists, follows prov_bw_dir_rules. One ls(1) for the whole path
# (operands that are prefixes of one another sort shortest first).
prov_bw_chain_ok() {
	case $prov_bw_chain_dir in
	*"$prov_bw_nl"*)
		prov_ret="the log directory's name contains a line break"
		return 1
		;;
	esac
	prov_bw_rest=${prov_bw_chain_dir#/}
	prov_bw_pfx=
	set --
	while [ -n "$prov_bw_rest" ]; do
		prov_bw_comp=${prov_bw_rest%%/*}
		case $prov_bw_rest in
		*/*) prov_bw_rest=${prov_bw_rest#*/} ;;
		*) prov_bw_rest= ;;
		esac
		case $prov_bw_comp in
		'' | .) continue ;;
		esac
		prov_bw_pfx=$prov_bw_pfx/$prov_bw_comp
		[ -e "$prov_bw_pfx" ] || [ -L "$prov_bw_pfx" ] || break
		set -- "$@" "$prov_bw_pfx"
	done
	[ "$#" -gt 0 ] || return 0
	prov_bw_ls=$(LC_ALL=C command ls -ldn -- "$@" 2>/dev/null) || prov_bw_ls=
	prov_bw_n=0
	while IFS=' ' read -r prov_bw_mode prov_bw_nlink prov_bw_uid prov_bw_more; do
		prov_bw_n=$((prov_bw_n + 1))
		eval "prov_bw_pfx=\${$prov_bw_n}"
		if [ "$prov_bw_pfx" = "$prov_bw_chain_dir" ]; then
			prov_bw_dir_rules "$prov_bw_pfx" || return 1
			continue
		fi
		case $prov_bw_mode in
		l*)
			prov_ret="$prov_bw_pfx is a symbolic link"
			return 1
			;;
		d*) ;;
		*)
			prov_ret="$prov_bw_pfx is not a directory"
			return 2
			;;
		esac
		if [ "$prov_bw_uid" != 0 ] && [ "$prov_bw_uid" != "$prov_bw_myuid" ]; then
			prov_ret="$prov_bw_pfx (above the log directory) belongs to another user (uid $prov_bw_uid): they could swap the directory"
			return 1
		fi
		case $prov_bw_mode in
		?????????[tT]*) ;;
		????w????* | ???????w??*)
			prov_ret="$prov_bw_pfx (above the log directory) is writable by other users ($prov_bw_mode)"
			return 1
			;;
		esac
	done <<EOF_LS
$prov_bw_ls
EOF_LS
	: "$prov_bw_nlink" "$prov_bw_more"
	if [ "$prov_bw_n" -ne "$#" ]; then
		prov_ret="cannot read the permissions of $prov_bw_chain_dir"
		return 1
	fi
	return 0
}

# prov_bw_dir_rules DIR: the rules for the log directory itself, from the
# ls(1) fields prov_bw_chain_ok read (prov_bw_mode, prov_bw_uid): not a
# symlink, owned by root or by us, not writable by others; writable by its
# group only in the shared layout (root-owned, setgid). Sets prov_bw_shared.
prov_bw_dir_rules() {
	prov_bw_shared=
	case $prov_bw_mode in
	l*)
		prov_ret="$1 is a symbolic link"
		return 1
		;;
	d???????w?*)
		prov_ret="$1 is writable by every user ($prov_bw_mode)"
		return 1
		;;
	d????w????*)
		# Group-writable: only the shared layout an administrator sets up on
		# purpose (the NixOS module's default, root:wheel 2770): owned by
		# root, setgid. Its group is trusted with the records, not with
		# making root write anywhere else (hence the care below).
		case $prov_bw_mode in
		d?????[sS]*)
			if [ "$prov_bw_uid" = 0 ]; then
				prov_bw_shared=1
				return 0
			fi
			;;
		esac
		prov_ret="$1 is writable by its group ($prov_bw_mode) and is not a root-owned setgid directory"
		return 1
		;;
	d*) ;;
	*)
		prov_ret="$1 is not a directory"
		return 1
		;;
	esac
	if [ "$prov_bw_uid" != 0 ] && [ "$prov_bw_uid" != "$prov_bw_myuid" ]; then
		prov_ret="$1 belongs to another user (uid $prov_bw_uid)"
		return 1
	fi
	return 0
}

# prov_bw_open FD SUFFIX: create a new temporary file in the log directory
# and open it on descriptor FD (5, 6 or 7), exclusively: the name is
# unpredictable (mktemp -u), the shell creates it with O_EXCL (set -C), and
# it is only ever written through FD, never reopened by name (a member of
# the log group may unlink and replace any name in a shared directory).
# prov_ret = the name.
prov_bw_open() {
	prov_bw_try=0
	while [ "$prov_bw_try" -lt 3 ]; do
		prov_bw_try=$((prov_bw_try + 1))
		prov_bw_name=$(command mktemp -u "$prov_bw_dir/.nixos-build.$$.XXXXXXXXXX" 2>/dev/null) || return 1
		prov_bw_name=$prov_bw_name.$2
		# Never asked to open a name that exists (yash loops on a dangling
		# symlink under set -C).
		if [ -e "$prov_bw_name" ] || [ -L "$prov_bw_name" ]; then continue; fi
		# set -C inside the group: its 2>/dev/null is opened before (dash
		# refuses to open /dev/null itself under set -C).
		if { set -C; eval "command exec $1>\"\$prov_bw_name\""; } 2>/dev/null; then
			set +C
			# O_EXCL made it, unless the name was a link to a device or FIFO
			# (set -C lets those be opened): then it is not a regular file.
			if [ -f "/dev/fd/$1" ]; then
				prov_ret=$prov_bw_name
				return 0
			fi
			eval "exec $1>&-"
			return 1
		fi
		set +C
	done
	return 1
}

# prov_bw_try_dir DIR: check DIR (and what is above it), create it when
# missing, check again, and open the temporary log in it (descriptor 5).
# Returns 1 when DIR cannot be written (the caller may fall back), 2 when it
# must be refused.
prov_bw_try_dir() {
	[ -n "$1" ] || return 1
	prov_bw_abs "$1" || return 1
	prov_bw_chain_dir=$prov_ret
	prov_bw_chain_ok
	case $? in
	1) return 2 ;;
	2) return 1 ;;
	esac
	if ! [ -d "$prov_bw_chain_dir" ] && ! [ -L "$prov_bw_chain_dir" ]; then
		(umask 022 && command mkdir -p -- "$prov_bw_chain_dir") 2>/dev/null || return 1
		prov_bw_chain_ok || return 2
	fi
	[ -d "$prov_bw_chain_dir" ] && [ -w "$prov_bw_chain_dir" ] || return 1
	prov_bw_dir=$prov_bw_chain_dir
	if ! prov_bw_open 5 log; then
		prov_bw_dir=
		return 1
	fi
	prov_bw_tmplog=$prov_ret
	prov_bw_logfd=1
	return 0
}

# prov_bw_choose_dir: prov_bw_dir = where the records go ('' when nowhere)
# and the temporary log on descriptor 5 (in a private temporary directory
# when there are no records, so errors can still be extracted).
prov_bw_choose_dir() {
	prov_bw_dir=
	prov_bw_tmpdir=
	prov_bw_tmplog=
	prov_bw_logfd=
	if [ -n "$prov_opt_log_dir" ]; then
		prov_bw_want=$prov_opt_log_dir
	else
		prov_bw_want=${NIXOS_PROVENANCE_LOG_DIR:-$prov_root$prov_default_log_dir}
	fi
	prov_bw_try_dir "$prov_bw_want"
	case $? in
	0) return 0 ;;
	2)
		prov_warn "refusing to keep build records: $prov_ret; the build runs without them"
		;;
	1)
		prov_bs_fallback_dir
		prov_bw_fallback=$prov_ret
		if [ -z "$prov_bw_fallback" ]; then
			prov_warn "$prov_bw_want is not writable and there is no per-user directory (HOME is not an absolute path); the build runs without records"
		else
			prov_bw_try_dir "$prov_bw_fallback"
			case $? in
			0)
				prov_warn "note: $prov_bw_want is not writable; build records go to $prov_bw_fallback"
				return 0
				;;
			2) prov_warn "refusing to keep build records: $prov_ret; the build runs without them" ;;
			*) prov_warn "neither $prov_bw_want nor $prov_bw_fallback is writable; the build runs without records" ;;
			esac
		fi
		;;
	esac
	prov_bw_dir=
	prov_bw_scratch || return 0
	prov_bw_tmplog=$prov_bw_tmpdir/build.log
	if { command exec 5>"$prov_bw_tmplog"; } 2>/dev/null; then
		prov_bw_logfd=1
	else
		prov_bw_tmplog=
	fi
}

# prov_bw_scratch: prov_bw_tmpdir = a private directory (mktemp -d: ours,
# mode 700) for what never goes into the log directory, or return 1.
prov_bw_scratch() {
	[ -n "$prov_bw_tmpdir" ] && return 0
	case ${TMPDIR-} in
	/*) prov_bw_t=$TMPDIR ;;
	*) prov_bw_t=/tmp ;;
	esac
	prov_bw_tmpdir=$(command mktemp -d "${prov_bw_t%/}/nixos-build.XXXXXX" 2>/dev/null) || prov_bw_tmpdir=
	[ -n "$prov_bw_tmpdir" ]
}

# prov_bw_plan "$@": choose the tool; set the builder's argv as the
# positional parameters of prov_bw_run (through prov_bw_argv_* below).
prov_bw_has() {
	command -v "$1" >/dev/null 2>&1
}

prov_bw_resolve_flake() {
	if [ -n "$prov_bw_flake" ]; then
		return 0
	fi
	if [ "$prov_bw_target" = os ]; then
		prov_bw_flake=${NH_OS_FLAKE:-${NH_FLAKE:-}}
	else
		prov_bw_flake=${NH_HOME_FLAKE:-${NH_FLAKE:-}}
	fi
	[ -n "$prov_bw_flake" ] || prov_bw_flake=$prov_root/etc/nixos
}

# prov_bw_pick_tool: prov_bw_tool, prov_bw_nom ('' or 1).
prov_bw_pick_tool() {
	prov_bw_nom=
	if [ -z "$prov_opt_no_nh" ] && prov_bw_has nh; then
		prov_bw_tool=nh
	elif [ "$prov_bw_target" = os ]; then
		prov_bw_tool=nixos-rebuild
		prov_bw_has nom && prov_bw_nom=1
	else
		prov_bw_tool=home-manager
	fi
	# Refused before anything starts (no record, no log): a shell's own
	# "not found" would be the only message otherwise.
	prov_bw_has "$prov_bw_tool" && return 0
	case $prov_bw_tool in
	nixos-rebuild) prov_l='it comes with NixOS; or install nh' ;;
	home-manager) prov_l='Home Manager provides it: programs.home-manager.enable = true; or install nh' ;;
	*) prov_l='install it' ;;
	esac
	prov_die "$prov_exit_notFound" "$prov_bw_tool is not installed ($prov_l); nothing was built"
}

# prov_bw_json_argv "$@": prov_bw_argv_json = the JSON array, prov_bw_cmd =
# the display string.
prov_bw_json_argv() {
	prov_bw_argv_json=
	prov_bw_cmd=
	for prov_bw_arg do
		prov_json_str "$prov_bw_arg"
		prov_bw_argv_json=$prov_bw_argv_json${prov_bw_argv_json:+,}$prov_ret
		prov_bw_word "$prov_bw_arg"
		prov_bw_cmd=$prov_bw_cmd${prov_bw_cmd:+ }$prov_ret
	done
	prov_bw_argv_json=[$prov_bw_argv_json]
	[ -n "$prov_bw_nom" ] && prov_bw_cmd="$prov_bw_cmd 2>&1 | nom --json"
	:
}

# prov_bw_builder "$@": run the builder with the caller's environment as it
# came: CDPATH back (unset above for our own use), SHELL untouched except for
# script(1), which runs its command with $SHELL (the command it runs sets
# the caller's SHELL back before exec).
prov_bw_builder() {
	if [ -n "$prov_bw_cdpath_set" ]; then
		CDPATH=$prov_bw_cdpath
		export CDPATH
	fi
	if [ -n "$prov_bw_pty" ]; then
		SHELL=/bin/sh "$@"
	else
		"$@"
	fi
}

# prov_bw_left "$@": the left side of the build's pipe: the builder, then
# its status on fd 3.
prov_bw_left() {
	trap : INT
	prov_bw_builder "$@" 2>&1 3>&- 4>&- 5>&-
	printf '%s\n' "$?" >&3
}

# prov_bw_tee: the log (fd 5, as /dev/fd/6 for tee) and stdout; `tee` on
# fd 3 when it could not write everything.
prov_bw_tee() {
	trap '' INT
	command tee -a -- /dev/fd/6 6>&5 5>&- 3>&- 4>&- || printf '%s\n' tee >&3
}

# prov_bw_run "$@": run the builder, live, into the temporary log (written
# by tee through /dev/fd: the descriptor opened once, never the name); sets
# prov_bw_code to its exit status and prov_bw_logfail when tee could not
# write everything (a full disk). The status comes back on fd 3 from the
# left side of the pipe (POSIX sh has no pipefail); fds 3, 4 and 5 are
# closed for the builder so nothing it leaves running can hold the pipe or
# the log open.
# The builder keeps the default SIGINT (Ctrl-C stops it); tee and nom ignore
# it, so the log and the display get everything the builder printed before
# it stopped (they end when their input does).
prov_bw_run() {
	if [ -n "$prov_bw_json" ]; then
		exec 4>&2
	else
		exec 4>&1
	fi
	[ -n "$prov_bw_logfd" ] || exec 5>/dev/null
	prov_bw_pty_plan
	if [ -n "$prov_bw_pty" ]; then
		# On a terminal, the builder gets one too (a pseudo-terminal from
		# util-linux script(1)), so nh, nix and nom keep their colours and
		# live display; the bytes still go through tee into the log.
		prov_bw_shcmd=
		for prov_bw_arg do
			prov_sh_quote "$prov_bw_arg"
			prov_bw_shcmd="$prov_bw_shcmd $prov_ret"
		done
		if [ -n "$prov_bw_shell_set" ]; then
			prov_sh_quote "$prov_bw_shell"
			prov_bw_shcmd="SHELL=$prov_ret; export SHELL; exec$prov_bw_shcmd"
		else
			prov_bw_shcmd="unset SHELL; exec$prov_bw_shcmd"
		fi
		set -- script -qefc "$prov_bw_shcmd" /dev/null
	fi
	if [ -n "$prov_bw_nom" ]; then
		prov_bw_out=$({ prov_bw_left "$@" | prov_bw_tee | (trap '' INT && exec nom --json >&4 2>&1 3>&- 4>&- 5>&-); } 3>&1) || :
	else
		prov_bw_out=$({ prov_bw_left "$@" | prov_bw_tee >&4; } 3>&1) || :
	fi
	exec 4>&-
	prov_bw_code=
	prov_bw_logfail=
	for prov_bw_l in $prov_bw_out; do
		case $prov_bw_l in
		tee) prov_bw_logfail=1 ;;
		*) prov_bw_code=$prov_bw_l ;;
		esac
	done
	case $prov_bw_code in
	'' | *[!0-9]*) prov_bw_code=1 ;;
	esac
	# 130 is what a shell reports for a build stopped by SIGINT; through a
	# pseudo-terminal Ctrl-C reaches the builder only, so it is the sign.
	if [ "$prov_bw_code" = 130 ]; then
		prov_bw_interrupted=1
	fi
	if [ -n "$prov_bw_interrupted" ]; then
		prov_bw_code=130
	fi
}

# prov_bw_pty_plan: prov_bw_pty=1 when the build's output goes to a terminal,
# util-linux script(1) is there, nom is not in the pipeline (it draws on the
# terminal itself) and NIXOS_PROVENANCE_NO_PTY is unset.
prov_bw_pty_plan() {
	prov_bw_pty=
	[ -z "$prov_bw_nom" ] && [ -z "${NIXOS_PROVENANCE_NO_PTY-}" ] || return 0
	if [ -n "$prov_bw_json" ]; then
		[ -t 2 ] || return 0
	else
		[ -t 1 ] || return 0
	fi
	prov_bw_has script || return 0
	case $(script -V 2>/dev/null) in
	*util-linux*) prov_bw_pty=1 ;;
	esac
}

# prov_bw_extract: the record's error keys (prov_br_*), from the temporary
# log read through its descriptor (/dev/fd/5: the file we wrote, whatever
# its name now points to). A failed build's log is read whole, once (awk,
# streaming). A successful build has no error blocks to report: only its
# last phase is looked for, in the last 4 MiB of the log, among the lines
# that can name one (grep first: a build of a million lines costs
# milliseconds here, not a second pass of awk).
prov_bw_extract() {
	prov_br_errors='""'
	prov_br_errorBlocks='[]'
	prov_br_failedDerivations='[]'
	prov_br_lastPhase='"unknown"'
	[ -n "$prov_bw_logfd" ] || return 0
	if [ "$prov_bw_code" = 0 ]; then
		prov_bw_out=$(command tail -c 4194304 </dev/fd/5 | LC_ALL=C command grep -E 'Running phase: |building .?/nix/store/' |
			command tail -n 20 | LC_ALL=C command awk -v what=record "$prov_json_awk_lib$prov_bs_log_awk") || :
	else
		prov_bw_out=$(LC_ALL=C command awk -v what=record "$prov_json_awk_lib$prov_bs_log_awk" </dev/fd/5) || :
	fi
	# Four lines, each one JSON value (the log reader escapes line breaks).
	{
		IFS= read -r prov_l1 && IFS= read -r prov_l2 && IFS= read -r prov_l3 && IFS= read -r prov_l4 || return 0
	} <<EOF_RECORD
$prov_bw_out
EOF_RECORD
	case $prov_l1$prov_l2$prov_l3$prov_l4 in
	\"*\"\[*\]\[*\]\"*\")
		prov_br_errors=$prov_l1
		prov_br_errorBlocks=$prov_l2
		prov_br_failedDerivations=$prov_l3
		prov_br_lastPhase=$prov_l4
		;;
	esac
}

# prov_bw_make_record: prov_bw_rec = the record, one line of JSON.
prov_bw_make_record() {
	if [ "$prov_bw_code" = 0 ]; then prov_bw_ok=true; else prov_bw_ok=false; fi
	if [ -n "$prov_bw_interrupted" ]; then prov_bw_int=true; else prov_bw_int=false; fi
	prov_br_buildStart=$prov_bw_start_iso
	prov_br_buildEnd=$prov_bw_end_iso
	prov_br_buildDuration=$prov_bw_duration
	prov_br_target=$prov_bw_target
	prov_br_action=$prov_bw_action
	prov_br_tool=$prov_bw_tool
	prov_br_flakePath=$prov_bw_flake
	prov_br_exitCode=$prov_bw_code
	prov_br_success=$prov_bw_ok
	prov_br_interrupted=$prov_bw_int
	prov_br_hostname=$prov_bw_host
	prov_br_user=$prov_bw_user
	prov_br_command=$prov_bw_cmd
	prov_br_argv=$prov_bw_argv_json
	prov_br_generationBefore=$prov_bw_gen_before
	prov_br_generationAfter=$prov_bw_gen_after
	prov_br_generationChange=$prov_bw_change
	prov_br_buildLogPath=$prov_bw_logpath
	prov_br_preGeneration=$prov_bw_pre
	prov_br_postGeneration=$prov_bw_post
	prov_json_BuildRecord
	prov_bw_rec=$prov_ret
}

# prov_bw_record: print the record.
prov_bw_record() {
	prov_bw_make_record
	printf '%s\n' "$prov_bw_rec"
}

# prov_bw_fd_last FD PATTERN: succeed when the last line of the file open on
# FD (read back through /dev/fd, not its name) matches PATTERN: it was
# written to the end (a full disk fails here).
prov_bw_fd_last() {
	eval "prov_bw_last=\$(command tail -n 1 </dev/fd/$1 2>/dev/null)" || return 1
	# shellcheck disable=SC2254 # PATTERN is a pattern
	case $prov_bw_last in
	$2) return 0 ;;
	esac
	return 1
}

# prov_bw_ls_link PATH: prov_ret = the target of the symlink PATH ('' when
# it is none); ls -l is POSIX where readlink(1) is not.
prov_bw_ls_link() {
	prov_ret=
	prov_bw_ls=$(LC_ALL=C command ls -ln -- "$1" 2>/dev/null) || return 0
	case $prov_bw_ls in
	l*' -> '*) prov_ret=${prov_bw_ls##* -> } ;;
	esac
}

# prov_bw_who PID: prov_ret = "process PID (user NAME)" as far as it can be told.
prov_bw_who() {
	prov_ret="process $1"
	prov_bw_ls=$(LC_ALL=C command ls -ldn -- "/proc/$1" 2>/dev/null) || return 0
	IFS=' ' read -r prov_bw_mode prov_bw_nlink prov_bw_uid prov_bw_more <<EOF_WHO
$prov_bw_ls
EOF_WHO
	: "$prov_bw_mode" "$prov_bw_nlink" "$prov_bw_more"
	case $prov_bw_uid in
	'' | *[!0-9]*) return 0 ;;
	esac
	prov_bw_uname=$(command id -nu "$prov_bw_uid" 2>/dev/null) || prov_bw_uname=
	prov_ret="process $1 (user ${prov_bw_uname:-uid $prov_bw_uid})"
}

# prov_bw_lock / prov_bw_unlock: serialise writers of the history, waiting
# at most NIXOS_PROVENANCE_LOCK_TIMEOUT seconds (then prov_ret says who
# holds the lock). flock(1) when available, on .build-history.lock: a file
# only the writers of the records can open (mode 600, or 660 in the shared
# layout), so a user who can merely read the directory cannot take the lock
# and stall every build; it is opened read-only (never created or truncated
# through a planted link), and the kernel releases the lock even after
# kill -9. Otherwise (NIXOS_PROVENANCE_NO_FLOCK=1 forces it) a symlink lock:
# .build-history.lock.pid -> PID, made atomically by symlink(2) (nothing
# written through any name), taken over when that process is certainly gone.
prov_bw_lock() {
	prov_bw_lockmode=
	prov_bw_lockln=$prov_bw_dir/.build-history.lock.pid
	prov_bw_lockfile=$prov_bw_dir/.build-history.lock
	if [ -z "${NIXOS_PROVENANCE_NO_FLOCK-}" ] && prov_bw_has flock; then
		prov_bw_lock_open || return 1
		# flock gets the descriptor as 8 (a dup): ksh-family shells keep
		# descriptors opened by exec away from the commands they run. The
		# lock belongs to the open file, which fd 9 keeps.
		if command flock -w "$prov_bw_lockwait" 8 8<&9; then
			prov_bw_lockmode='flock'
			return 0
		fi
		prov_bw_flock_holder
		exec 9<&-
		return 1
	fi
	prov_bw_tries=0
	while :; do
		if command ln -sT -- "$$" "$prov_bw_lockln" 2>/dev/null; then
			prov_bw_lockmode='ln'
			return 0
		fi
		prov_bw_ls_link "$prov_bw_lockln"
		prov_bw_holder=$prov_ret
		case $prov_bw_holder in
		*[!0-9]*) prov_bw_holder= ;;
		esac
		if [ -n "$prov_bw_holder" ] && ! prov_rec_alive "$prov_bw_holder" && prov_bw_take_over "$prov_bw_holder"; then
			continue
		fi
		prov_bw_tries=$((prov_bw_tries + 1))
		if [ "$prov_bw_tries" -gt $((prov_bw_lockwait * 10)) ]; then
			if [ -n "$prov_bw_holder" ]; then
				prov_bw_who "$prov_bw_holder"
				prov_ret="held by $prov_ret for more than $prov_bw_lockwait s"
			else
				prov_ret="$prov_bw_lockln is not a lock this wrapper made"
			fi
			return 1
		fi
		sleep 0.1 2>/dev/null || sleep 1
	done
}

# prov_bw_lock_open: fd 9 = .build-history.lock, opened read-only; created
# (exclusively, with the right mode) when missing; a symlink, or a file any
# user could open, is replaced first.
prov_bw_lock_open() {
	if [ -L "$prov_bw_lockfile" ]; then
		prov_warn "warning: $prov_bw_lockfile was a symbolic link; replaced by a regular file"
		command rm -f -- "$prov_bw_lockfile"
	elif [ -e "$prov_bw_lockfile" ]; then
		# Readable or writable by others (not ours, or from an older
		# version): anyone could hold it. Replaced.
		prov_bw_ls=$(LC_ALL=C command ls -ln -- "$prov_bw_lockfile" 2>/dev/null) || prov_bw_ls=
		case $prov_bw_ls in
		-??????r* | -???????w*) command rm -f -- "$prov_bw_lockfile" ;;
		esac
	fi
	if ! [ -e "$prov_bw_lockfile" ] && ! [ -L "$prov_bw_lockfile" ]; then
		if [ -n "$prov_bw_shared" ]; then prov_bw_um=007; else prov_bw_um=077; fi
		(umask "$prov_bw_um" && set -C && : >"$prov_bw_lockfile") 2>/dev/null || :
	fi
	if [ -L "$prov_bw_lockfile" ] || ! [ -f "$prov_bw_lockfile" ]; then
		prov_ret="$prov_bw_lockfile is not a regular file"
		return 1
	fi
	if ! { command exec 9<"$prov_bw_lockfile"; } 2>/dev/null; then
		prov_ret="cannot open $prov_bw_lockfile"
		return 1
	fi
	if ! [ -f /dev/fd/9 ]; then
		exec 9<&-
		prov_ret="$prov_bw_lockfile is not a regular file"
		return 1
	fi
}

# prov_bw_flock_holder: prov_ret = who holds the flock of .build-history.lock
# (from /proc/locks, by inode), for the message.
prov_bw_flock_holder() {
	prov_ret="held by another process for more than $prov_bw_lockwait s"
	prov_bw_ino=$(LC_ALL=C command ls -di -- "$prov_bw_lockfile" 2>/dev/null) || return 0
	prov_bw_ino=${prov_bw_ino%% *}
	[ -r /proc/locks ] || return 0
	prov_bw_holder=$(LC_ALL=C command awk -v ino="$prov_bw_ino" '
		$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == ino) { print $5; exit } }' </proc/locks 2>/dev/null) || prov_bw_holder=
	case $prov_bw_holder in
	'' | *[!0-9]*) return 0 ;;
	esac
	prov_bw_who "$prov_bw_holder"
	prov_ret="held by $prov_ret for more than $prov_bw_lockwait s"
}

# prov_bw_lock_held: succeed while we still hold the lock (a symlink lock can
# be taken over by mistake in a three-way race; a flock cannot).
# prov_bw_take_over PID: remove the lock link when it still names PID, a
# process that is gone. Nobody else can change that link meanwhile: a new
# holder cannot make it (it exists), its holder is gone, and other waiters
# are kept out by a second link, .takeover, made the same way. (Moving the
# link away and looking afterwards could move a live holder's lock, taken
# between the look and the move.) Status 1 when another live waiter is
# taking over (the caller waits); a .takeover of a gone waiter is removed.
prov_bw_take_over() {
	if command ln -sT -- "$$" "$prov_bw_lockln.takeover" 2>/dev/null; then
		prov_bw_ls_link "$prov_bw_lockln"
		[ "$prov_ret" != "$1" ] || command rm -f -- "$prov_bw_lockln"
		command rm -f -- "$prov_bw_lockln.takeover"
		return 0
	fi
	prov_bw_ls_link "$prov_bw_lockln.takeover"
	case $prov_ret in
	'' | *[!0-9]*) return 1 ;;
	esac
	prov_rec_alive "$prov_ret" && return 1
	command rm -f -- "$prov_bw_lockln.takeover"
	return 0
}

prov_bw_lock_held() {
	[ "$prov_bw_lockmode" = ln ] || return 0
	prov_bw_ls_link "$prov_bw_lockln"
	[ "$prov_ret" = "$$" ]
}

prov_bw_unlock() {
	case $prov_bw_lockmode in
	flock) exec 9<&- ;;
	ln) prov_bw_lock_held && command rm -f -- "$prov_bw_lockln" ;;
	esac
	prov_bw_lockmode=
}

# prov_bw_sweep: remove temporary files of wrappers that are gone (certainly
# gone: another user's live wrapper is alive, see prov_rec_alive).
prov_bw_sweep() {
	for prov_bw_f in "$prov_bw_dir"/.nixos-build.*; do
		[ -e "$prov_bw_f" ] || [ -L "$prov_bw_f" ] || continue
		prov_bw_pid=${prov_bw_f##*/.nixos-build.}
		prov_bw_pid=${prov_bw_pid%%.*}
		case $prov_bw_pid in
		'' | *[!0-9]*) continue ;;
		esac
		[ "$prov_bw_pid" = "$$" ] && continue
		prov_rec_alive "$prov_bw_pid" || command rm -f -- "$prov_bw_f"
	done
}

# prov_bw_open_history: fd 8 = the old history, opened once by name and
# checked to be the regular file at that name (not a link planted between
# the check and the open, which the open would have followed).
prov_bw_open_history() {
	{ command exec 8<"$prov_bw_hist"; } 2>/dev/null || return 1
	if prov_bw_has stat; then
		prov_bw_id1=$(command stat -c '%d:%i:%F' -- "$prov_bw_hist" 2>/dev/null) || prov_bw_id1=
		prov_bw_id2=$(command stat -L -c '%d:%i:%F' -- /dev/fd/3 3<&8 2>/dev/null) || prov_bw_id2=
		case $prov_bw_id1 in
		*:regular*) [ "$prov_bw_id1" = "$prov_bw_id2" ] && return 0 ;;
		esac
	elif [ -f /dev/fd/8 ] && ! [ -L "$prov_bw_hist" ]; then
		return 0
	fi
	exec 8<&-
	return 1
}

# prov_bw_write_history: fd 7 (prov_bw_tmphist) = the old history (last
# N-1 records) plus the new record. A history that is not valid is
# converted (by jq) when it is a JSON array in another layout, otherwise moved aside with a
# warning; it is never overwritten.
prov_bw_write_history() {
	prov_bw_hist=$prov_bw_dir/build-history.json
	prov_bw_keep=$((prov_bw_histlen - 1))
	prov_bw_histfd=
	if [ -L "$prov_bw_hist" ]; then
		prov_warn "$prov_bw_hist is a symbolic link; it is replaced, not followed"
	elif [ -d "$prov_bw_hist" ]; then
		prov_warn "warning: $prov_bw_hist is a directory; this build is not added to the history"
		return 1
	elif [ -e "$prov_bw_hist" ]; then
		if ! prov_bw_open_history; then
			prov_warn "warning: $prov_bw_hist changed while it was being read; this build is not added to it"
			return 1
		fi
		prov_bw_histfd=1
	fi
	prov_bw_open 7 history || return 1
	prov_bw_tmphist=$prov_ret
	printf '[\n' >&7 || return 1
	if [ -n "$prov_bw_histfd" ]; then
		LC_ALL=C command awk -v keep="$prov_bw_keep" "$prov_awk_record_value$prov_awk_history_keep" </dev/fd/8 >&7 2>/dev/null
		case $? in
		0) ;;
		3)
			prov_bw_converted=
			if prov_bw_has jq && prov_bw_scratch &&
				LC_ALL=C command awk -v whole=1 "$prov_awk_record_value$prov_awk_history_keep" </dev/fd/8 >/dev/null 2>&1 &&
				{ printf '[\n' && command jq -c '.[]' </dev/fd/8 | command sed '$!s/$/,/' && printf ']\n'; } >"$prov_bw_tmpdir/converted" 2>/dev/null &&
				LC_ALL=C command awk -v keep="$prov_bw_keep" "$prov_awk_record_value$prov_awk_history_keep" <"$prov_bw_tmpdir/converted" >&7 2>/dev/null; then
				prov_bw_converted=1
			fi
			if [ -z "$prov_bw_converted" ]; then
				prov_bw_aside=$prov_bw_hist.corrupt-$(date +%Y%m%dT%H%M%S)-$$
				if command mv -T -- "$prov_bw_hist" "$prov_bw_aside" 2>/dev/null; then
					prov_warn "warning: $prov_bw_hist was not a valid history; moved to $prov_bw_aside and a new one started"
				else
					prov_warn "warning: $prov_bw_hist is not a valid history and cannot be moved aside; this build is not added to it"
					exec 8<&-
					return 1
				fi
			fi
			;;
		*)
			exec 8<&-
			return 1
			;;
		esac
		exec 8<&-
	fi
	printf '%s\n]\n' "$prov_bw_rec" >&7 2>/dev/null || return 1
	prov_bw_fd_last 7 ']'
}

# prov_bw_place TMP NAME: rename TMP to NAME in the log directory (mv -T:
# rename(2) itself, which replaces a symlink at NAME without following it
# and never moves into a directory there; a directory is reported).
prov_bw_place() {
	prov_bw_target_path=$prov_bw_dir/$2
	if [ -L "$prov_bw_target_path" ]; then
		prov_warn "warning: $prov_bw_target_path was a symbolic link; replaced by a regular file"
	elif [ -d "$prov_bw_target_path" ]; then
		prov_warn "warning: $prov_bw_target_path is a directory; not replaced"
		command rm -f -- "$1"
		return 1
	fi
	if [ "$2" = last-build.log ] && [ -f "$prov_bw_target_path" ] && ! [ -L "$prov_bw_target_path" ]; then
		# Freeing a big old log takes time (tens of ms per 100 MB): rename
		# it away and let a background rm free it while we finish (the exit
		# waits for it: nothing of ours is left behind a finished build; it
		# does not get fd 9, whose open file holds the flock).
		prov_bw_old=$prov_bw_dir/.nixos-build.$$.old
		if command mv -fT -- "$prov_bw_target_path" "$prov_bw_old" 2>/dev/null; then
			command rm -f -- "$prov_bw_old" >/dev/null 2>&1 9<&- &
			prov_bw_old_rm=$!
		fi
	fi
	command mv -fT -- "$1" "$prov_bw_target_path"
}

# prov_bw_discard: remove this run's temporary files in the log directory.
prov_bw_discard() {
	for prov_bw_f in "$prov_bw_tmplog" "$prov_bw_tmpjson" "$prov_bw_tmphist"; do
		[ -n "$prov_bw_f" ] && command rm -f -- "$prov_bw_f"
	done
	prov_bw_tmpjson=
	prov_bw_tmphist=
}

# prov_bw_save: write the records (under the lock). Nothing is renamed
# until every temporary file is complete; prov_bw_saved=1 when they were.
prov_bw_save() {
	prov_bw_saved=
	if [ -n "$prov_bw_logfail" ]; then
		prov_warn "error: cannot write $prov_bw_dir/last-build.log (disk full?); this build is not recorded, previous records left as they were"
		prov_bw_discard
		return 1
	fi
	prov_bw_make_record
	if ! prov_bw_open 6 json; then
		prov_warn "error: cannot create a file in $prov_bw_dir (disk full?); this build is not recorded, previous records left as they were"
		prov_bw_discard
		return 1
	fi
	prov_bw_tmpjson=$prov_ret
	if ! printf '%s\n' "$prov_bw_rec" >&6 2>/dev/null || ! prov_bw_fd_last 6 '{*}'; then
		prov_warn "error: cannot write $prov_bw_dir/last-build.json (disk full?); this build is not recorded, previous records left as they were"
		prov_bw_discard
		return 1
	fi
	prov_bw_attempt=0
	while :; do
		prov_bw_attempt=$((prov_bw_attempt + 1))
		if ! prov_bw_lock; then
			prov_warn "error: cannot lock $prov_bw_dir/build-history.json ($prov_ret); this build is not recorded"
			prov_bw_discard
			return 1
		fi
		prov_bw_sweep
		if ! prov_bw_write_history; then
			prov_warn "error: cannot write $prov_bw_dir/build-history.json (disk full?); this build is not recorded, previous records left as they were"
			prov_bw_discard
			prov_bw_unlock
			return 1
		fi
		prov_bw_lock_held && break
		# Lost the lock: the history may have moved on; write it again.
		command rm -f -- "$prov_bw_tmphist"
		prov_bw_tmphist=
		prov_bw_lockmode=
		if [ "$prov_bw_attempt" -ge 3 ]; then
			prov_warn "error: lost the lock on $prov_bw_dir/build-history.json; this build is not recorded"
			prov_bw_discard
			return 1
		fi
	done
	prov_bw_place "$prov_bw_tmplog" last-build.log
	prov_bw_place "$prov_bw_tmpjson" last-build.json
	prov_bw_place "$prov_bw_tmphist" build-history.json
	prov_bw_unlock
	prov_bw_saved=1
	return 0
}

prov_bw_summary() {
	prov_colours
	# The marks as octal escapes: the script's own bytes stay ASCII (yash
	# cannot parse UTF-8 under the C locale).
	if [ "$prov_bw_code" = 0 ]; then
		printf '%s\342\234\223%s %s %s succeeded in %ss (%s)\n' "$prov_c_green" "$prov_c_off" \
			"$prov_bw_target" "$prov_bw_action" "$prov_bw_duration" "$prov_bw_change"
	elif [ -n "$prov_bw_interrupted" ]; then
		printf '%s\342\234\227%s %s %s interrupted after %ss\n' "$prov_c_red" "$prov_c_off" \
			"$prov_bw_target" "$prov_bw_action" "$prov_bw_duration"
	else
		printf '%s\342\234\227%s %s %s failed (exit %s) after %ss\n' "$prov_c_red" "$prov_c_off" \
			"$prov_bw_target" "$prov_bw_action" "$prov_bw_code" "$prov_bw_duration"
		if [ -n "$prov_bw_logfd" ]; then
			# The log through its descriptor: still readable when it could
			# not be kept.
			LC_ALL=C command awk -v what=summary "$prov_json_awk_lib$prov_bs_log_awk" </dev/fd/5 |
				command sed 's/^/  /'
			prov_bw_phase=$(LC_ALL=C command awk -v what=phase "$prov_json_awk_lib$prov_bs_log_awk" </dev/fd/5 | command tr -d '\000-\037') || :
			printf '  last phase: %s\n' "$prov_bw_phase"
		fi
	fi
	if [ -n "$prov_bw_dir" ]; then
		if [ -n "$prov_bw_saved" ]; then
			printf '  log: %s\n' "$prov_bw_logpath"
		else
			printf '  log: not kept (the records could not be written; see above)\n'
		fi
	fi
}

prov_bw_cleanup() {
	if [ -n "$prov_bw_tmpdir" ]; then
		command rm -rf -- "$prov_bw_tmpdir"
	fi
}

prov_bw_mode_json() {
	prov_bw_record
}

prov_bw_mode_human() {
	prov_bw_summary
}

# prov_bw_unexport: variables named like ours that came from the
# environment are made plain shell variables (same value, no longer
# exported): the builder never sees our internals, and what the caller
# exported under our names is overwritten before use (every global is set
# before it is read).
prov_bw_unexport() {
	unset prov_bw_n prov_bw_v prov_bw_names
	prov_bw_names=$(command env | LC_ALL=C command sed -n 's/^\(prov_[A-Za-z0-9_]*\)=.*/\1/p')
	for prov_bw_n in $prov_bw_names; do
		case $prov_bw_n in
		prov_bw_n | prov_bw_v | prov_bw_names) continue ;;
		esac
		eval "prov_bw_v=\${$prov_bw_n-}"
		unset "$prov_bw_n"
		eval "$prov_bw_n=\$prov_bw_v"
	done
}

# prov_bw_settings: NIXOS_PROVENANCE_HISTORY_LENGTH and
# NIXOS_PROVENANCE_LOCK_TIMEOUT, checked before the build (a bad value is a
# warning now, not a failure after it).
prov_bw_settings() {
	prov_bs_history_length
	prov_bw_histlen=$prov_ret
	prov_bw_lockwait=${NIXOS_PROVENANCE_LOCK_TIMEOUT:-30}
	case $prov_bw_lockwait in
	'' | *[!0-9]* | 0*) prov_bw_lockwait=bad ;;
	??????*) prov_bw_lockwait=bad ;;
	esac
	if [ "$prov_bw_lockwait" = bad ] || [ "$prov_bw_lockwait" -gt 3600 ]; then
		prov_warn "NIXOS_PROVENANCE_LOCK_TIMEOUT must be a number of seconds from 1 to 3600; using 30"
		prov_bw_lockwait=30
	fi
}

prov_main() {
	prov_bw_unexport
	prov_parse "$@"
	eval "set -- $prov_opt_rest"
	prov_bw_target=$prov_arg_target
	prov_bw_action=$prov_arg_action
	prov_bw_flake=$prov_opt_flake
	prov_bw_json=
	[ "$prov_opt_mode" = json ] && prov_bw_json=1
	[ -n "$prov_bw_target" ] || prov_bw_target=os
	[ -n "$prov_bw_action" ] || prov_bw_action=switch
	if [ "$prov_bw_target" = home ]; then
		case $prov_bw_action in
		boot | test) prov_usage_error "home has no '$prov_bw_action' action (switch, build, dry-build, dry-activate)" ;;
		esac
	fi
	# Only os needs NixOS: standalone Home Manager builds anywhere.
	if [ "$prov_bw_target" = os ] && ! prov_nixos_present; then
		prov_die "$prov_exit_notNixos" "$prov_ret"
	fi

	# Every global the rest reads, set here first (none may come from the
	# environment: prov_bw_unexport).
	prov_bw_interrupted=
	prov_bw_dir=
	prov_bw_tmpdir=
	prov_bw_tmplog=
	prov_bw_old_rm=
	prov_bw_tmpjson=
	prov_bw_tmphist=
	prov_bw_logfd=
	prov_bw_logfail=
	prov_bw_saved=
	prov_bw_shared=
	prov_bw_lockmode=
	prov_bw_pty=
	prov_bw_nom=
	prov_bw_nl='
'
	prov_bw_cr=$(printf '\r')
	prov_bw_myuid=$(command id -u)
	prov_bw_user=${USER:-$(command id -un 2>/dev/null)}
	prov_bw_host=$(uname -n 2>/dev/null) || prov_bw_host=unknown
	prov_bw_settings

	prov_bw_resolve_flake
	prov_bw_pick_tool
	prov_bw_choose_dir
	if [ -n "$prov_bw_dir" ]; then
		prov_bw_logpath=$prov_bw_dir/last-build.log
	else
		prov_bw_logpath=
	fi

	# The builder's argv, extra arguments last and untouched.
	case $prov_bw_tool in
	nh)
		if [ "$#" -gt 0 ]; then set -- -- "$@"; fi
		case $prov_bw_action in
		dry-build) set -- build --dry "$prov_bw_flake" "$@" ;;
		dry-activate) set -- switch --dry "$prov_bw_flake" "$@" ;;
		*) set -- "$prov_bw_action" "$prov_bw_flake" "$@" ;;
		esac
		set -- nh "$prov_bw_target" "$@"
		;;
	nixos-rebuild)
		if [ -n "$prov_bw_nom" ]; then
			set -- nixos-rebuild "$prov_bw_action" --flake "$prov_bw_flake" --log-format internal-json -v "$@"
		else
			set -- nixos-rebuild "$prov_bw_action" --flake "$prov_bw_flake" "$@"
		fi
		;;
	home-manager)
		case $prov_bw_action in
		dry-build) set -- build -n --flake "$prov_bw_flake" "$@" ;;
		dry-activate) set -- switch -n --flake "$prov_bw_flake" "$@" ;;
		*) set -- "$prov_bw_action" --flake "$prov_bw_flake" "$@" ;;
		esac
		set -- home-manager "$@"
		;;
	esac
	prov_bw_json_argv "$@"

	prov_bw_snapshot
	prov_bw_pre=$prov_ret
	prov_bw_generation
	prov_bw_gen_before=$prov_ret
	prov_bw_now
	prov_bw_start_iso=$prov_bw_iso
	prov_bw_start=$prov_bw_epoch

	# From here on a signal stops the build, not the wrapper: the record of
	# the interrupted build is still written.
	trap 'prov_bw_interrupted=1' INT TERM HUP
	prov_bw_run "$@"

	prov_bw_now
	prov_bw_end_iso=$prov_bw_iso
	prov_bw_duration=$((prov_bw_epoch - prov_bw_start))
	[ "$prov_bw_duration" -ge 0 ] || prov_bw_duration=0
	prov_bw_snapshot
	prov_bw_post=$prov_ret
	prov_bw_generation
	prov_bw_gen_after=$prov_ret
	if [ "$prov_bw_gen_before" = "$prov_bw_gen_after" ]; then
		prov_bw_change="$prov_bw_gen_after (unchanged)"
	else
		prov_bw_change="$prov_bw_gen_before $(printf '\342\206\222') $prov_bw_gen_after"
	fi
	prov_bw_extract

	if [ -n "$prov_bw_dir" ] && ! prov_bw_save; then
		# Said above; the printed record must not point at the previous
		# build's log.
		prov_bw_logpath=
	fi
	prov_dispatch
	exec 5>&-
	prov_bw_cleanup
	[ -z "$prov_bw_old_rm" ] || wait "$prov_bw_old_rm" || :
	exit "$prov_bw_code"
}

prov_main "$@"
