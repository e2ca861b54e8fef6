# shellcheck shell=sh
##### Prometheus metrics (nixos-build-status --prometheus) #####
# Needs the runtime core and the generation detection partial above.
#
#   prov_prometheus_report LOG_DIR
#       Prints every metric in the Prometheus text exposition format (0.0.4)
#       and returns 0. A value that cannot be known is left out (its HELP and
#       TYPE lines stay), never reported as 0: absent is what PromQL's
#       absent() and alerting expect.
#   prov_prom_label VALUE
#       prov_ret = VALUE escaped for a label value: backslash, double quote
#       and line feed become \\, \" and \n (the only escapes the format has).
#
# Metrics (all gauges):
#   nixos_provenance_current_generation, _latest_generation, _booted_generation
#   nixos_provenance_in_sync, nixos_provenance_needs_reboot
#   nixos_provenance_home_manager_generation, _home_manager_in_sync
#   nixos_provenance_last_build_success, _last_build_exit_code,
#   _last_build_duration_seconds, _last_build_timestamp_seconds
#   nixos_provenance_info{commit,short_commit,dirty,nixpkgs_rev,host,system} 1

prov_prom_nl='
'

# prov_prom_subst VALUE FROM TO: prov_ret = VALUE with every FROM replaced by TO.
prov_prom_subst() {
	prov_ret=
	prov_prom_rest=$1
	while :; do
		case $prov_prom_rest in
		*"$2"*)
			prov_ret=$prov_ret${prov_prom_rest%%"$2"*}$3
			prov_prom_rest=${prov_prom_rest#*"$2"}
			;;
		*)
			prov_ret=$prov_ret$prov_prom_rest
			return 0
			;;
		esac
	done
}

prov_prom_label() {
	prov_prom_subst "$1" \\ \\\\
	prov_prom_subst "$prov_ret" '"' '\"'
	prov_prom_subst "$prov_ret" "$prov_prom_nl" '\n'
}

# prov_prom_metric NAME HELP VALUE: one gauge; no sample when VALUE is empty.
prov_prom_metric() {
	printf '# HELP %s %s\n# TYPE %s gauge\n' "$1" "$2" "$1"
	[ -n "$3" ] && printf '%s %s\n' "$1" "$3"
	return 0
}

# prov_prom_bool WORD: prov_ret = 1 for true/in-sync, 0 for false/out-of-sync, else empty.
prov_prom_bool() {
	case $1 in
	true | in-sync) prov_ret=1 ;;
	false | out-of-sync) prov_ret=0 ;;
	*) prov_ret= ;;
	esac
}

# The top-level keys of a build record that the metrics use, as KEY=VALUE
# lines, read by a small JSON scanner (strings, escapes and nesting are
# tracked, so keys of the nested generation snapshots are never mistaken for
# the record's own). buildEnd is turned into seconds since the epoch from its
# ISO 8601 text and offset, with no date(1) extension.
# shellcheck disable=SC2016,SC2034 # awk code: the $ are awk's, not the shell's
prov_prom_record_awk='
function epoch(s,    y, m, d, rest, off, sign, era, yoe, doy, doe) {
	if (s !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/) return ""
	y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
	rest = substr(s, 20)
	sub(/^[.][0-9]+/, "", rest)
	off = 0
	if (rest ~ /^[+-][0-9][0-9]:?[0-9][0-9]$/) {
		sign = (substr(rest, 1, 1) == "-") ? -1 : 1
		gsub(/:/, "", rest)
		off = sign * (substr(rest, 2, 2) * 3600 + substr(rest, 4, 2) * 60)
	} else if (rest != "Z" && rest != "") return ""
	if (m <= 2) { y -= 1; m += 12 }
	era = int(y / 400); yoe = y - era * 400
	doy = int((153 * (m - 3) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return sprintf("%.0f", (era * 146097 + doe - 719468) * 86400 + substr(s, 12, 2) * 3600 + substr(s, 15, 2) * 60 + substr(s, 18, 2) - off)
}
{ text = text $0 "\n" }
END {
	n = length(text); depth = 0; instr = 0; str = ""; key = ""; expect = 0
	for (i = 1; i <= n; i++) {
		c = substr(text, i, 1)
		if (instr) {
			if (c == "\\") { str = str c substr(text, i + 1, 1); i++; continue }
			if (c == "\"") {
				instr = 0
				if (depth == 1 && !expect) key = str
				else if (depth == 1 && expect) { val[key] = str; expect = 0; key = "" }
				continue
			}
			str = str c; continue
		}
		if (c == "\"") { instr = 1; str = ""; continue }
		if (c == "{" || c == "[") { depth++; expect = 0; continue }
		if (c == "}" || c == "]") { depth--; continue }
		if (depth == 1 && c == ":") { expect = 1; continue }
		if (depth == 1 && c == ",") { expect = 0; key = ""; continue }
		if (depth == 1 && expect && c ~ /[-0-9a-z.]/) {
			j = i
			while (j <= n && substr(text, j, 1) ~ /[-0-9a-zA-Z.+]/) j++
			val[key] = substr(text, i, j - i); expect = 0; key = ""; i = j - 1
		}
	}
	if (val["success"] == "true" || val["success"] == "false") print "success=" val["success"]
	if (val["exitCode"] ~ /^-?[0-9]+$/) print "exitCode=" val["exitCode"]
	if (val["buildDuration"] ~ /^[0-9]+([.][0-9]+)?$/) print "buildDuration=" val["buildDuration"]
	t = epoch(val["buildEnd"])
	if (t != "") print "buildEnd=" t
}
'

prov_prometheus_report() {
	prov_prom_dir=${1:-${NIXOS_PROVENANCE_LOG_DIR:-$prov_default_log_dir}}
	prov_system_detect
	prov_system_boot_detect
	prov_hm_detect
	prov_commit_detect "$prov_current"

	prov_prom_metric nixos_provenance_current_generation 'Running NixOS system generation (/run/current-system).' "$prov_sys_current"
	prov_prom_metric nixos_provenance_latest_generation 'Newest NixOS system generation in the system profile.' "$prov_sys_latest"
	prov_prom_metric nixos_provenance_booted_generation 'NixOS system generation the machine booted.' "$prov_sys_booted"
	prov_prom_bool "$prov_sys_status"
	prov_prom_metric nixos_provenance_in_sync '1 when the running system is the newest generation, 0 when not.' "$prov_ret"
	prov_ret=
	[ -e "$prov_booted" ] && [ -e "$prov_current" ] && prov_prom_bool "$prov_sys_needs_reboot"
	prov_prom_metric nixos_provenance_needs_reboot '1 when the booted kernel, initrd or kernel modules differ from the running system.' "$prov_ret"
	prov_prom_metric nixos_provenance_home_manager_generation "Active Home Manager generation of the reporting user." "$prov_hm_current"
	prov_prom_bool "$prov_hm_status"
	prov_prom_metric nixos_provenance_home_manager_in_sync '1 when Home Manager is activated at its newest generation, 0 when not.' "$prov_ret"

	prov_prom_success=
	prov_prom_exit=
	prov_prom_duration=
	prov_prom_end=
	if [ -f "$prov_prom_dir/last-build.json" ] && [ -r "$prov_prom_dir/last-build.json" ]; then
		prov_prom_fields=$(LC_ALL=C awk "$prov_prom_record_awk" "$prov_prom_dir/last-build.json" 2>/dev/null) || prov_prom_fields=
		while IFS= read -r prov_line; do
			case $prov_line in
			success=true) prov_prom_success=1 ;;
			success=false) prov_prom_success=0 ;;
			exitCode=*) prov_prom_exit=${prov_line#*=} ;;
			buildDuration=*) prov_prom_duration=${prov_line#*=} ;;
			buildEnd=*) prov_prom_end=${prov_line#*=} ;;
			esac
		done <<EOF
$prov_prom_fields
EOF
	fi
	prov_prom_metric nixos_provenance_last_build_success '1 when the last nixos-build-wrapper run succeeded, 0 when it failed.' "$prov_prom_success"
	prov_prom_metric nixos_provenance_last_build_exit_code 'Exit code of the last nixos-build-wrapper run.' "$prov_prom_exit"
	prov_prom_metric nixos_provenance_last_build_duration_seconds 'Duration of the last nixos-build-wrapper run.' "$prov_prom_duration"
	prov_prom_metric nixos_provenance_last_build_timestamp_seconds 'When the last nixos-build-wrapper run ended, in seconds since the epoch.' "$prov_prom_end"

	printf '# HELP %s %s\n# TYPE %s gauge\n' nixos_provenance_info 'Provenance of the running system; the value is always 1.' nixos_provenance_info
	prov_prom_label "$prov_commit_full"
	prov_prom_commit=$prov_ret
	prov_prom_label "$prov_commit"
	prov_prom_short=$prov_ret
	prov_prom_label "${prov_meta_NIXPKGS_REV:-unknown}"
	prov_prom_nixpkgs=$prov_ret
	prov_prom_label "${prov_meta_HOSTNAME:-unknown}"
	prov_prom_host=$prov_ret
	prov_prom_label "${prov_meta_SYSTEM:-unknown}"
	printf 'nixos_provenance_info{commit="%s",short_commit="%s",dirty="%s",nixpkgs_rev="%s",host="%s",system="%s"} 1\n' \
		"$prov_prom_commit" "$prov_prom_short" "$prov_commit_dirty" "$prov_prom_nixpkgs" "$prov_prom_host" "$prov_ret"
	return 0
}
