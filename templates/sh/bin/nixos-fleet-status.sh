# shellcheck shell=sh
# nixos-fleet-status: the fleet view, from the nixos_provenance_* metrics a
# Prometheus server scraped (through node-exporter's textfile collector).
# One instant query (`{__name__=~"nixos_provenance_.+",SELECTOR}`) over the
# HTTP API with curl (or wget), bounded by --timeout; one awk program parses
# the JSON answer, groups the hosts by commit and prints the table, or the
# FleetStatus document through the schema's awk writers. No jq.

# The fleet awk program. Input: the API's answer. Variables: mode (human |
# json), the exit codes, reason_order (the metric table's reboot reasons, in
# order); PROV_FL_URL and PROV_FL_SELECTOR in the environment. Prints the report (or, with exit
# code unreachable, one line saying what is wrong with the answer).
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_fl_awk='
function fail(msg) { print msg; failed = 1; exit code_unreachable }
function ws() { while (pos <= n && index(" \t\r\n", substr(text, pos, 1))) pos++ }
function utf8(c) {
	if (c < 128) return sprintf("%c", c)
	if (c < 2048) return sprintf("%c%c", 192 + int(c / 64), 128 + c % 64)
	if (c < 65536) return sprintf("%c%c%c", 224 + int(c / 4096), 128 + int(c / 64) % 64, 128 + c % 64)
	return sprintf("%c%c%c%c", 240 + int(c / 262144), 128 + int(c / 4096) % 64, 128 + int(c / 64) % 64, 128 + c % 64)
}
function hex4(s,    i, v) { v = 0; for (i = 1; i <= 4; i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1; return v }
function jstring(    out, c, e, u, lo) {
	out = ""; pos++
	while (pos <= n) {
		c = substr(text, pos, 1)
		if (c == "\"") { pos++; return out }
		if (c == "\\") {
			e = substr(text, pos + 1, 1); pos += 2
			if (e == "n") out = out "\n"; else if (e == "t") out = out "\t"; else if (e == "r") out = out "\r"
			else if (e == "b") out = out "\b"; else if (e == "f") out = out "\f"
			else if (e == "u") {
				u = hex4(substr(text, pos, 4)); pos += 4
				if (u >= 55296 && u < 56320 && substr(text, pos, 2) == "\\u") { lo = hex4(substr(text, pos + 2, 4)); pos += 6; u = 65536 + (u - 55296) * 1024 + (lo - 56320) }
				out = out utf8(u)
			} else out = out e
			continue
		}
		out = out c; pos++
	}
	fail("the answer ends inside a string")
}
# value(PATH): parse one JSON value; scalars land in J[PATH], arrays count in J[PATH "#"].
function value(path,    c, k, i, start) {
	ws(); c = substr(text, pos, 1)
	if (c == "{") {
		pos++; ws()
		if (substr(text, pos, 1) == "}") { pos++; return }
		while (1) {
			ws(); if (substr(text, pos, 1) != "\"") fail("a key is missing")
			k = jstring(); ws()
			if (substr(text, pos, 1) != ":") fail("a colon is missing"); pos++
			value(path "." k); ws(); c = substr(text, pos, 1); pos++
			if (c == "}") return
			if (c != ",") fail("an object is not closed")
		}
	}
	if (c == "[") {
		pos++; ws(); i = 0
		if (substr(text, pos, 1) == "]") { pos++; J[path "#"] = 0; return }
		while (1) {
			value(path "." i); i++; ws(); c = substr(text, pos, 1); pos++
			if (c == "]") { J[path "#"] = i; return }
			if (c != ",") fail("an array is not closed")
		}
	}
	if (c == "\"") { J[path] = jstring(); return }
	start = pos
	while (pos <= n && substr(text, pos, 1) ~ /[-+0-9.eEa-z]/) pos++
	if (pos == start) fail("a value is missing")
	J[path] = substr(text, start, pos - start)
}
function age(s) {
	if (s == "") return "?"
	s = int(s); if (s < 0) s = 0
	if (s < 120) return s "s"
	if (s < 7200) return int(s / 60) "m"
	if (s < 172800) return int(s / 3600) "h"
	return int(s / 86400) "d"
}
# dw(S): display width of S, counting UTF-8 characters rather than bytes.
function dw(s) { gsub(/[\200-\277]/, "", s); return length(s) }
function show(s) { gsub(/[\001-\037\177]/, "?", s); return s }
function jnum(s) { return s == "" ? "null" : s + 0 }
function jbool(s) { return s == "" ? "null" : (s == 1 ? "true" : "false") }
function jstr(s) { return "\"" jesc(s) "\"" }
function jlist(s,    a, k, m, out) { m = split(s, a, ","); out = ""; for (k = 1; k <= m; k++) if (a[k] != "") out = out (out == "" ? "" : ",") jstr(a[k]); return "[" out "]" }
{ text = text $0 "\n" }
END {
	if (failed) exit code_unreachable
	url_ = ENVIRON["PROV_FL_URL"]; selector = ENVIRON["PROV_FL_SELECTOR"]
	nknown = split(reason_order, order, " "); for (i = 1; i <= nknown; i++) known[order[i]] = 1
	n = length(text); pos = 1
	ws(); if (substr(text, pos, 1) != "{") fail("the answer is no Prometheus API response (not a JSON object)")
	value("")
	if (J[".status"] == "error") fail("Prometheus answered with an error: " J[".errorType"] ": " J[".error"])
	if (J[".status"] != "success" || J[".data.resultType"] != "vector") fail("the answer is no Prometheus API response (no instant vector)")
	nr = J[".data.result#"] + 0; nh = 0; now = ""
	for (r = 0; r < nr; r++) {
		p = ".data.result." r
		name = J[p ".metric.__name__"]; v = J[p ".value.1"]; now = J[p ".value.0"]
		key = J[p ".metric.instance"] SUBSEP J[p ".metric.job"]
		if (!(key in idx)) { idx[key] = ++nh; inst[nh] = J[p ".metric.instance"]; job[nh] = J[p ".metric.job"]; host[nh] = "unknown"; commit[nh] = "unknown"; short[nh] = "unknown"; dirty[nh] = "unknown"; url[nh] = "unknown"; ver[nh] = "unknown" }
		h = idx[key]
		if (name == "nixos_provenance_info") {
			host[h] = J[p ".metric.host"]; commit[h] = J[p ".metric.commit"]; short[h] = J[p ".metric.short_commit"]
			dirty[h] = J[p ".metric.dirty"]; url[h] = J[p ".metric.source_url"]; ver[h] = J[p ".metric.nixos_version"]
		} else if (name == "nixos_provenance_needs_reboot_reason") {
			if (v == 1) { rs = J[p ".metric.reason"]; if (rs in known) R[h, rs] = 1; else other[h] = other[h] "," rs }
		} else M[h, substr(name, 18)] = v
	}
	if (nh == 0) { print "no host in Prometheus at " url_ (selector == "" ? "" : " matches {" selector "}") " (no nixos_provenance_* series)"; exit code_noHosts }
	behind = 0; dirtyn = 0; failing = 0; ncommits = 0
	for (h = 1; h <= nh; h++) {
		# Reboot reasons in the order of the metric table, whatever order Prometheus answers in.
		reasons[h] = ""
		for (i = 1; i <= nknown; i++) if (R[h, order[i]]) reasons[h] = reasons[h] "," order[i]
		reasons[h] = substr(reasons[h] other[h], 2)
		att[h] = ""
		if (M[h, "in_sync"] == "0") { att[h] = "behind"; behind++ }
		if (dirty[h] == "true") { att[h] = att[h] (att[h] == "" ? "" : ",") "dirty"; dirtyn++ }
		if (M[h, "last_build_success"] == "0") { att[h] = att[h] (att[h] == "" ? "" : ",") "build-failed"; failing++ }
		g = commit[h] SUBSEP dirty[h]
		if (!(g in gsize)) { ncommits += (commit[h] in seen) ? 0 : 1; seen[commit[h]] = 1 }
		gsize[g]++
	}
	# Order: by commit group (most hosts first, then commit), then host, then instance.
	for (h = 1; h <= nh; h++) order[h] = h
	for (i = 2; i <= nh; i++) for (j = i; j > 1 && before(order[j], order[j - 1]); j--) { t = order[j]; order[j] = order[j - 1]; order[j - 1] = t }
	if (mode == "json") {
		hosts = ""
		for (i = 1; i <= nh; i++) {
			h = order[i]; split("", V)
			V["instance"] = jstr(inst[h]); V["job"] = jstr(job[h]); V["host"] = jstr(host[h])
			V["commit"] = jstr(commit[h]); V["shortCommit"] = jstr(short[h])
			V["dirty"] = dirty[h] == "true" ? "true" : dirty[h] == "false" ? "false" : "null"
			V["sourceUrl"] = jstr(url[h]); V["nixosVersion"] = jstr(ver[h])
			V["generation"] = jnum(M[h, "current_generation"]); V["latestGeneration"] = jnum(M[h, "latest_generation"]); V["bootedGeneration"] = jnum(M[h, "booted_generation"])
			V["inSync"] = jbool(M[h, "in_sync"]); V["needsReboot"] = jbool(M[h, "needs_reboot"]); V["rebootReasons"] = jlist(reasons[h])
			V["homeManagerInSync"] = jbool(M[h, "home_manager_in_sync"])
			V["lastBuildSuccess"] = jbool(M[h, "last_build_success"]); V["lastBuildExitCode"] = jnum(M[h, "last_build_exit_code"])
			V["lastBuildAgeSeconds"] = M[h, "last_build_timestamp_seconds"] == "" ? "null" : sprintf("%.0f", now - M[h, "last_build_timestamp_seconds"])
			V["metricsAgeSeconds"] = M[h, "report_timestamp_seconds"] == "" ? "null" : sprintf("%.0f", now - M[h, "report_timestamp_seconds"])
			V["attention"] = jlist(att[h])
			hosts = hosts (i > 1 ? "," : "") json_FleetHost(V)
		}
		split("", V)
		V["prometheus"] = jstr(url_); V["selector"] = jstr(selector); V["evaluatedAt"] = now
		V["commits"] = ncommits; V["behind"] = behind; V["dirty"] = dirtyn; V["failing"] = failing; V["hosts"] = "[" hosts "]"
		print json_FleetStatus(V)
	} else {
		cols = 8
		split("COMMIT HOST INSTANCE GENERATION IN-SYNC REBOOT LAST-BUILD METRICS-AGE", head, " ")
		for (c = 1; c <= cols; c++) { gsub(/-/, " ", head[c]); cell[0, c] = head[c] }
		last = ""
		for (i = 1; i <= nh; i++) {
			h = order[i]; g = commit[h] SUBSEP dirty[h]
			cg = M[h, "current_generation"]; lg = M[h, "latest_generation"]
			gen = cg == "" ? "?" : cg
			if (lg != "" && lg != cg) gen = gen " (newest " lg ")"
			sync = M[h, "in_sync"] == "1" ? "yes" : M[h, "in_sync"] == "0" ? "BEHIND" : "?"
			reboot = M[h, "needs_reboot"] == "1" ? "yes: " (reasons[h] == "" ? "?" : reasons[h]) : M[h, "needs_reboot"] == "0" ? "no" : "?"
			lb = M[h, "last_build_success"]
			build = lb == "1" ? "ok" : lb == "0" ? "FAILED (exit " M[h, "last_build_exit_code"] ")" : "none"
			if (lb != "" && M[h, "last_build_timestamp_seconds"] != "") build = build ", " age(now - M[h, "last_build_timestamp_seconds"]) " ago"
			cell[i, 1] = g == last ? "" : short[h] (dirty[h] == "true" ? "-dirty" : "")
			cell[i, 2] = show(host[h]); cell[i, 3] = show(inst[h]); cell[i, 4] = gen; cell[i, 5] = sync
			cell[i, 6] = reboot; cell[i, 7] = build
			cell[i, 8] = M[h, "report_timestamp_seconds"] == "" ? "?" : age(now - M[h, "report_timestamp_seconds"])
			first[i] = g != last && i > 1
			last = g
		}
		for (c = 1; c <= cols; c++) for (i = 0; i <= nh; i++) if (dw(cell[i, c]) > w[c]) w[c] = dw(cell[i, c])
		for (i = 0; i <= nh; i++) {
			if (first[i]) print ""
			line = ""
			for (c = 1; c < cols; c++) line = line cell[i, c] sprintf("%" (w[c] - dw(cell[i, c]) + 2) "s", "")
			line = line cell[i, cols]
			print line
		}
		printf "\n%d host%s, %d commit%s: %d behind, %d dirty, %d failing\n", nh, nh == 1 ? "" : "s", ncommits, ncommits == 1 ? "" : "s", behind, dirtyn, failing
	}
	exit (behind + dirtyn + failing) ? code_attention : code_ok
}
function before(a, b,    ga, gb) {
	ga = commit[a] SUBSEP dirty[a]; gb = commit[b] SUBSEP dirty[b]
	if (gsize[ga] != gsize[gb]) return gsize[ga] > gsize[gb]
	if (ga != gb) return ga < gb
	if (host[a] != host[b]) return host[a] < host[b]
	return inst[a] < inst[b]
}
'

# URL-encoding of the query (bytes under LC_ALL=C; unreserved characters pass).
# shellcheck disable=SC2016 # awk code
prov_fl_urlencode_awk='
BEGIN { for (k = 1; k < 256; k++) ord[sprintf("%c", k)] = k }
{ s = (NR == 1) ? $0 : s "\n" $0 }
END {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		out = out (c ~ /[A-Za-z0-9._~-]/ ? c : sprintf("%%%02X", ord[c]))
	}
	printf "%s", out
}
'

#@prov-generated

# prov_fl_fetch URL: prov_ret = the body of a GET of URL, status 1 (prov_ret
# = why) when the request failed or took longer than the timeout.
prov_fl_fetch() {
	prov_fl_client=${NIXOS_PROVENANCE_HTTP_CLIENT:-}
	if [ -z "$prov_fl_client" ]; then
		if command -v curl >/dev/null 2>&1; then
			prov_fl_client=curl
		elif command -v wget >/dev/null 2>&1; then
			prov_fl_client=wget
		else
			prov_ret="neither curl nor wget is installed"
			return 1
		fi
	fi
	case $prov_fl_client in
	curl)
		# No -f: Prometheus explains its errors in a JSON body (400, 422, 503).
		prov_ret=$(curl -sS -g --connect-timeout "$prov_fl_timeout" --max-time "$prov_fl_timeout" -H 'Accept: application/json' -- "$1" 2>&1) || {
			prov_ret="curl: ${prov_ret#curl: }"
			return 1
		}
		;;
	wget)
		prov_ret=$(wget -q -O - -T "$prov_fl_timeout" -- "$1" 2>&1) || {
			prov_ret="wget failed${prov_ret:+: $prov_ret} (an HTTP error, a refused connection or the timeout)"
			return 1
		}
		;;
	*)
		prov_ret="NIXOS_PROVENANCE_HTTP_CLIENT must be curl or wget (got $prov_fl_client)"
		return 1
		;;
	esac
	return 0
}

prov_fl_run() {
	prov_fl_url=${prov_opt_prometheus:-${NIXOS_PROVENANCE_PROMETHEUS:-}}
	[ -n "$prov_fl_url" ] || prov_usage_error "--prometheus URL is needed (or NIXOS_PROVENANCE_PROMETHEUS)"
	case $prov_fl_url in
	http://?* | https://?*) ;;
	*) prov_usage_error "--prometheus needs an http:// or https:// URL, got: $prov_fl_url" ;;
	esac
	prov_fl_url=${prov_fl_url%/}
	prov_fl_timeout=${prov_opt_timeout:-10}
	case $prov_fl_timeout in
	'' | *[!0-9]* | 0) prov_usage_error "--timeout needs a whole number of seconds above 0, got: $prov_fl_timeout" ;;
	esac
	prov_fl_query='{__name__=~"nixos_provenance_.+"'${prov_opt_selector:+,$prov_opt_selector}'}'
	prov_fl_enc=$(printf '%s' "$prov_fl_query" | LC_ALL=C awk "$prov_fl_urlencode_awk")
	prov_fl_fetch "$prov_fl_url/api/v1/query?query=$prov_fl_enc" ||
		prov_die "$prov_exit_unreachable" "cannot query Prometheus at $prov_fl_url: $prov_ret"
	prov_fl_status=0
	# URL and selector through the environment: awk -v would interpret their backslashes.
	prov_fl_out=$(printf '%s\n' "$prov_ret" | PROV_FL_URL=$prov_fl_url PROV_FL_SELECTOR=${prov_opt_selector:-} LC_ALL=C awk -v mode="$1" -v reason_order="$prov_metric_reboot_reasons" \
		-v code_ok="$prov_exit_ok" -v code_attention="$prov_exit_attention" -v code_noHosts="$prov_exit_noHosts" -v code_unreachable="$prov_exit_unreachable" \
		"$prov_json_awk_lib$prov_awk_json_FleetHost$prov_awk_json_FleetStatus$prov_fl_awk") || prov_fl_status=$?
	case $prov_fl_status in
	"$prov_exit_unreachable") prov_die "$prov_exit_unreachable" "Prometheus at $prov_fl_url: $prov_fl_out" ;;
	"$prov_exit_noHosts") prov_die "$prov_exit_noHosts" "$prov_fl_out" ;;
	esac
	printf '%s\n' "$prov_fl_out"
	exit "$prov_fl_status"
}

prov_fl_mode_human() {
	prov_fl_run human
}

prov_fl_mode_json() {
	prov_fl_run json
}

prov_main() {
	prov_parse "$@"
	prov_dispatch
}

prov_main "$@"
