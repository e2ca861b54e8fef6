# shellcheck shell=sh
# The seed's public functions (lib/build-status.sh): thin wrappers over the
# prov_* parts. Each runs under `emulate -L sh` in zsh.

# json_escape STRING: STRING escaped for use inside a JSON string.
json_escape() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_json_str "${1-}"
	prov_ret=${prov_ret#\"}
	printf '%s\n' "${prov_ret%\"}"
}

# json_bool VALUE: true for true/yes/on/1 (any case), else false.
json_bool() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	case ${1-} in
	[Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn] | 1) printf '%s\n' true ;;
	*) printf '%s\n' false ;;
	esac
}

get_current_generation() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_system_detect
	printf '%s\n' "${prov_sys_current:-unknown}"
}

get_current_generation_json() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	if prov_bs_tool nixos-generation-info; then
		"$prov_ret" --json && return 0
	fi
	printf '%s\n' '{}'
	return 1
}

get_generation_short() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_bs_tool nixos-generation-info && "$prov_ret" --short && return 0
	printf '%s\n' unknown
	return 1
}

# is_generation_in_sync: succeeds when the running system is the newest
# generation and Home Manager (when present) is activated at its newest.
is_generation_in_sync() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_system_detect
	[ "$prov_sys_status" = in-sync ] || return 1
	prov_hm_detect
	[ "$prov_hm_status" != out-of-sync ]
}

# prov_bs_cat_or FILE DEFAULT: print a record file, or DEFAULT when there is none.
prov_bs_cat_or() {
	if [ -f "$1" ] && [ -r "$1" ]; then
		command cat "$1"
	else
		printf '%s\n' "$2"
	fi
}

get_last_build_status() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_bs_records_dir "${1-}"
	prov_bs_cat_or "$prov_ret/last-build.json" '{}'
}

get_last_build_exit_code() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_bs_records_dir "${1-}"
	if prov_bs_json_key "$prov_ret/last-build.json" exitCode; then
		case $prov_ret in
		*[!0-9]*) printf '%s\n' 999 ;;
		*) printf '%s\n' "$prov_ret" ;;
		esac
	else
		printf '%s\n' 999
	fi
}

was_last_build_successful() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_bs_records_dir "${1-}"
	prov_bs_json_key "$prov_ret/last-build.json" exitCode && [ "$prov_ret" = 0 ]
}

get_build_history() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_bs_records_dir "${1-}"
	prov_bs_cat_or "$prov_ret/build-history.json" '[]'
}

# get_build_history_summary [LOG_DIR] [COUNT]: a JSON array of the last
# COUNT (default 10) builds, one object per line: timestamp, target, action,
# exitCode, success, duration, generation (the generation after the build).
get_build_history_summary() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_bs_records_dir "${1-}"
	prov_bs_count=${2:-10}
	case $prov_bs_count in
	'' | *[!0-9]*) prov_bs_count=10 ;;
	esac
	if ! [ -f "$prov_ret/build-history.json" ]; then
		printf '%s\n' '[]'
		return 0
	fi
	LC_ALL=C command awk -v count="$prov_bs_count" '
		function val(key,    p, s, out, i, c) {
			p = index($0, "\"" key "\":")
			if (p == 0) return "null"
			s = substr($0, p + length(key) + 3)
			if (substr(s, 1, 1) != "\"") { match(s, /^[-0-9.a-z]*/); return substr(s, 1, RLENGTH) }
			out = "\""
			for (i = 2; i <= length(s); i++) {
				c = substr(s, i, 1); out = out c
				if (c == "\\") { i++; out = out substr(s, i, 1); continue }
				if (c == "\"") break
			}
			return out
		}
		/^\{/ {
			n++
			V["timestamp"] = val("buildStart"); V["target"] = val("target"); V["action"] = val("action")
			V["exitCode"] = val("exitCode"); V["success"] = val("success"); V["duration"] = val("buildDuration")
			V["generation"] = val("generationAfter")
			if (count > 0) ring[n % count] = json_BuildHistorySummary(V)
		}
		END {
			start = n - count + 1; if (start < 1) start = 1
			printf "["
			for (i = start; i <= n; i++) printf "%s\n%s", (i > start ? "," : ""), ring[i % count]
			print (n >= start ? "\n]" : "]")
		}'"$prov_awk_json_BuildHistorySummary" "$prov_ret/build-history.json"
}

# extract_nix_errors LOG_FILE: the error blocks of a build log (each
# `error:` line with the lines that belong to it and 3 lines of context)
# as a JSON array of strings. Streams the file: any size is fine.
extract_nix_errors() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	if ! [ -f "${1-}" ] || ! [ -r "${1-}" ]; then
		prov_warn "extract_nix_errors: cannot read ${1-(no file given)}"
		printf '%s\n' '[]'
		return 1
	fi
	LC_ALL=C command awk -v what=blocks "$prov_json_awk_lib$prov_bs_log_awk" "$1"
}

# extract_build_phase LOG_FILE: the last build phase (`hello: buildPhase`)
# or derivation (`building hello-2.12`) seen in a log, or `unknown`.
extract_build_phase() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	if ! [ -f "${1-}" ] || ! [ -r "${1-}" ]; then
		printf '%s\n' unknown
		return 1
	fi
	LC_ALL=C command awk -v what=phase "$prov_json_awk_lib$prov_bs_log_awk" "$1"
}

# check_failed_units: failed systemd units as a JSON array ([] when
# systemctl is missing or cannot talk to systemd).
check_failed_units() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	if command -v systemctl >/dev/null 2>&1; then
		{ command systemctl list-units --state=failed --no-legend --plain --no-pager 2>/dev/null || :; } |
			LC_ALL=C command awk '
				{ sub(/^[^A-Za-z0-9@._:\\-]+/, ""); if ($1 == "") next; u[++n] = $1 }
				END { printf "["; for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "," : ""), "\"" jesc(u[i]) "\""; print "]" }
			'"$prov_json_awk_lib"
	else
		printf '%s\n' '[]'
	fi
}

# check_journal_errors [SINCE]: number of journal lines at priority err or
# worse since SINCE (default "1 hour ago"); 0 when journalctl is missing.
check_journal_errors() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	if command -v journalctl >/dev/null 2>&1; then
		{ command journalctl -p err --since "${1:-1 hour ago}" --no-pager -q -o cat 2>/dev/null || :; } |
			command wc -l | command tr -d ' '
	else
		printf '%s\n' 0
	fi
}

# get_current_commit: configuration commit of the running system (from its
# /etc/nixos-metadata, else its configuration-revision), or `unknown`.
get_current_commit() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_commit_detect "$prov_current"
	printf '%s\n' "$prov_commit_full"
}

get_current_nixpkgs_rev() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_bs_rev=
	if prov_meta_read "$prov_current/etc/nixos-metadata"; then
		prov_bs_rev=${prov_meta_NIXPKGS_REV-}
	fi
	printf '%s\n' "${prov_bs_rev:-unknown}"
}

# get_home_manager_generation: number of the activated Home Manager
# generation; `none` without a per-user Home Manager profile, `unknown`
# when there are profiles but none is activated.
get_home_manager_generation() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
	prov_hm_detect
	if [ -n "$prov_hm_current" ]; then
		printf '%s\n' "$prov_hm_current"
	elif [ "$prov_hm_status" = absent ] || [ "$prov_hm_status" = nixos-module ]; then
		printf '%s\n' none
	else
		printf '%s\n' unknown
	fi
}

# create_status_report [json|human]: the report of nixos-build-status
# (default json). Returns 0 when the report was made (whatever it says).
create_status_report() {
	[ -n "${ZSH_VERSION-}" ] && emulate -L sh
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
