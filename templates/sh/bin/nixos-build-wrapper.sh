# shellcheck shell=sh
# The build runs live: its output goes to the terminal as it comes (through
# tee, never held in memory) and into a temporary log next to the records.
# Afterwards, under a lock, the log, last-build.json and build-history.json
# are each written to a temporary file in the log directory and renamed into
# place, so a crash at any moment leaves the previous files whole.

# A known IFS and no CDPATH: word splitting and cd behave the same whatever
# the caller exported.
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
	*"$prov_bw_nl"* | *"$prov_bw_cr"*) prov_bw_snap=$(printf '%s\n' "$prov_bw_snap" | tr '\n\r' '  ') ;;
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

# prov_bw_dir_ok DIR: succeed when DIR is a directory we may keep records in:
# not a symlink, owned by root or by us, not writable by group or others.
# prov_ret = the reason otherwise.
prov_bw_dir_ok() {
	if [ -L "$1" ]; then
		prov_ret="$1 is a symbolic link"
		return 1
	fi
	if ! [ -d "$1" ]; then
		prov_ret="$1 is not a directory"
		return 1
	fi
	prov_bw_ls=$(LC_ALL=C ls -ldn -- "$1" 2>/dev/null) || prov_bw_ls=
	IFS=' ' read -r prov_bw_mode prov_bw_nlink prov_bw_uid prov_bw_rest <<EOF
$prov_bw_ls
EOF
	: "$prov_bw_nlink" "$prov_bw_rest"
	case $prov_bw_mode in
	d???????w?*)
		prov_ret="$1 is writable by every user ($prov_bw_mode)"
		return 1
		;;
	d????w????*)
		# Group-writable: only the shared layout an administrator sets up on
		# purpose (the NixOS module's default, root:wheel 2770): owned by
		# root, setgid. Its group is trusted with the records.
		case $prov_bw_mode in
		d?????[sS]*) [ "$prov_bw_uid" = 0 ] && return 0 ;;
		esac
		prov_ret="$1 is writable by its group ($prov_bw_mode) and is not a root-owned setgid directory"
		return 1
		;;
	d*) ;;
	*)
		prov_ret="cannot read the permissions of $1"
		return 1
		;;
	esac
	if [ "$prov_bw_uid" != 0 ] && [ "$prov_bw_uid" != "$prov_bw_myuid" ]; then
		prov_ret="$1 belongs to another user (uid $prov_bw_uid)"
		return 1
	fi
	return 0
}

# prov_bw_try_dir DIR: create DIR when missing, then check it and create the
# temporary log in it. Returns 1 when DIR cannot be written (the caller may
# fall back), 2 when it must be refused.
prov_bw_try_dir() {
	if ! [ -d "$1" ] && ! [ -L "$1" ]; then
		(umask 022 && mkdir -p -- "$1") 2>/dev/null || return 1
	fi
	prov_bw_dir_ok "$1" || return 2
	[ -w "$1" ] || return 1
	prov_bw_tmplog=$1/.nixos-build.$$.log
	if [ -e "$prov_bw_tmplog" ] || [ -L "$prov_bw_tmplog" ]; then
		rm -f -- "$prov_bw_tmplog" 2>/dev/null
	fi
	(set -C && : >"$prov_bw_tmplog") 2>/dev/null || return 1
	prov_bw_dir=$1
	return 0
}

# prov_bw_choose_dir: prov_bw_dir = where the records go ('' when nowhere)
# and prov_bw_tmplog = the temporary log (in a private temp directory when
# there are no records, so errors can still be extracted).
prov_bw_choose_dir() {
	prov_bw_dir=
	prov_bw_tmpdir=
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
		prov_bw_try_dir "$prov_bw_fallback"
		case $? in
		0)
			prov_warn "note: $prov_bw_want is not writable; build records go to $prov_bw_fallback"
			return 0
			;;
		2) prov_warn "refusing to keep build records: $prov_ret; the build runs without them" ;;
		*) prov_warn "neither $prov_bw_want nor $prov_bw_fallback is writable; the build runs without records" ;;
		esac
		;;
	esac
	prov_bw_dir=
	prov_bw_tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/nixos-build.XXXXXX" 2>/dev/null) || prov_bw_tmpdir=
	if [ -n "$prov_bw_tmpdir" ]; then
		prov_bw_tmplog=$prov_bw_tmpdir/build.log
	else
		prov_bw_tmplog=/dev/null
	fi
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

# prov_bw_run "$@": run the builder, live, into the temporary log; sets
# prov_bw_code to its exit status. The status comes back on fd 3 from the
# left side of the pipe (POSIX sh has no pipefail); fds 3 and 4 are closed
# for the builder so nothing it leaves running can hold the pipe open.
# The builder keeps the default SIGINT (Ctrl-C stops it); tee and nom ignore
# it, so the log and the display get everything the builder printed before
# it stopped (they end when their input does).
prov_bw_run() {
	if [ -n "$prov_bw_json" ]; then
		exec 4>&2
	else
		exec 4>&1
	fi
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
		set -- script -qefc "exec$prov_bw_shcmd" /dev/null
	fi
	if [ -n "$prov_bw_nom" ]; then
		prov_bw_code=$(
			{
				{
					trap : INT
					"$@" 2>&1 3>&- 4>&-
					printf '%s\n' "$?" >&3
				} | (trap '' INT && exec tee -- "$prov_bw_tmplog" 3>&- 4>&-) |
					(trap '' INT && exec nom --json >&4 2>&1 3>&- 4>&-)
			} 3>&1
		) || :
	else
		prov_bw_code=$(
			{
				{
					trap : INT
					SHELL=/bin/sh "$@" 2>&1 3>&- 4>&-
					printf '%s\n' "$?" >&3
				} | (trap '' INT && exec tee -- "$prov_bw_tmplog" >&4 3>&- 4>&-)
			} 3>&1
		) || :
	fi
	exec 4>&-
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

# prov_bw_extract: prov_bw_errjson = the record's error keys. A failed
# build's log is read whole, once (awk, streaming). A successful build has
# no error blocks to report: only its last phase is looked for, in the last
# 4 MiB of the log, among the lines that can name one (grep first: a build
# of a million lines costs milliseconds here, not a second pass of awk).
prov_bw_extract() {
	prov_br_errors='""'
	prov_br_errorBlocks='[]'
	prov_br_failedDerivations='[]'
	prov_br_lastPhase='"unknown"'
	[ -f "$prov_bw_tmplog" ] || return 0
	if [ "$prov_bw_code" = 0 ]; then
		prov_bw_out=$(tail -c 4194304 -- "$prov_bw_tmplog" | LC_ALL=C grep -E 'Running phase: |building .?/nix/store/' |
			tail -n 20 | LC_ALL=C awk -v what=record "$prov_json_awk_lib$prov_bs_log_awk") || :
	else
		prov_bw_out=$(LC_ALL=C awk -v what=record "$prov_json_awk_lib$prov_bs_log_awk" "$prov_bw_tmplog") || :
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

# prov_bw_record: print the record, one line of JSON.
prov_bw_record() {
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
	printf '%s\n' "$prov_ret"
}

# prov_bw_lock / prov_bw_unlock: serialise writers of the history. flock(1)
# on the log directory itself when available (no lock file that could be
# swapped for a symlink, and the kernel releases the lock even after
# kill -9); otherwise a mkdir lock holding the owner's pid, taken over when
# that process is gone. NIXOS_PROVENANCE_NO_FLOCK=1 forces the mkdir lock.
prov_bw_lock() {
	prov_bw_lockdir=
	if [ -z "${NIXOS_PROVENANCE_NO_FLOCK-}" ] && prov_bw_has flock; then
		if exec 9<"$prov_bw_dir"; then
			# flock gets the descriptor as 8 (a dup): ksh-family shells keep
			# descriptors opened by exec away from the commands they run.
			# The lock belongs to the open directory, which fd 9 keeps.
			flock -w 120 8 8<&9 && return 0
			exec 9<&-
		fi
		return 1
	fi
	prov_bw_lockdir=$prov_bw_dir/.build-history.lock.d
	prov_bw_tries=0
	while :; do
		if mkdir -- "$prov_bw_lockdir" 2>/dev/null; then
			printf '%s\n' "$$" >"$prov_bw_lockdir/pid"
			return 0
		fi
		prov_bw_holder=
		[ -r "$prov_bw_lockdir/pid" ] && IFS= read -r prov_bw_holder <"$prov_bw_lockdir/pid"
		prov_bw_tries=$((prov_bw_tries + 1))
		# A holder that is gone (or never wrote its pid, 30 s on) left the
		# lock behind: move it away atomically, so only one waiter takes it.
		if { [ -n "$prov_bw_holder" ] && ! kill -0 "$prov_bw_holder" 2>/dev/null; } ||
			{ [ -z "$prov_bw_holder" ] && [ "$prov_bw_tries" -gt 300 ]; }; then
			if mv -- "$prov_bw_lockdir" "$prov_bw_lockdir.stale.$$" 2>/dev/null; then
				rm -rf -- "$prov_bw_lockdir.stale.$$"
			fi
			continue
		fi
		[ "$prov_bw_tries" -gt 1200 ] && return 1
		sleep 0.1 2>/dev/null || sleep 1
	done
}

prov_bw_unlock() {
	if [ -n "$prov_bw_lockdir" ]; then
		rm -rf -- "$prov_bw_lockdir"
	else
		exec 9<&-
	fi
}

# prov_bw_sweep: remove temporary files of wrappers that are gone.
prov_bw_sweep() {
	for prov_bw_f in "$prov_bw_dir"/.nixos-build.*; do
		[ -e "$prov_bw_f" ] || [ -L "$prov_bw_f" ] || continue
		prov_bw_pid=${prov_bw_f##*/.nixos-build.}
		prov_bw_pid=${prov_bw_pid%%.*}
		case $prov_bw_pid in
		'' | *[!0-9]*) continue ;;
		esac
		[ "$prov_bw_pid" = "$$" ] && continue
		kill -0 "$prov_bw_pid" 2>/dev/null || rm -f -- "$prov_bw_f"
	done
}

# The history is a JSON array with one record per line, so it can be kept
# in order and trimmed line by line:   [ / {...}, / {...} / ]
# prov_bw_history_awk prints the last `keep` records of a valid history,
# each followed by a comma; it exits 3 when the file is not in that form.
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_bw_history_awk='
NR == 1 { if ($0 != "[") bad = 1; next }
bad { next }
closed { if ($0 != "") bad = 1; next }
$0 == "]" { closed = 1; next }
{
	line = $0; sub(/,$/, "", line)
	if (line !~ /^\{.*\}$/) { bad = 1; next }
	n++
	if (keep > 0) ring[n % keep] = line
}
END {
	if (NR == 0) exit 0
	if (bad || !closed) exit 3
	start = n - keep + 1; if (start < 1) start = 1
	for (i = start; i <= n; i++) print ring[i % keep] ","
}
'

# prov_bw_write_history: $prov_bw_tmphist = the old history (last N-1
# records) plus the new record. A history that is not in our form is
# converted when jq can read it, otherwise moved aside with a warning.
prov_bw_write_history() {
	prov_bw_hist=$prov_bw_dir/build-history.json
	prov_bs_history_length
	prov_bw_keep=$((prov_ret - 1))
	prov_bw_src=/dev/null
	if [ -L "$prov_bw_hist" ]; then
		prov_warn "$prov_bw_hist is a symbolic link; it is replaced, not followed"
	elif [ -f "$prov_bw_hist" ]; then
		prov_bw_src=$prov_bw_hist
		if ! LC_ALL=C awk -v keep=0 "$prov_bw_history_awk" "$prov_bw_hist" >/dev/null 2>&1; then
			prov_bw_src=
			if prov_bw_has jq && jq -e 'type == "array"' "$prov_bw_hist" >/dev/null 2>&1; then
				prov_bw_conv=$prov_bw_dir/.nixos-build.$$.conv
				if { printf '[\n' && jq -c '.[]' "$prov_bw_hist" && printf ']\n'; } >"$prov_bw_conv" 2>/dev/null &&
					LC_ALL=C awk -v keep=0 "$prov_bw_history_awk" "$prov_bw_conv" >/dev/null 2>&1; then
					prov_bw_src=$prov_bw_conv
				fi
			fi
			if [ -z "$prov_bw_src" ]; then
				prov_bw_now
				prov_bw_aside=$prov_bw_hist.corrupt-$(date +%Y%m%dT%H%M%S)-$$
				if mv -- "$prov_bw_hist" "$prov_bw_aside"; then
					prov_warn "warning: $prov_bw_hist was not a valid history; moved to $prov_bw_aside and a new one started"
					prov_bw_src=/dev/null
				else
					prov_warn "warning: $prov_bw_hist is not a valid history and cannot be moved aside; this build is not added to it"
					return 1
				fi
			fi
		fi
	fi
	prov_bw_tmphist=$prov_bw_dir/.nixos-build.$$.history
	if [ -e "$prov_bw_tmphist" ] || [ -L "$prov_bw_tmphist" ]; then
		rm -f -- "$prov_bw_tmphist"
	fi
	{
		printf '[\n' &&
			LC_ALL=C awk -v keep="$prov_bw_keep" "$prov_bw_history_awk" "$prov_bw_src" &&
			cat -- "$prov_bw_tmpjson" &&
			printf ']\n'
	} >"$prov_bw_tmphist" 2>/dev/null || return 1
	[ -n "${prov_bw_conv-}" ] && rm -f -- "$prov_bw_conv"
	prov_bw_check_tail "$prov_bw_tmphist" ']'
}

# prov_bw_check_tail FILE LAST: succeed when FILE's last line is LAST (so
# it was written to the end: a full disk fails here).
prov_bw_check_tail() {
	prov_bw_last=$(tail -n 1 -- "$1" 2>/dev/null) || return 1
	case $prov_bw_last in
	"$2"*) return 0 ;;
	esac
	return 1
}

# prov_bw_check_record FILE: succeed when FILE is one whole line `{...}`
# (read by the shell: no fork).
prov_bw_check_record() {
	prov_bw_line=
	IFS= read -r prov_bw_line <"$1" || return 1
	case $prov_bw_line in
	\{*\}) return 0 ;;
	esac
	return 1
}

# prov_bw_place TMP NAME: rename TMP to NAME in the log directory. A symlink
# at NAME is replaced (rename never follows it); a directory there is left
# alone and reported.
prov_bw_place() {
	prov_bw_target_path=$prov_bw_dir/$2
	if [ -L "$prov_bw_target_path" ]; then
		prov_warn "warning: $prov_bw_target_path was a symbolic link; replaced by a regular file"
		rm -f -- "$prov_bw_target_path"
	elif [ -d "$prov_bw_target_path" ]; then
		prov_warn "warning: $prov_bw_target_path is a directory; not replaced"
		rm -f -- "$1"
		return 1
	fi
	if [ "$2" = last-build.log ] && [ -f "$prov_bw_target_path" ]; then
		# Freeing a big old log takes time (tens of ms per 100 MB): rename
		# it away and let a background rm free it while we finish.
		prov_bw_old=$prov_bw_dir/.nixos-build.$$.old
		if mv -f -- "$prov_bw_target_path" "$prov_bw_old" 2>/dev/null; then
			rm -f -- "$prov_bw_old" >/dev/null 2>&1 &
		fi
	fi
	mv -f -- "$1" "$prov_bw_target_path"
}

# prov_bw_save: write the records (under the lock). Nothing is renamed
# until every temporary file is complete.
prov_bw_save() {
	prov_bw_tmpjson=$prov_bw_dir/.nixos-build.$$.json
	if [ -e "$prov_bw_tmpjson" ] || [ -L "$prov_bw_tmpjson" ]; then
		rm -f -- "$prov_bw_tmpjson"
	fi
	if ! prov_bw_record >"$prov_bw_tmpjson" 2>/dev/null || ! prov_bw_check_record "$prov_bw_tmpjson"; then
		rm -f -- "$prov_bw_tmpjson" "$prov_bw_tmplog"
		prov_warn "error: cannot write $prov_bw_dir/last-build.json (disk full?); previous records left as they were"
		return 1
	fi
	if ! prov_bw_lock; then
		prov_warn "error: cannot lock $prov_bw_dir/build-history.json; this build is not recorded"
		rm -f -- "$prov_bw_tmpjson" "$prov_bw_tmplog"
		return 1
	fi
	prov_bw_sweep
	prov_bw_histok=1
	if ! prov_bw_write_history; then
		prov_bw_histok=
		rm -f -- "$prov_bw_tmphist" "${prov_bw_conv-}"
	fi
	if [ -z "$prov_bw_histok" ]; then
		prov_warn "error: cannot write $prov_bw_dir/build-history.json (disk full?); previous records left as they were"
		rm -f -- "$prov_bw_tmpjson" "$prov_bw_tmplog"
		prov_bw_unlock
		return 1
	fi
	prov_bw_place "$prov_bw_tmplog" last-build.log
	prov_bw_place "$prov_bw_tmpjson" last-build.json
	prov_bw_place "$prov_bw_tmphist" build-history.json
	prov_bw_unlock
	return 0
}

prov_bw_summary() {
	if [ -t 1 ] && [ -z "${NO_COLOR-}" ]; then
		prov_bw_green=$(printf '\033[32m')
		prov_bw_red=$(printf '\033[31m')
		prov_bw_off=$(printf '\033[0m')
	else
		prov_bw_green=''
		prov_bw_red=''
		prov_bw_off=''
	fi
	if [ "$prov_bw_code" = 0 ]; then
		printf '%s%s%s %s %s succeeded in %ss (%s)\n' "$prov_bw_green" '✓' "$prov_bw_off" \
			"$prov_bw_target" "$prov_bw_action" "$prov_bw_duration" "$prov_bw_change"
	elif [ -n "$prov_bw_interrupted" ]; then
		printf '%s%s%s %s %s interrupted after %ss\n' "$prov_bw_red" '✗' "$prov_bw_off" \
			"$prov_bw_target" "$prov_bw_action" "$prov_bw_duration"
	else
		printf '%s%s%s %s %s failed (exit %s) after %ss\n' "$prov_bw_red" '✗' "$prov_bw_off" \
			"$prov_bw_target" "$prov_bw_action" "$prov_bw_code" "$prov_bw_duration"
		if [ -f "$prov_bw_final_log" ]; then
			LC_ALL=C awk -v what=summary "$prov_json_awk_lib$prov_bs_log_awk" "$prov_bw_final_log" |
				sed 's/^/  /'
			prov_bw_phase=$(LC_ALL=C awk -v what=phase "$prov_json_awk_lib$prov_bs_log_awk" "$prov_bw_final_log" | tr -d '\000-\037') || :
			printf '  last phase: %s\n' "$prov_bw_phase"
		fi
	fi
	if [ -n "$prov_bw_dir" ]; then
		printf '  log: %s\n' "$prov_bw_logpath"
	fi
}

prov_bw_cleanup() {
	if [ -n "${prov_bw_tmpdir-}" ]; then
		rm -rf -- "$prov_bw_tmpdir"
	fi
}

prov_bw_mode_json() {
	prov_bw_record
}

prov_bw_mode_human() {
	prov_bw_summary
}

prov_main() {
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

	prov_bw_myuid=$(id -u)
	prov_bw_user=${USER:-$(id -un 2>/dev/null)}
	prov_bw_host=$(uname -n 2>/dev/null) || prov_bw_host=unknown
	prov_bw_interrupted=
	prov_bw_nl='
'
	prov_bw_cr=$(printf '\r')

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
		prov_bw_change="$prov_bw_gen_before → $prov_bw_gen_after"
	fi
	prov_bw_extract

	prov_bw_final_log=$prov_bw_tmplog
	if [ -n "$prov_bw_dir" ]; then
		if prov_bw_save; then
			prov_bw_final_log=$prov_bw_logpath
		else
			prov_bw_final_log=
		fi
	fi
	prov_dispatch
	prov_bw_cleanup
	exit "$prov_bw_code"
}

prov_main "$@"
