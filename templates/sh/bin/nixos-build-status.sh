# shellcheck shell=sh
# Checks, each `unavailable` (not an error) when its tool is missing:
#   generation   the generation detection of nixos-generation-info (no fork)
#   buildErrors  the last wrapper build's error blocks (when it failed) and the
#                last hour's errors of nixos-rebuild-switch-to-configuration
#                in the journal
#   bootStatus   systemctl list-units --state=failed (skipped by --no-boot)
#   buildability nix flake metadata FLAKE (NIXOS_PROVENANCE_FLAKE_TIMEOUT
#                seconds, default 30)
#   lastBuild    last-build.json, as the wrapper wrote it (at most 4 MiB)
# Every external check runs under timeout(1) (systemctl and journalctl:
# NIXOS_PROVENANCE_CHECK_TIMEOUT seconds, default 10) and is `unavailable`
# without it; its output goes to a temporary file that is unlinked as soon
# as it is opened, and is read back bounded. A poll killed with TERM, INT or
# HUP takes its running check down with it (prov_st_run).

# A known IFS and no CDPATH: word splitting and cd behave the same whatever
# the caller exported.
IFS=' 	
'
unset CDPATH

# Lines of text -> `N` on the first line, then a JSON array of them (each
# cut to 500 bytes, control characters as `?`); and the same lines made safe
# for a terminal. Both read at most what the callers give (bounded).
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_st_lines_awk='
{
	s = $0
	if (length(s) > 500) s = substr(s, 1, 500) " [...]"
	gsub(/[\001-\010\013-\037\177]/, "?", s)
	if (s == "") next
	if (mode == "text") { print s; next }
	a[++n] = "\"" jesc(s) "\""
}
END {
	if (mode == "text") exit
	print n + 0
	printf "["
	for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "," : ""), a[i]
	print "]"
}
'

# prov_st_errors: prov_st_err_count, prov_st_err_json, prov_st_err_text.
prov_st_errors() {
	prov_st_err_raw=
	prov_st_journal=unavailable
	if [ "$prov_st_lb_failed" = 1 ]; then
		if [ -f "$prov_st_dir/last-build.log" ] && ! [ -L "$prov_st_dir/last-build.log" ]; then
			prov_st_err_raw=$(LC_ALL=C awk -v what=summary "$prov_json_awk_lib$prov_bs_log_awk" <"$prov_st_dir/last-build.log" 2>/dev/null)
		fi
		if [ -z "$prov_st_err_raw" ]; then
			prov_st_err_raw="the last build failed with exit code $prov_st_lb_code"
		fi
	fi
	prov_st_journal_why='journalctl not found'
	if ! command -v timeout >/dev/null 2>&1; then
		prov_st_journal_why='timeout not found'
	elif command -v journalctl >/dev/null 2>&1; then
		prov_st_run "$prov_st_check_limit" out journalctl -p err --since '1 hour ago' \
			-u nixos-rebuild-switch-to-configuration.service -n 20 -o cat --no-pager -q
		[ "$prov_st_rc" = 124 ] || [ "$prov_st_rc" = 125 ] || [ "$prov_st_rc" = 137 ] || prov_st_journal=ok
		[ "$prov_st_journal" = ok ] || prov_st_journal_why="journalctl did not answer within ${prov_st_check_limit}s"
		prov_st_j=
		[ "$prov_st_journal" = ok ] && prov_st_j=$(printf '%s\n' "$prov_ret" | tail -n 20 | cut -b 1-2000)
		if [ -n "$prov_st_j" ]; then
			prov_st_err_raw="$prov_st_err_raw${prov_st_err_raw:+
}$prov_st_j"
		fi
	fi
	prov_st_out=$(printf '%s\n' "$prov_st_err_raw" | LC_ALL=C awk -v mode=json "$prov_json_awk_lib$prov_st_lines_awk")
	prov_st_err_count=${prov_st_out%%"$prov_nl"*}
	prov_st_err_json=${prov_st_out#*"$prov_nl"}
	case $prov_st_err_count in
	'' | *[!0-9]*)
		prov_st_err_count=0
		prov_st_err_json='[]'
		;;
	esac
	prov_st_err_text=$(printf '%s\n' "$prov_st_err_raw" | LC_ALL=C awk -v mode=text "$prov_json_awk_lib$prov_st_lines_awk")
}

# prov_st_boot: prov_st_boot_checked (ok|skipped|unavailable),
# prov_st_boot_failed (true|false), prov_st_units (space-separated).
prov_st_boot() {
	prov_st_boot_failed=false
	prov_st_units=
	if [ -n "$prov_opt_no_boot" ]; then
		prov_st_boot_checked=skipped
		return 0
	fi
	if ! command -v systemctl >/dev/null 2>&1; then
		prov_st_boot_checked=unavailable
		prov_st_boot_why="systemctl not found"
		return 0
	fi
	if ! command -v timeout >/dev/null 2>&1; then
		prov_st_boot_checked=unavailable
		prov_st_boot_why="timeout not found"
		return 0
	fi
	prov_st_run "$prov_st_check_limit" out systemctl list-units --state=failed --no-legend --plain --no-pager
	prov_st_u=$prov_ret
	case $prov_st_rc in
	0) ;;
	124 | 125 | 137)
		prov_st_boot_checked=unavailable
		prov_st_boot_why="systemctl did not answer within ${prov_st_check_limit}s"
		return 0
		;;
	*)
		prov_st_boot_checked=unavailable
		prov_st_boot_why="systemd is not running"
		return 0
		;;
	esac
	prov_st_boot_checked=ok
	prov_st_units=$(printf '%s\n' "$prov_st_u" | LC_ALL=C awk '
		{ sub(/^[^A-Za-z0-9@._:\\-]+/, ""); gsub(/[^A-Za-z0-9@._:\\-]/, "?", $1); if ($1 != "") u = u (u == "" ? "" : " ") $1 }
		END { print u }')
	[ -n "$prov_st_units" ] && prov_st_boot_failed=true
	return 0
}

# prov_st_flake: prov_st_flake_checked (ok|unavailable), prov_st_can_build
# (true|false), prov_st_build_error.
prov_st_flake() {
	prov_st_can_build=true
	prov_st_build_error=
	prov_st_flake_ref=${NH_OS_FLAKE:-${NH_FLAKE:-$prov_root/etc/nixos}}
	if ! command -v nix >/dev/null 2>&1; then
		prov_st_flake_checked=unavailable
		prov_st_flake_why="nix not found"
		return 0
	fi
	case $prov_st_flake_ref in
	/* | ./* | ../*)
		if ! [ -e "$prov_st_flake_ref/flake.nix" ]; then
			prov_st_flake_checked=unavailable
			prov_st_flake_why="no flake.nix in $prov_st_flake_ref"
			return 0
		fi
		;;
	esac
	prov_st_seconds "${NIXOS_PROVENANCE_FLAKE_TIMEOUT-}" 30
	prov_st_limit=$prov_ret
	if ! command -v timeout >/dev/null 2>&1; then
		prov_st_flake_checked=unavailable
		prov_st_flake_why="timeout not found"
		return 0
	fi
	prov_st_run "$prov_st_limit" err nix flake metadata "$prov_st_flake_ref" --no-write-lock-file
	prov_st_err=$prov_ret
	if [ "$prov_st_rc" = 0 ]; then
		prov_st_flake_checked=ok
	elif [ "$prov_st_rc" = 124 ] || [ "$prov_st_rc" = 137 ]; then
		prov_st_flake_checked=unavailable
		prov_st_flake_why="nix flake metadata timed out after ${prov_st_limit}s"
	else
		prov_st_flake_checked=ok
		prov_st_can_build=false
		if [ -n "$prov_st_err" ]; then
			prov_st_build_error=$(printf '%s\n' "$prov_st_err" | LC_ALL=C awk -v what=summary "$prov_json_awk_lib$prov_bs_log_awk" | head -n 1) || :
			[ -n "$prov_st_build_error" ] ||
				prov_st_build_error=$(printf '%s\n' "$prov_st_err" | head -c 500 | head -n 1 | tr -d '\000-\037') || :
		fi
		[ -n "$prov_st_build_error" ] || prov_st_build_error="nix flake metadata failed (exit $prov_st_rc)"
	fi
	return 0
}

# prov_st_seconds VALUE DEFAULT: prov_ret = VALUE when it is a number of
# seconds from 0.1 to 86400 (decimals as timeout(1) takes them), else DEFAULT.
prov_st_seconds() {
	prov_ret=$2
	case $1 in
	'' | *[!0-9.]* | *.*.* | .* | *. | 0 | 0.0* | 00* | ??????*) return 0 ;;
	esac
	[ "${1%%.*}" -lt 86400 ] && prov_ret=$1
	return 0
}

# prov_st_run SECONDS out|err COMMAND...: run COMMAND (stdin /dev/null)
# under timeout(1); prov_st_rc = its status (124 when it was stopped, 137
# when it had to be killed), prov_ret = the first 64 KiB of its stdout (out)
# or stderr (err); the other stream is dropped. The output file is unlinked
# as soon as it is open, so even a poll killed with KILL leaves nothing in
# TMPDIR; COMMAND runs in the background so that a trapped signal ends the
# wait at once and prov_st_cleanup can stop it.
prov_st_run() {
	prov_st_secs=$1
	prov_st_which=$2
	shift 2
	prov_ret=
	prov_st_rc=125
	prov_st_tmp=$(command mktemp "${TMPDIR:-/tmp}/nixos-build-status.XXXXXX" 2>/dev/null) || prov_st_tmp=
	# shellcheck disable=SC2094 # one file, written by COMMAND and read back after it ended
	if [ -n "$prov_st_tmp" ] && command exec 3>"$prov_st_tmp" 4<"$prov_st_tmp"; then
		command rm -f -- "$prov_st_tmp"
	else
		[ -z "$prov_st_tmp" ] || command rm -f -- "$prov_st_tmp"
		exec 3>/dev/null 4</dev/null
	fi
	prov_st_tmp=
	# exec: the background job is timeout itself (yash would otherwise fork
	# a subshell around it, and the TERM of prov_st_cleanup would miss it).
	# A signal trapped between the fork and `prov_st_pid=$!` finds the job
	# in $! (set by the fork itself) once $! differs from prov_st_last.
	prov_st_last=${!-}
	prov_st_running=1
	if [ "$prov_st_which" = out ]; then
		exec timeout -k 2 "$prov_st_secs" "$@" </dev/null >&3 2>/dev/null &
	else
		exec timeout -k 2 "$prov_st_secs" "$@" </dev/null >/dev/null 2>&3 &
	fi
	prov_st_pid=$!
	wait "$prov_st_pid"
	prov_st_rc=$?
	prov_st_pid=
	prov_st_running=
	exec 3>&-
	prov_ret=$(command head -c 65536 <&4)
	exec 4<&-
	return 0
}

# prov_st_cleanup: stop the check that is running, if any (timeout passes
# the signal on to its command), and drop its temporary file.
prov_st_cleanup() {
	if [ -n "${prov_st_running-}" ]; then
		prov_st_pid=${prov_st_pid:-${!-}}
		[ -z "$prov_st_pid" ] || [ "$prov_st_pid" = "$prov_st_last" ] || command kill -TERM "$prov_st_pid" 2>/dev/null
	fi
	prov_st_running=
	prov_st_pid=
	[ -z "${prov_st_tmp-}" ] || command rm -f -- "$prov_st_tmp"
	prov_st_tmp=
}

# prov_st_last_build: prov_st_lb (1 when last-build.json is a record),
# prov_st_lb_failed (1 when it failed and was not interrupted), prov_st_lb_code.
prov_st_last_build() {
	prov_st_lb=
	prov_st_lb_failed=
	prov_st_lb_code=
	prov_st_lb_file=$prov_st_dir/last-build.json
	# A record is a few KiB (the error blocks are capped); a larger file is
	# not one, and reading it would hold the status for a minute.
	prov_small_file "$prov_st_lb_file" 4194304 || return 0
	LC_ALL=C awk 'NR == 1 && /^\{.*\}$/ { ok = 1 } END { exit !(ok && NR == 1) }' <"$prov_st_lb_file" 2>/dev/null || return 0
	prov_st_lb=1
	prov_bs_json_key "$prov_st_lb_file" exitCode && prov_st_lb_code=$prov_ret
	prov_bs_json_key "$prov_st_lb_file" interrupted || prov_ret=false
	prov_st_lb_interrupted=$prov_ret
	if [ "$prov_st_lb_code" != 0 ] && [ "$prov_st_lb_interrupted" != true ]; then
		prov_st_lb_failed=1
	fi
	for prov_st_k in target action buildStart generationChange buildLogPath lastPhase; do
		prov_bs_json_key "$prov_st_lb_file" "$prov_st_k" || prov_ret=
		prov_ret=${prov_ret#\"}
		prov_ret=${prov_ret%\"}
		eval "prov_st_lb_$prov_st_k=\$prov_ret"
	done
}

# prov_st_mark ok|bad|warn|none TEXT: one status line.
prov_st_mark() {
	case $1 in
	ok) prov_l='\342\234\223' ;;
	bad) prov_l='\342\234\227' ;;
	warn) prov_l='\342\232\240' ;;
	*) prov_l=- ;;
	esac
	# The marks as octal escapes in the format: the script stays ASCII, so
	# that yash can read it in the C locale. The text is made plain (values
	# from records and the environment reach it).
	prov_plain "$2"
	# shellcheck disable=SC2059 # prov_l is one of the three escapes above
	case $1 in
	ok) printf "%s$prov_l%s %s\\n" "$prov_c_green" "$prov_c_off" "$prov_ret" ;;
	bad) printf "%s$prov_l%s %s\\n" "$prov_c_red" "$prov_c_off" "$prov_ret" ;;
	warn) printf "%s$prov_l%s %s\\n" "$prov_c_yellow" "$prov_c_off" "$prov_ret" ;;
	*) printf '%s %s\n' '-' "$prov_ret" ;;
	esac
}

# prov_st_field LABEL VALUE: `Label:              value` (values are printed
# with %s only, never interpreted).
prov_st_field() {
	prov_plain "$2"
	printf '%-20s%s\n' "$1:" "$prov_ret"
}

prov_st_human() {
	prov_colours
	printf '%s=== NixOS Build Status ===%s\n\n' "$prov_c_bold" "$prov_c_off"
	printf '%s\n' 'Generation Information:'
	prov_st_field 'Current generation' "${prov_sys_current:+g}${prov_sys_current:-unknown}"
	prov_st_field 'Latest generation' "${prov_sys_latest:+g}${prov_sys_latest:-unknown}"
	prov_st_field 'Status' "$prov_sys_status"
	if [ "$prov_hm_status" != absent ]; then
		prov_st_field 'Home Manager user' "$prov_hm_user"
		prov_st_field 'HM generation' "${prov_hm_current:+hm}${prov_hm_current:-unknown}"
		prov_st_field 'HM status' "$prov_hm_status"
	fi
	prov_st_field 'Commit' "$prov_commit"
	if [ -n "$prov_opt_verbose" ]; then
		prov_st_field 'Full commit' "$prov_commit_full"
		prov_st_field 'Records' "$prov_st_dir"
	fi

	printf '\n%s\n' 'Last Build:'
	[ -z "$prov_st_dir_note" ] || prov_st_mark none "from $prov_st_dir ($prov_st_dir_note)"
	if [ -z "$prov_st_lb" ]; then
		prov_st_mark none "no build recorded in $prov_st_dir"
	elif [ "$prov_st_lb_code" = 0 ]; then
		prov_st_mark ok "$prov_st_lb_target $prov_st_lb_action succeeded ($prov_st_lb_buildStart, $prov_st_lb_generationChange)"
	elif [ "$prov_st_lb_interrupted" = true ]; then
		prov_st_mark warn "$prov_st_lb_target $prov_st_lb_action was interrupted ($prov_st_lb_buildStart)"
	else
		prov_st_mark bad "$prov_st_lb_target $prov_st_lb_action failed with exit code $prov_st_lb_code ($prov_st_lb_buildStart)"
	fi
	if [ -n "$prov_st_lb" ] && [ -n "$prov_opt_verbose" ]; then
		prov_st_field '  Last phase' "$prov_st_lb_lastPhase"
		prov_st_field '  Log' "$prov_st_lb_buildLogPath"
	fi

	printf '\n%s\n' 'Build Error Check:'
	if [ "$prov_st_err_count" = 0 ]; then
		prov_st_mark ok 'No recent build errors detected'
	else
		prov_st_mark bad "$prov_st_err_count build error line(s) detected"
		if [ -n "$prov_opt_verbose" ]; then
			printf '%s\n' "$prov_st_err_text" | sed 's/^/    /'
		fi
	fi
	[ "$prov_st_journal" = ok ] || prov_st_mark none "journal not checked ($prov_st_journal_why)"

	printf '\n%s\n' 'Boot Status:'
	case $prov_st_boot_checked in
	skipped) prov_st_mark none 'skipped (--no-boot)' ;;
	unavailable) prov_st_mark none "unavailable ($prov_st_boot_why)" ;;
	*)
		if [ "$prov_st_boot_failed" = true ]; then
			prov_st_mark bad "Failed units: $prov_st_units"
		else
			prov_st_mark ok 'All systemd units started successfully'
		fi
		;;
	esac

	printf '\n%s\n' 'Flake Status:'
	if [ "$prov_st_flake_checked" = unavailable ]; then
		prov_st_mark none "unavailable ($prov_st_flake_why)"
	elif [ "$prov_st_can_build" = true ]; then
		prov_st_mark ok 'Flake can be evaluated'
	else
		prov_st_mark bad "Flake cannot be evaluated: $prov_st_build_error"
	fi
	[ -n "$prov_opt_verbose" ] && prov_st_field '  Flake' "$prov_st_flake_ref"

	printf '\n%s=== Summary ===%s\n' "$prov_c_bold" "$prov_c_off"
	case $prov_st_overall in
	success) prov_st_mark ok 'System is healthy' ;;
	out-of-sync) ;;
	unchecked) prov_st_mark warn 'Health unknown: no check of units, flake or journal could run' ;;
	*)
		prov_l=${prov_st_err_text%%"$prov_nl"*}
		[ -n "$prov_l" ] || prov_l=$prov_st_build_error
		[ -n "$prov_l" ] || prov_l="failed units: $prov_st_units"
		prov_st_mark bad "System has errors: $prov_l"
		;;
	esac
	# Each side that is behind, with the command that fixes it.
	if [ -n "$prov_st_behind" ]; then
		printf '%s\n' "$prov_st_behind" | while IFS= read -r prov_l; do
			prov_st_mark warn "$prov_l"
		done
	fi
	[ -z "$prov_st_unchecked" ] || prov_st_mark none "Not checked: $prov_st_unchecked"
}

prov_st_json() {
	prov_st_now_iso
	prov_sr_timestamp=$prov_st_iso
	prov_sr_hostname=$prov_st_host
	prov_sr_generation=$prov_st_gen_json
	prov_sr_buildErrors_errorCount=$prov_st_err_count
	prov_sr_buildErrors_errors=$prov_st_err_json
	prov_sr_bootStatus_bootFailed=$prov_st_boot_failed
	prov_sr_bootStatus_failedUnits=$prov_st_units
	prov_sr_bootStatus_checked=$prov_st_boot_checked
	prov_sr_buildability_canBuild=$prov_st_can_build
	prov_sr_buildability_buildError=$prov_st_build_error
	prov_sr_buildability_checked=$prov_st_flake_checked
	prov_sr_lastBuild='{}'
	# One line of JSON (the wrapper writes no raw line break into it).
	[ -z "$prov_st_lb" ] || prov_sr_lastBuild=$(tr -d '\n' <"$prov_st_lb_file")
	prov_sr_recordsDir=$prov_st_dir
	prov_sr_advice=$prov_st_fix
	prov_sr_notChecked=$prov_st_unchecked
	prov_sr_bootStatus_why=${prov_st_boot_why-}
	[ "$prov_st_boot_checked" != skipped ] || prov_sr_bootStatus_why=--no-boot
	[ "$prov_st_boot_checked" != ok ] || prov_sr_bootStatus_why=
	prov_sr_buildability_why=${prov_st_flake_why-}
	[ "$prov_st_flake_checked" != ok ] || prov_sr_buildability_why=
	prov_sr_buildErrors_journal=$prov_st_journal
	prov_sr_buildErrors_why=$prov_st_journal_why
	[ "$prov_st_journal" != ok ] || prov_sr_buildErrors_why=
	prov_sr_overallStatus=$prov_st_overall
	prov_sr_exitCode=$prov_st_code
	prov_json_BuildStatus
	printf '%s\n' "$prov_ret"
}

prov_st_now_iso() {
	prov_st_iso=$(date +%Y-%m-%dT%H:%M:%S%z)
	case $prov_st_iso in
	*[+-][0-9][0-9][0-9][0-9]) prov_st_iso=${prov_st_iso%??}:${prov_st_iso#"${prov_st_iso%??}"} ;;
	esac
}

# prov_st_generation_json: nixos-generation-info --json on one line, or null.
prov_st_generation_json() {
	prov_st_gen_json=null
	prov_bs_tool nixos-generation-info || return 0
	# One line of JSON (it escapes every line break); $(...) drops the final one.
	prov_st_g=$("$prov_ret" --json 2>/dev/null) || prov_st_g=
	case $prov_st_g in
	\{*\}) prov_st_gen_json=$prov_st_g ;;
	esac
}

prov_st_mode_prometheus() {
	prov_prometheus_report "$prov_st_dir" && exit "$prov_exit_ok"
	exit "$prov_exit_buildErrors"
}

prov_st_mode_json() {
	prov_st_check
	prov_st_generation_json
	prov_st_json
	exit "$prov_st_code"
}

prov_st_mode_human() {
	prov_st_check
	prov_st_human
	exit "$prov_st_code"
}

# prov_st_check: run every check; prov_st_overall and prov_st_code say what they found.
prov_st_check() {
	prov_system_detect
	prov_hm_detect
	prov_commit_detect "$prov_current"
	prov_st_host=$(uname -n 2>/dev/null) || prov_st_host=unknown
	prov_st_last_build
	prov_st_errors
	prov_st_boot
	prov_st_flake

	prov_st_unchecked_list
	prov_st_advice_list

	# Unchecked is not healthy: success needs a health check (units, flake
	# or journal) that ran and passed, besides the generations.
	if [ "$prov_st_err_count" != 0 ] || [ "$prov_st_boot_failed" = true ] || [ "$prov_st_can_build" = false ]; then
		prov_st_overall=error
		prov_st_code=$prov_exit_buildErrors
	elif [ "$prov_sys_status" = out-of-sync ] || [ "$prov_hm_status" = out-of-sync ]; then
		prov_st_overall=out-of-sync
		prov_st_code=$prov_exit_outOfSync
	elif [ "$prov_st_boot_checked" != ok ] && [ "$prov_st_flake_checked" != ok ] && [ "$prov_st_journal" != ok ]; then
		prov_st_overall=unchecked
		prov_st_code=$prov_exit_unchecked
	else
		prov_st_overall=success
		prov_st_code=$prov_exit_ok
	fi
}

# prov_st_unchecked_list: prov_st_unchecked = the checks that did not run and
# why, `; `-separated (empty when every check ran).
prov_st_unchecked_list() {
	prov_st_unchecked=
	case $prov_st_boot_checked in
	skipped) prov_st_unchecked='systemd units (--no-boot)' ;;
	unavailable) prov_st_unchecked="systemd units ($prov_st_boot_why)" ;;
	esac
	[ "$prov_st_flake_checked" = ok ] ||
		prov_st_unchecked="${prov_st_unchecked:+$prov_st_unchecked; }flake ($prov_st_flake_why)"
	[ "$prov_st_journal" = ok ] ||
		prov_st_unchecked="${prov_st_unchecked:+$prov_st_unchecked; }journal ($prov_st_journal_why)"
	return 0
}

# prov_st_advice_list: prov_st_behind = one line per side that is behind,
# with the command that brings it up to date; prov_st_fix = those commands.
prov_st_advice_list() {
	prov_st_behind=
	prov_st_fix=
	if [ "$prov_sys_status" = out-of-sync ]; then
		prov_st_behind="System is out of sync: running ${prov_sys_current:+g}${prov_sys_current:-an unknown generation}, latest g$prov_sys_latest (run nixos-build-wrapper os switch)"
		prov_st_fix='nixos-build-wrapper os switch'
	fi
	if [ "$prov_hm_status" = out-of-sync ]; then
		prov_hm_module_detect
		if [ -n "$prov_hm_via_nixos" ]; then
			# Run by home-manager-<user>.service: a system switch activates it.
			prov_l='os switch; Home Manager runs as a NixOS module'
			prov_st_c='nixos-build-wrapper os switch'
		else
			prov_l='home switch'
			prov_st_c='nixos-build-wrapper home switch'
		fi
		prov_st_behind="${prov_st_behind:+$prov_st_behind$prov_nl}Home Manager is out of sync: hm${prov_hm_current:-?} active, latest hm$prov_hm_latest (run nixos-build-wrapper $prov_l)"
		case $prov_st_fix in
		"$prov_st_c") ;;
		*) prov_st_fix="${prov_st_fix:+$prov_st_fix$prov_nl}$prov_st_c" ;;
		esac
	fi
	return 0
}

# prov_st_records: prov_st_dir = the build records to show. Without
# --log-dir, the system's records and the user's own (where the wrapper
# falls back when it cannot write the system's) are compared and the newer
# last build wins; prov_st_dir_note says so when both exist.
prov_st_records() {
	prov_bs_records_dir "$prov_opt_log_dir"
	prov_st_dir=$prov_ret
	prov_st_dir_note=
	[ -z "$prov_opt_log_dir" ] || return 0
	prov_st_sys=${NIXOS_PROVENANCE_LOG_DIR:-$prov_root$prov_default_log_dir}
	prov_bs_fallback_dir
	prov_st_own=$prov_ret
	[ "$prov_st_own" != "$prov_st_sys" ] || return 0
	[ -f "$prov_st_own/last-build.json" ] && [ -f "$prov_st_sys/last-build.json" ] || return 0
	# shellcheck disable=SC3013 # -nt is in every shell we support
	if [ "$prov_st_own/last-build.json" -nt "$prov_st_sys/last-build.json" ]; then
		prov_st_dir=$prov_st_own
		prov_st_dir_note="your own records: newer than those in $prov_st_sys"
	else
		prov_st_dir=$prov_st_sys
		prov_st_dir_note="newer than your own records in $prov_st_own"
	fi
	return 0
}

prov_main() {
	prov_parse "$@"
	prov_nixos_present || prov_die "$prov_exit_notNixos" "$prov_ret"
	prov_nl='
'
	prov_st_pid=
	prov_st_tmp=
	trap prov_st_cleanup EXIT
	trap 'prov_st_cleanup; exit 129' HUP
	trap 'prov_st_cleanup; exit 130' INT
	trap 'prov_st_cleanup; exit 143' TERM
	prov_st_seconds "${NIXOS_PROVENANCE_CHECK_TIMEOUT-}" 10
	prov_st_check_limit=$prov_ret
	prov_st_records
	prov_dispatch
}

prov_main "$@"
