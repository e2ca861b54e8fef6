# shellcheck shell=sh
##### Prometheus metrics (nixos-build-status --prometheus) #####
# Needs the runtime core, the schema's field table, the generation
# detection part and the records part (recval). The metrics, their HELP lines and labels are the table in
# generator/schema/metrics.ts (documented in out/doc/metrics.md); the
# generator refuses to run when a metric of the table is missing here.
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
# Labels stay bounded: revisions, host, platform, user and fixed words; no
# times and no free text.

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


# prov_prom_lower WORD: prov_ret = WORD with A-Z in lower case (no fork; WORD
# is a field's shell name, [A-Z0-9_]).
prov_prom_lower() {
	prov_ret=
	prov_prom_rest=$1
	while [ -n "$prov_prom_rest" ]; do
		prov_prom_tail=${prov_prom_rest#?}
		prov_prom_c=${prov_prom_rest%"$prov_prom_tail"}
		prov_prom_rest=$prov_prom_tail
		case $prov_prom_c in
		A) prov_prom_c=a ;; B) prov_prom_c=b ;; C) prov_prom_c=c ;; D) prov_prom_c=d ;;
		E) prov_prom_c=e ;; F) prov_prom_c=f ;; G) prov_prom_c=g ;; H) prov_prom_c=h ;;
		I) prov_prom_c=i ;; J) prov_prom_c=j ;; K) prov_prom_c=k ;; L) prov_prom_c=l ;;
		M) prov_prom_c=m ;; N) prov_prom_c=n ;; O) prov_prom_c=o ;; P) prov_prom_c=p ;;
		Q) prov_prom_c=q ;; R) prov_prom_c=r ;; S) prov_prom_c=s ;; T) prov_prom_c=t ;;
		U) prov_prom_c=u ;; V) prov_prom_c=v ;; W) prov_prom_c=w ;; X) prov_prom_c=x ;;
		Y) prov_prom_c=y ;; Z) prov_prom_c=z ;;
		esac
		prov_ret=$prov_ret$prov_prom_c
	done
}

# prov_prom_add_label NAME VALUE: append NAME="VALUE" (escaped) to prov_prom_labels.
prov_prom_add_label() {
	prov_prom_label "$2"
	prov_prom_labels=${prov_prom_labels:+$prov_prom_labels,}$1=\"$prov_ret\"
}

# prov_prom_input_label NAME KEY A B (a prov_md_each_field callback; B is the value): every
# field named *_REV is the revision of a tracked flake input, and becomes the
# info label of its lower-case name (NIXPKGS_REV -> nixpkgs_rev).
prov_prom_input_label() {
	case $1 in
	*_REV)
		prov_prom_lower "$1"
		prov_prom_add_label "$prov_ret" "$4"
		;;
	esac
}

# prov_prom_stat_time PATH: prov_ret = the modification time of PATH itself
# (a link is not followed), in seconds since the epoch, or empty.
prov_prom_stat_time() {
	prov_ret=$(stat -c %Y -- "$1" 2>/dev/null) || prov_ret=
	case $prov_ret in
	'' | *[!0-9]*) prov_ret= ;;
	esac
}

# The newest activation of the running system's store path (ENVIRON
# PROV_PROM_STORE) in the activation history (nixos-provenance-activate: a
# JSON array, one record a line, oldest first): its timestamp, or nothing.
# Run after the records part's recval (prov_awk_record_value).
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_prom_activated_awk='
NR == 1 { if ($0 != "[") exit; cur = "\"" ENVIRON["PROV_PROM_STORE"] "\""; next }
$0 == "]" { exit }
{
	t = recval($0, "timestamp")
	if (recval($0, "storePath") == cur && t ~ /^[0-9]+$/) found = t
}
END { if (found != "") print found }
'

# The history is capped (NIXOS_PROVENANCE_HISTORY_LENGTH, at most 10,000
# records of well under 1 KiB): a larger file is not read.
prov_prom_history_max_bytes=16777216

# prov_prom_activated: prov_ret = when the running system ($prov_current) was
# last activated, from the activation history, or empty (no history, not a
# history, too large, or no record of this store path).
prov_prom_activated() {
	prov_ret=
	prov_prom_hist=${NIXOS_PROVENANCE_STATE_DIR:-$prov_root$prov_default_state_dir}/$prov_activation_history_file
	prov_small_file "$prov_prom_hist" "$prov_prom_history_max_bytes" || return 0
	# The store path as the activation script records it: resolved, without the root.
	prov_prom_store=$(cd -P -- "$prov_current" 2>/dev/null && pwd -P) || return 0
	if [ -n "$prov_root" ]; then
		prov_prom_r=$(cd -P -- "$prov_root" 2>/dev/null && pwd -P) || prov_prom_r=$prov_root
		prov_prom_store=${prov_prom_store#"$prov_prom_r"}
	fi
	prov_ret=$(PROV_PROM_STORE=$prov_prom_store LC_ALL=C awk "$prov_awk_record_value$prov_prom_activated_awk" <"$prov_prom_hist" 2>/dev/null) || prov_ret=
	case $prov_ret in
	'' | *[!0-9]*) prov_ret= ;;
	esac
	return 0
}

prov_prometheus_report() {
	prov_prom_dir=${1:-${NIXOS_PROVENANCE_LOG_DIR:-$prov_default_log_dir}}
	prov_system_detect
	prov_system_boot_detect
	prov_hm_detect
	prov_commit_detect "$prov_current"
	prov_md_from_meta
	prov_md_keep

	prov_prom_labels=
	prov_prom_add_label host "$prov_md_HOSTNAME"
	prov_prom_add_label system "$prov_md_SYSTEM"
	prov_prom_add_label commit "$prov_commit_full"
	prov_prom_add_label short_commit "$prov_commit"
	prov_prom_add_label dirty "$prov_commit_dirty"
	prov_prom_add_label source_url "$prov_md_GIT_SOURCE_URL"
	prov_prom_version=
	if [ -f "$prov_current/nixos-version" ]; then
		IFS= read -r prov_prom_version <"$prov_current/nixos-version" || :
	fi
	prov_prom_add_label nixos_version "${prov_prom_version:-unknown}"
	prov_md_each_field prov_prom_input_label
	printf '# HELP %s %s\n# TYPE %s gauge\n' nixos_provenance_info 'Provenance of the running system: configuration commit, dirty flag, host, platform and every tracked input revision; always 1.' nixos_provenance_info
	printf 'nixos_provenance_info{%s} 1\n' "$prov_prom_labels"

	prov_prom_metric nixos_provenance_current_generation 'Running NixOS system generation (/run/current-system).' "$prov_sys_current"
	prov_prom_metric nixos_provenance_latest_generation 'Newest NixOS system generation in the system profile.' "$prov_sys_latest"
	prov_prom_metric nixos_provenance_booted_generation 'NixOS system generation the machine booted (/run/booted-system).' "$prov_sys_booted"
	prov_prom_bool "$prov_sys_status"
	prov_prom_metric nixos_provenance_in_sync '1 when the running system is the newest generation, 0 when not.' "$prov_ret"

	prov_prom_known=
	[ -e "$prov_booted" ] && [ -e "$prov_current" ] && prov_prom_known=1
	prov_ret=
	[ -n "$prov_prom_known" ] && prov_prom_bool "$prov_sys_needs_reboot"
	prov_prom_metric nixos_provenance_needs_reboot '1 when the booted system differs from the running one in anything a reboot would change (see nixos_provenance_needs_reboot_reason).' "$prov_ret"
	printf '# HELP %s %s\n# TYPE %s gauge\n' nixos_provenance_needs_reboot_reason '1 for each reason a reboot is needed (booted and running system differ in it), 0 for the others.' nixos_provenance_needs_reboot_reason
	if [ -n "$prov_prom_known" ]; then
		# One sample per reason of the metric table (bounded label values);
		# what differs is prov_system_boot_detect's answer, not computed here.
		for prov_l in $prov_metric_reboot_reasons; do
			case " $prov_sys_reboot_reasons " in
			*" $prov_l "*) prov_prom_v=1 ;;
			*) prov_prom_v=0 ;;
			esac
			printf 'nixos_provenance_needs_reboot_reason{reason="%s"} %s\n' "$prov_l" "$prov_prom_v"
		done
	fi

	prov_ret=
	if [ -e "$prov_current" ]; then
		prov_prom_activated
		[ -n "$prov_ret" ] || prov_prom_stat_time "$prov_current"
	fi
	prov_prom_metric nixos_provenance_activated_timestamp_seconds 'When the running generation was activated: the newest record of its store path in the activation history, else the time of /run/current-system (which every activation replaces); in seconds since the epoch.' "$prov_ret"

	prov_prom_label "${prov_hm_user:-unknown}"
	prov_prom_user=$prov_ret
	prov_prom_bool "$prov_hm_status"
	prov_prom_hm_sync=$prov_ret
	prov_prom_metric_user nixos_provenance_home_manager_generation 'Activated Home Manager generation of the reporting user.' "$prov_hm_current"
	prov_prom_metric_user nixos_provenance_home_manager_latest_generation 'Newest Home Manager generation of the reporting user.' "$prov_hm_latest"
	prov_prom_metric_user nixos_provenance_home_manager_in_sync '1 when Home Manager is activated at its newest generation, 0 when not.' "$prov_prom_hm_sync"

	prov_prom_success=
	prov_prom_exit=
	prov_prom_duration=
	prov_prom_end=
	if [ -f "$prov_prom_dir/last-build.json" ] && [ -r "$prov_prom_dir/last-build.json" ]; then
		prov_prom_fields=$(LC_ALL=C awk "$prov_prom_record_awk" <"$prov_prom_dir/last-build.json" 2>/dev/null) || prov_prom_fields=
		while IFS= read -r prov_line; do
			case $prov_line in
			success=true) prov_prom_success=1 ;;
			success=false) prov_prom_success=0 ;;
			exitCode=*) prov_prom_exit=${prov_line#*=} ;;
			buildDuration=*) prov_prom_duration=${prov_line#*=} ;;
			buildEnd=*) prov_prom_end=${prov_line#*=} ;;
			esac
		done <<EOT
$prov_prom_fields
EOT
	fi
	prov_prom_metric nixos_provenance_last_build_success '1 when the last nixos-build-wrapper run succeeded, 0 when it failed.' "$prov_prom_success"
	prov_prom_metric nixos_provenance_last_build_exit_code 'Exit code of the last nixos-build-wrapper run.' "$prov_prom_exit"
	prov_prom_metric nixos_provenance_last_build_duration_seconds 'Duration of the last nixos-build-wrapper run.' "$prov_prom_duration"
	prov_prom_metric nixos_provenance_last_build_timestamp_seconds 'When the last nixos-build-wrapper run ended, in seconds since the epoch.' "$prov_prom_end"

	prov_prom_now=$(date +%s 2>/dev/null) || prov_prom_now=
	case $prov_prom_now in
	'' | *[!0-9]*) prov_prom_now= ;;
	esac
	prov_prom_metric nixos_provenance_report_timestamp_seconds 'When these metrics were written, in seconds since the epoch (stale metrics: the writer stopped).' "$prov_prom_now"
	return 0
}

# prov_prom_metric_user NAME HELP VALUE: one gauge with the user label
# (prov_prom_user, already escaped); no sample when VALUE is empty.
prov_prom_metric_user() {
	printf '# HELP %s %s\n# TYPE %s gauge\n' "$1" "$2" "$1"
	[ -n "$3" ] && printf '%s{user="%s"} %s\n' "$1" "$prov_prom_user" "$3"
	return 0
}
