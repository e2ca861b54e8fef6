# shellcheck shell=sh
# Build records: where they are, how to read them, and the build-log reader.

# prov_bs_tool NAME: prov_ret = how to run the sibling command NAME, or
# return 1. prov_bindir is set by the commands that source this library.
prov_bs_tool() {
	prov_ret=
	if [ -n "${prov_bindir-}" ] && [ -x "$prov_bindir/$1" ]; then
		prov_ret=$prov_bindir/$1
	elif command -v "$1" >/dev/null 2>&1; then
		prov_ret=$1
	else
		return 1
	fi
}

# prov_bs_records_dir [DIR]: prov_ret = where the build records are: DIR,
# else $NIXOS_PROVENANCE_LOG_DIR, else the configured default; when that has
# no last-build.json, the per-user fallback the wrapper uses when the default
# is not writable.
prov_bs_records_dir() {
	if [ -n "${1-}" ]; then
		prov_ret=$1
		return 0
	fi
	prov_ret=${NIXOS_PROVENANCE_LOG_DIR:-$prov_root$prov_default_log_dir}
	[ -f "$prov_ret/last-build.json" ] && return 0
	prov_bs_fallback_dir
	[ -n "$prov_ret" ] && [ -f "$prov_ret/last-build.json" ] && return 0
	prov_ret=${NIXOS_PROVENANCE_LOG_DIR:-$prov_root$prov_default_log_dir}
}

# prov_bs_fallback_dir: prov_ret = the per-user log directory, or '' when
# there is none. A relative XDG_STATE_HOME is ignored (the XDG Base
# Directory spec: paths must be absolute), and so is a HOME that is not
# absolute (records would land under the working directory, or /).
prov_bs_fallback_dir() {
	case ${XDG_STATE_HOME-} in
	/*)
		prov_ret=$XDG_STATE_HOME/nixos-builds
		return 0
		;;
	esac
	case ${HOME-} in
	/*) prov_ret=${HOME%/}/.local/state/nixos-builds ;;
	*) prov_ret= ;;
	esac
}

# prov_bs_history_length: prov_ret = how many entries the history keeps:
# NIXOS_PROVENANCE_HISTORY_LENGTH when it is a positive integer (at most
# 10000: the history is read whole on every build), else the default, with
# a warning. Compared as text first: a number beyond the shell's integer
# range is an error in [ ], not a value.
prov_bs_history_length() {
	prov_ret=${NIXOS_PROVENANCE_HISTORY_LENGTH:-$prov_default_history_length}
	case $prov_ret in
	'' | *[!0-9]* | 0 | 0*)
		prov_warn "NIXOS_PROVENANCE_HISTORY_LENGTH must be a positive integer; using $prov_default_history_length"
		prov_ret=$prov_default_history_length
		;;
	??????*)
		prov_warn "NIXOS_PROVENANCE_HISTORY_LENGTH is more than 10000; using 10000"
		prov_ret=10000
		;;
	*)
		if [ "$prov_ret" -gt 10000 ]; then
			prov_warn "NIXOS_PROVENANCE_HISTORY_LENGTH is more than 10000; using 10000"
			prov_ret=10000
		fi
		;;
	esac
}

# prov_bs_json_key FILE KEY: prov_ret = the raw JSON value of the first KEY
# in FILE, for the one-line records the wrapper writes (a string keeps its
# quotes and escapes). Returns 1 when absent.
prov_bs_json_key() {
	prov_ret=
	[ -f "$1" ] || return 1
	# Bounded: a record is a few KiB; a file over 4 MiB is not one (and would
	# take a minute to scan).
	prov_ret=$(command head -c 4194305 -- "$1" 2>/dev/null | LC_ALL=C command awk -v key="$2" "$prov_awk_record_value"'
		{
			if ((n += length($0) + 1) > 4194305) exit
			if (index($0, "\"" key "\":")) { print recval($0, key); exit }
		}' 2>/dev/null)
	[ -n "$prov_ret" ]
}

# prov_bs_log_awk: the build-log reader, an awk program run after
# $prov_json_awk_lib (it calls jesc) under LC_ALL=C. It streams the log once,
# keeping only what it reports, so memory does not grow with the log:
#   - error blocks: a line starting with `error:` (or nh's `Error:`), the
#     indented or blank lines that follow it (nix indents its traces), and up
#     to 3 lines of context before it; at most 10 blocks of 40 lines, each
#     line cut to 500 bytes;
#   - failed derivations: `builder for '/nix/store/...drv' failed` and
#     `Cannot build '/nix/store/...drv'`;
#   - the last phase: `Running phase: X` (`pkg: X` when nix prefixes the line
#     with `pkg> `), else the last `building '/nix/store/...drv'`.
# Terminal escapes are removed and a carriage return keeps what follows it
# (what the terminal showed). `@nix {...}` lines (nixos-rebuild
# --log-format internal-json, which is what the log holds when nom displays
# the build) are decoded first, but only when they can matter.
# what=record prints the record's keys `"errors":...,"lastPhase":...` on one
# line; what=blocks a JSON array of blocks; what=phase the phase as text;
# what=summary the first line of each block as text, control characters
# replaced by `?`.
# shellcheck disable=SC2016,SC2034 # awk code: the $ are awk's, not the shell's
prov_bs_log_awk='
BEGIN {
	esc = sprintf("%c", 27); bel = sprintf("%c", 7); cr = sprintf("%c", 13)
	maxblocks = 10; maxblines = 40; maxlen = 500; nctx = 3
	nb = 0; inblk = 0; nc = 0; nd = 0; dropped = 0; phase = ""
}
function clean(s,    p) {
	if (length(s) > 4 * maxlen) s = substr(s, 1, 4 * maxlen)
	if (index(s, esc)) {
		gsub(esc "\\[[0-9;?]*[ -/]*[@-~]", "", s)
		gsub(esc "\\][^" bel "]*" bel, "", s)
		gsub(esc, "", s)
	}
	if (index(s, cr)) {
		sub(cr "+$", "", s)
		while ((p = index(s, cr)) > 0) s = substr(s, p + 1)
	}
	if (length(s) > maxlen) s = substr(s, 1, maxlen) " [...]"
	return s
}
function hexval(h,    i, v, c) {
	v = 0
	for (i = 1; i <= length(h); i++) {
		c = index("0123456789abcdef", tolower(substr(h, i, 1)))
		if (c == 0) return -1
		v = v * 16 + c - 1
	}
	return v
}
# The JSON string starting at position p of line (just after its quote), decoded.
function jdecode(line, p,    s, out, c, i, n, v) {
	s = substr(line, p, 8192)
	out = ""; n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (c == "\"") break
		if (c == "\\") {
			i++; c = substr(s, i, 1)
			if (c == "n") c = "\n"
			else if (c == "t") c = "\t"
			else if (c == "r") c = cr
			else if (c == "u") {
				v = hexval(substr(s, i + 1, 4)); i += 4
				c = (v > 0 && v < 128) ? sprintf("%c", v) : "?"
			}
		}
		out = out c
	}
	return out
}
function endblock() {
	inblk = 0
	pend = 0
}
function addline(s) {
	if (inblk != 1) return
	if (bn[nb] >= maxblines) { if (bn[nb] == maxblines) { bj[nb] = bj[nb] "\\n[...]"; bn[nb]++ } return }
	bj[nb] = bj[nb] (bn[nb] ? "\\n" : "") jesc(s)
	bn[nb]++
}
function proc(s,    p, q, d, name, i) {
	s = clean(s)
	if ((p = index(s, "Running phase: ")) > 0) {
		name = substr(s, p + 15); sub(/[^A-Za-z0-9_].*$/, "", name)
		q = index(s, "> ")
		if (q > 0 && q < p) phase = substr(s, 1, q - 1) ": " name
		else phase = name
	} else if (s ~ /^building .\/nix\/store\/[^ ]*\.drv/) {
		d = substr(s, 11); sub(/\.drv.*$/, "", d); sub(/^\/nix\/store\/[^-]*-/, "", d)
		phase = "building " d
	}
	if (s ~ /builder for .\/nix\/store\/[^ ]*\.drv. failed/ || s ~ /[Cc]annot build .\/nix\/store\/[^ ]*\.drv/) {
		d = s; sub(/^[^\/]*\/nix\/store\//, "/nix/store/", d); sub(/\.drv.*$/, ".drv", d)
		if (!(d in seen)) { seen[d] = 1; drv[++nd] = d }
	}
	# On the internal-json path only a level-0 msg starts an error (a build
	# log line saying "error:" is the builder talking, not Nix).
	if (injson ? jsonerr && !jsonstarted : s ~ /^(error|Error):/) {
		jsonstarted = 1
		if (nb >= maxblocks) { dropped++; inblk = 2; nc = 0; return }
		nb++; inblk = 1; pend = 0; bn[nb] = 0; bj[nb] = ""; first[nb] = s
		# The summary: the message (an "error:" line alone is followed by
		# its message, or by a trace ending in the innermost error).
		msg[nb] = (s ~ /^(error|Error):[ \t]*$/) ? "" : s
		inner[nb] = ""; ininner = 0
		for (i = 1; i <= nc; i++) addline(ctx[i])
		nc = 0
		addline(s)
		return
	}
	if (inblk && (s == "" || s ~ /^[ \t]/ || injson)) {
		if (s == "") { pend++; return }
		if (inblk == 1) {
			if (pend > 0) ininner = 0
			while (pend > 0) { addline(""); pend-- }
			t = s; sub(/^[ \t]+/, "", t)
			# The message goes on until a blank line (Definition values: ...).
			if (t ~ /^(error|Error): ./) { inner[nb] = t; ininner = 1 }
			else if (ininner && length(inner[nb]) < maxlen) inner[nb] = inner[nb] " " t
			else if (msg[nb] == "" && t !~ /^(\342\200\246|at |\()/) msg[nb] = "error: " t
		}
		addline(s)
		return
	}
	if (inblk) endblock()
	if (s == "") return
	if (nc < nctx) ctx[++nc] = s
	else { ctx[1] = ctx[2]; ctx[2] = ctx[3]; ctx[3] = s }
}
/^@nix \{/ {
	jsonerr = ($0 ~ /"action":"msg"/ && $0 ~ /"level":0[,}]/) # json-reader: Nix internal-json
	if (!jsonerr && $0 !~ /rror|Running phase|building .\/nix|builder for|annot build/) next
	if ((p = index($0, "\"msg\":\"")) > 0) s = jdecode($0, p + 7) # json-reader: Nix internal-json log lines
	else if ((p = index($0, "\"fields\":[\"")) > 0) s = jdecode($0, p + 11) # json-reader: Nix internal-json
	else if ((p = index($0, "\"text\":\"")) > 0) s = jdecode($0, p + 8) # json-reader: Nix internal-json
	else next
	n = split(s, part, "\n")
	# One entry is one whole message: it never continues the block before it.
	injson = 1; jsonstarted = 0
	if (inblk) endblock()
	for (k = 1; k <= n; k++) proc(part[k])
	injson = 0
	if (inblk) endblock()
	next
}
{ proc($0) }
END {
	if (what == "phase") { print (phase == "" ? "unknown" : phase); exit }
	if (what == "summary") {
		for (i = 1; i <= nb; i++) {
			s = inner[i] != "" ? inner[i] : msg[i] != "" ? msg[i] : first[i]
			gsub(/[\001-\010\013-\037\177]/, "?", s); print s
		}
		if (dropped) print "(" dropped " more error blocks)"
		exit
	}
	if (what == "blocks") {
		printf "["
		for (i = 1; i <= nb; i++) printf "%s\n\"%s\"", (i > 1 ? "," : ""), bj[i]
		print (nb ? "\n]" : "]")
		exit
	}
	# what=record: four lines, each one JSON value: errors, errorBlocks,
	# failedDerivations, lastPhase (the wrapper puts them in its record).
	printf "\""
	for (i = 1; i <= nb; i++) printf "%s%s", (i > 1 ? "\\n\\n" : ""), bj[i]
	if (dropped) printf "\\n\\n(%d more error blocks)", dropped
	printf "\"\n["
	for (i = 1; i <= nb; i++) printf "%s\"%s\"", (i > 1 ? "," : ""), bj[i]
	printf "]\n["
	for (i = 1; i <= nd; i++) printf "%s\"%s\"", (i > 1 ? "," : ""), jesc(drv[i])
	printf "]\n\"%s\"\n", jesc(phase == "" ? "unknown" : phase)
}
'

# prov_awk_record_value: the awk function recval(LINE, KEY): the raw JSON
# value of the first KEY in LINE, one line of a record the wrapper or the
# activation script wrote (a string keeps its quotes and escapes), or null.
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_awk_record_value='
function recval(line, key,    p, s, i, c, out) {
	p = index(line, "\"" key "\":")
	if (p == 0) return "null"
	s = substr(line, p + length(key) + 3)
	if (substr(s, 1, 1) != "\"") { match(s, /^[-0-9.a-z]*/); return substr(s, 1, RLENGTH) }
	out = "\""
	# At most 4096 bytes of a value: no record key holds more, and a
	# longer one would take quadratic time.
	for (i = 2; i <= length(s) && i < 4096; i++) {
		c = substr(s, i, 1); out = out c
		if (c == "\\") { i++; out = out substr(s, i, 1); continue }
		if (c == "\"") break
	}
	return out
}
'

# prov_awk_history_keep: the reader of a history, a JSON array with one
# record per line so that it can be kept in order and trimmed line by line
# ([ / {...}, / {...} / ]): the wrapper's build history and the activation
# history. It exits 3 when the file is not in that form or any record is
# not a valid JSON object; otherwise, by its variable:
#   keep=N   the last N records, each followed by a comma;
#   whole=1  nothing: it only checks that the whole file is one JSON array
#            (any layout: before jq converts it);
#   last=1   the last record's generation and store path, tab-separated.
# Run after prov_awk_record_value (recval). The check is JSON's grammar, not
# a shape: strings (with their escapes, no raw control characters), then
# literals and numbers, become placeholders, and arrays and objects of
# placeholders are reduced until one value is left (or something that is
# not JSON is).
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_awk_history_keep='
BEGIN {
	S = sprintf("%c", 1); V = sprintf("%c", 2)
	val = "[" S V "]"
	arr = "\\[(" val "(," val ")*)?\\]"
	obj = "\\{(" S ":" val "(," S ":" val ")*)?\\}"
	hex = "[0-9A-Fa-f]"
	str = "\"([^\"\\\\" sprintf("%c", 1) "-" sprintf("%c", 31) "]|\\\\[\"\\\\/bfnrt]|\\\\u" hex hex hex hex ")*\""
	num = "-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?"
	rest = "[^][{}:," S V "]"
}
function is_json(s, open,    n) {
	if (substr(s, 1, 1) != open || index(s, S) || index(s, V)) return 0
	gsub(str, S, s)
	if (index(s, "\"") || index(s, "\\")) return 0
	gsub(/true|false|null/, V, s)
	gsub(num, V, s)
	gsub(/[ \t\n\r]+/, "", s)
	if (s ~ rest) return 0
	do { n = gsub(arr, V, s); n += gsub(obj, V, s) } while (n > 0)
	return s == V
}
whole { all = all $0 "\n"; next }
NR == 1 { if ($0 != "[") bad = 1; next }
bad { next }
closed { if ($0 != "") bad = 1; next }
$0 == "]" { if (n > 0 && comma) bad = 1; closed = 1; next }
{
	if (n > 0 && !comma) { bad = 1; next }
	line = $0
	comma = sub(/,$/, "", line)
	if (!is_json(line, "{")) { bad = 1; next }
	n++
	if (keep > 0) ring[n % keep] = line
	final = line
}
END {
	if (whole) exit is_json(all, "[") ? 0 : 3
	if (NR == 0) exit 0
	if (bad || !closed) exit 3
	if (last) {
		if (n) {
			path = recval(final, "storePath")
			if (path ~ /^"/) path = substr(path, 2, length(path) - 2)
			printf "%s\t%s\n", recval(final, "generation"), path
		}
		exit 0
	}
	start = n - keep + 1; if (start < 1) start = 1
	for (i = start; i <= n; i++) print ring[i % keep] ","
}
'

# prov_rec_alive PID: succeed unless PID is certainly gone. kill -0 fails
# for another user's live process too (EPERM): only "No such process"
# (ESRCH) means gone, so one user's sweep or lock takeover never treats
# another user's running wrapper as dead.
prov_rec_alive() {
	kill -0 "$1" 2>/dev/null && return 0
	case $(LC_ALL=C kill -0 "$1" 2>&1) in
	*'No such process'*) return 1 ;;
	esac
	return 0
}
