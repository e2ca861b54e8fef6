# shellcheck shell=sh
# The seed's public functions (lib/build-status.sh): thin wrappers over the
# prov_* parts. Each public NAME runs prov_api_NAME between prov_api_in and
# prov_api_out, so it gives the same answers whatever the caller did: its
# options (set -e, -f, -a) and IFS are saved, set to what the runtime
# needs and restored, and the status is the function's own (a failing
# command inside never ends a set -e caller; only a function that reports
# failure returns non-zero). zsh runs them under `emulate -L sh` as well.
# External tools and printf are called through `command`, so a caller's
# functions or aliases named awk, cat, printf, ... are not used.

# prov_api_in: save the caller's options and IFS; the runtime's own.
prov_api_in() {
	# set +a before any assignment: under set -a it would be exported.
	case $- in
	*a*)
		set +a
		prov_api_opts=a$-
		;;
	*) prov_api_opts=$- ;;
	esac
	set +ef
	prov_api_ifs_set=${IFS+1}
	prov_api_ifs=${IFS-}
	IFS=' 	
'
}

# prov_api_out STATUS: the caller's options and IFS back; return STATUS.
prov_api_out() {
	prov_api_rc=$1
	if [ -n "$prov_api_ifs_set" ]; then IFS=$prov_api_ifs; else unset IFS; fi
	case $prov_api_opts in *a*) set -a ;; esac
	case $prov_api_opts in *f*) set -f ;; esac
	case $prov_api_opts in *e*) set -e ;; esac
	return "$prov_api_rc"
}

# json_escape STRING: STRING escaped for use inside a JSON string.
prov_api_json_escape() {
	prov_json_str "${1-}"
	prov_ret=${prov_ret#\"}
	command printf '%s\n' "${prov_ret%\"}"
}

# json_bool VALUE: true for true/yes/on/1 (any case), else false.
prov_api_json_bool() {
	case ${1-} in
	[Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn] | 1) command printf '%s\n' true ;;
	*) command printf '%s\n' false ;;
	esac
}

prov_api_get_current_generation() {
	prov_system_detect
	command printf '%s\n' "${prov_sys_current:-unknown}"
}

prov_api_get_current_generation_json() {
	if prov_bs_tool nixos-generation-info; then
		"$prov_ret" --json && return 0
	fi
	command printf '%s\n' '{}'
	return 1
}

prov_api_get_generation_short() {
	prov_bs_tool nixos-generation-info && "$prov_ret" --short && return 0
	command printf '%s\n' unknown
	return 1
}

# is_generation_in_sync: succeeds when the running system is the newest
# generation and Home Manager (when present) is activated at its newest.
prov_api_is_generation_in_sync() {
	prov_system_detect
	[ "$prov_sys_status" = in-sync ] || return 1
	prov_hm_detect
	[ "$prov_hm_status" != out-of-sync ]
}

# prov_bs_cat_or FILE DEFAULT: print a record file, or DEFAULT when there is none.
prov_bs_cat_or() {
	if [ -f "$1" ] && [ -r "$1" ]; then
		command cat -- "$1"
	else
		command printf '%s\n' "$2"
	fi
}

prov_api_get_last_build_status() {
	prov_bs_records_dir "${1-}"
	prov_bs_cat_or "$prov_ret/last-build.json" '{}'
}

prov_api_get_last_build_exit_code() {
	prov_bs_records_dir "${1-}"
	if prov_bs_json_key "$prov_ret/last-build.json" exitCode; then
		case $prov_ret in
		*[!0-9]*) command printf '%s\n' 999 ;;
		*) command printf '%s\n' "$prov_ret" ;;
		esac
	else
		command printf '%s\n' 999
	fi
}

prov_api_was_last_build_successful() {
	prov_bs_records_dir "${1-}"
	prov_bs_json_key "$prov_ret/last-build.json" exitCode && [ "$prov_ret" = 0 ]
}

prov_api_get_build_history() {
	prov_bs_records_dir "${1-}"
	prov_bs_cat_or "$prov_ret/build-history.json" '[]'
}

# get_build_history_summary [LOG_DIR] [COUNT]: a JSON array of the last
# COUNT (default 10) builds, one object per line: timestamp, target, action,
# exitCode, success, duration, generation (the generation after the build).
prov_api_get_build_history_summary() {
	prov_bs_records_dir "${1-}"
	prov_bs_count=${2:-10}
	case $prov_bs_count in
	'' | *[!0-9]*) prov_bs_count=10 ;;
	esac
	if ! [ -f "$prov_ret/build-history.json" ]; then
		command printf '%s\n' '[]'
		return 0
	fi
	LC_ALL=C command awk -v count="$prov_bs_count" '
		/^\{/ {
			n++
			V["timestamp"] = recval($0, "buildStart"); V["target"] = recval($0, "target"); V["action"] = recval($0, "action")
			V["exitCode"] = recval($0, "exitCode"); V["success"] = recval($0, "success"); V["duration"] = recval($0, "buildDuration")
			V["generation"] = recval($0, "generationAfter")
			if (count > 0) ring[n % count] = json_BuildHistorySummary(V)
		}
		END {
			start = n - count + 1; if (start < 1) start = 1
			printf "["
			for (i = start; i <= n; i++) printf "%s\n%s", (i > start ? "," : ""), ring[i % count]
			print (n >= start ? "\n]" : "]")
		}'"$prov_awk_json_BuildHistorySummary$prov_awk_record_value" <"$prov_ret/build-history.json"
}

# extract_nix_errors LOG_FILE: the error blocks of a build log (each
# `error:` line with the lines that belong to it and 3 lines of context)
# as a JSON array of strings. Streams the file: any size is fine.
prov_api_extract_nix_errors() {
	if ! [ -f "${1-}" ] || ! [ -r "${1-}" ]; then
		prov_warn "extract_nix_errors: cannot read ${1-(no file given)}"
		command printf '%s\n' '[]'
		return 1
	fi
	# Through stdin: a file operand like a=b/last-build.log would be an awk assignment.
	LC_ALL=C command awk -v what=blocks "$prov_json_awk_lib$prov_bs_log_awk" <"$1"
}

# extract_build_phase LOG_FILE: the last build phase (`hello: buildPhase`)
# or derivation (`building hello-2.12`) seen in a log, or `unknown`.
prov_api_extract_build_phase() {
	if ! [ -f "${1-}" ] || ! [ -r "${1-}" ]; then
		command printf '%s\n' unknown
		return 1
	fi
	LC_ALL=C command awk -v what=phase "$prov_json_awk_lib$prov_bs_log_awk" <"$1"
}

# check_failed_units: failed systemd units as a JSON array ([] when
# systemctl is missing or cannot talk to systemd).
prov_api_check_failed_units() {
	if command -v systemctl >/dev/null 2>&1; then
		{ command systemctl list-units --state=failed --no-legend --plain --no-pager 2>/dev/null || :; } |
			LC_ALL=C command awk '
				{ sub(/^[^A-Za-z0-9@._:\\-]+/, ""); if ($1 == "") next; u[++n] = $1 }
				END { printf "["; for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "," : ""), "\"" jesc(u[i]) "\""; print "]" }
			'"$prov_json_awk_lib"
	else
		command printf '%s\n' '[]'
	fi
}

# check_journal_errors [SINCE]: number of journal lines at priority err or
# worse since SINCE (default "1 hour ago"); 0 when journalctl is missing.
prov_api_check_journal_errors() {
	if command -v journalctl >/dev/null 2>&1; then
		{ command journalctl -p err --since "${1:-1 hour ago}" --no-pager -q -o cat 2>/dev/null || :; } |
			command wc -l | command tr -d ' '
	else
		command printf '%s\n' 0
	fi
}

# get_current_commit: configuration commit of the running system (from its
# /etc/nixos-metadata, else its configuration-revision), or `unknown`.
prov_api_get_current_commit() {
	prov_commit_detect "$prov_current"
	command printf '%s\n' "$prov_commit_full"
}

prov_api_get_current_nixpkgs_rev() {
	prov_bs_rev=
	if prov_meta_read "$prov_current/etc/nixos-metadata"; then
		prov_bs_rev=${prov_meta_NIXPKGS_REV-}
	fi
	command printf '%s\n' "${prov_bs_rev:-unknown}"
}

# get_home_manager_generation: number of the activated Home Manager
# generation; `none` without a per-user Home Manager profile, `unknown`
# when there are profiles but none is activated.
prov_api_get_home_manager_generation() {
	prov_hm_detect
	if [ -n "$prov_hm_current" ]; then
		command printf '%s\n' "$prov_hm_current"
	elif [ "$prov_hm_status" = absent ] || [ "$prov_hm_status" = nixos-module ]; then
		command printf '%s\n' none
	else
		command printf '%s\n' unknown
	fi
}

# create_status_report [json|human]: the report of nixos-build-status
# (default json). Returns 0 when the report was made (whatever it says).
prov_api_create_status_report() {
	case ${1:-json} in
	json) prov_bs_fmt=--json ;;
	human | text) prov_bs_fmt= ;;
	*)
		prov_warn "create_status_report: format must be json or human, not ${1-}"
		return 2
		;;
	esac
	if ! prov_bs_tool nixos-build-status; then
		prov_warn "create_status_report: nixos-build-status not found"
		return 1
	fi
	if [ -n "$prov_bs_fmt" ]; then
		"$prov_ret" "$prov_bs_fmt"
	else
		"$prov_ret"
	fi
	case $? in
	0 | 1 | 2) return 0 ;;
	*) return 1 ;;
	esac
}

# The public names (see the top of this file).
json_escape() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_json_escape "$@"
	prov_api_out "$?"
}
json_bool() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_json_bool "$@"
	prov_api_out "$?"
}
get_current_generation() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_current_generation "$@"
	prov_api_out "$?"
}
get_current_generation_json() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_current_generation_json "$@"
	prov_api_out "$?"
}
get_generation_short() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_generation_short "$@"
	prov_api_out "$?"
}
is_generation_in_sync() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_is_generation_in_sync "$@"
	prov_api_out "$?"
}
get_last_build_status() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_last_build_status "$@"
	prov_api_out "$?"
}
get_last_build_exit_code() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_last_build_exit_code "$@"
	prov_api_out "$?"
}
was_last_build_successful() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_was_last_build_successful "$@"
	prov_api_out "$?"
}
get_build_history() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_build_history "$@"
	prov_api_out "$?"
}
get_build_history_summary() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_build_history_summary "$@"
	prov_api_out "$?"
}
extract_nix_errors() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_extract_nix_errors "$@"
	prov_api_out "$?"
}
extract_build_phase() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_extract_build_phase "$@"
	prov_api_out "$?"
}
check_failed_units() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_check_failed_units "$@"
	prov_api_out "$?"
}
check_journal_errors() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_check_journal_errors "$@"
	prov_api_out "$?"
}
get_current_commit() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_current_commit "$@"
	prov_api_out "$?"
}
get_current_nixpkgs_rev() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_current_nixpkgs_rev "$@"
	prov_api_out "$?"
}
get_home_manager_generation() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_get_home_manager_generation "$@"
	prov_api_out "$?"
}
create_status_report() {
	if [ -n "${ZSH_VERSION-}" ]; then emulate -L sh; fi
	prov_api_in
	prov_api_create_status_report "$@"
	prov_api_out "$?"
}
