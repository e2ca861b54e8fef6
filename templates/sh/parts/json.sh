# shellcheck shell=sh
# JSON: the one escaper (awk, byte-wise) and the value writers the generated
# shape writers call.
# The runtime's only JSON escaper, as an awk program (byte-wise under LC_ALL=C):
# quotes, backslashes and control characters are escaped, valid UTF-8 passes
# through, and every byte that is not valid UTF-8 becomes U+FFFD, so the
# output is always valid JSON. mode=value prints one JSON string of the whole
# input minus the final newline; mode=lines prints one JSON string per line.
# prov_json_awk_lib is the escaper alone (the jesc function and the ord table
# it needs), for awk programs of the commands that print JSON of their own.
prov_json_awk_lib='
function jesc(s,    out, i, n, c, o, len, j, b2, ok, lo, hi) {
	out = ""
	n = length(s)
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		o = ord[c]
		if (c == "\"") { out = out "\\\""; continue }
		if (c == "\\") { out = out "\\\\"; continue }
		if (o < 32 || o == 127) {
			if (c == "\n") out = out "\\n"
			else if (c == "\t") out = out "\\t"
			else if (c == "\r") out = out "\\r"
			else out = out sprintf("\\u%04x", o)
			continue
		}
		if (o < 128) { out = out c; continue }
		len = 0
		if (o >= 194 && o <= 223) len = 2
		else if (o >= 224 && o <= 239) len = 3
		else if (o >= 240 && o <= 244) len = 4
		ok = len > 0 && i + len - 1 <= n
		for (j = 1; ok && j < len; j++) {
			b2 = ord[substr(s, i + j, 1)]
			lo = 128; hi = 191
			if (j == 1 && o == 224) lo = 160
			if (j == 1 && o == 237) hi = 159
			if (j == 1 && o == 240) lo = 144
			if (j == 1 && o == 244) hi = 143
			if (b2 < lo || b2 > hi) ok = 0
		}
		if (ok) { out = out substr(s, i, len); i += len - 1 }
		else out = out "\\ufffd"
	}
	return out
}
BEGIN { for (k = 1; k < 256; k++) ord[sprintf("%c", k)] = k }
'
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_json_awk=$prov_json_awk_lib'
mode == "lines" { print "\"" jesc($0) "\""; next }
{ all = (NR == 1) ? $0 : all "\n" $0 }
END { if (mode != "lines") printf "\"%s\"", jesc(all) }
'

# prov_json_str VALUE: prov_ret = VALUE as a JSON string literal (with quotes).
# Plain printable ASCII, the common case, is handled without a fork.
prov_json_str() {
	case $1 in
	*[!\ -~]* | *[\"\\]*)
		prov_ret=$(command printf '%s\n' "$1" | LC_ALL=C command awk -v mode=value "$prov_json_awk")
		;;
	*)
		prov_ret=\"$1\"
		;;
	esac
}

# prov_json_lines TEXT: prov_ret = TEXT as one JSON string, each line escaped
# on its own (plain ASCII lines need no fork) and joined with \n.
prov_json_lines() {
	prov_rest=$1
	prov_acc=
	prov_sep=
	while :; do
		prov_json_str "${prov_rest%%
*}"
		prov_ret=${prov_ret#\"}
		prov_acc=$prov_acc$prov_sep${prov_ret%\"}
		prov_sep='\n'
		case $prov_rest in
		*'
'*) prov_rest=${prov_rest#*
} ;;
		*) break ;;
		esac
	done
	prov_ret=\"$prov_acc\"
}

# Value writers for the generated shape writers (prov_json_<Shape> in the
# schema part): each sets prov_ret to the JSON text of one value.

# prov_json_num VALUE: an integer as is; anything else is null.
prov_json_num() {
	case $1 in
	'' | -*[!0-9]* | -) prov_ret=null ;;
	-[0-9]* | [0-9]*)
		case ${1#-} in
		*[!0-9]*) prov_ret=null ;;
		*) prov_ret=$1 ;;
		esac
		;;
	*) prov_ret=null ;;
	esac
}

# prov_json_bool VALUE: true for true or 1, false for anything else.
prov_json_bool() {
	case $1 in
	true | 1) prov_ret=true ;;
	*) prov_ret=false ;;
	esac
}

# prov_json_nullbool VALUE: true/false for true/1 and false/0, null otherwise (unknown).
prov_json_nullbool() {
	case $1 in
	true | 1) prov_ret=true ;;
	false | 0) prov_ret=false ;;
	*) prov_ret=null ;;
	esac
}

# prov_json_nullstr VALUE: a JSON string, or null when VALUE is empty.
prov_json_nullstr() {
	if [ -n "$1" ]; then
		prov_json_str "$1"
	else
		prov_ret=null
	fi
}

# prov_json_raw JSON DEFAULT: JSON text made by another writer, or DEFAULT when empty.
prov_json_raw() {
	prov_ret=${1:-$2}
}

# prov_json_str_list LINES: a JSON array of strings, one per line (empty: []).
prov_json_str_list() {
	prov_jl=
	prov_rest=$1
	while [ -n "$prov_rest" ]; do
		prov_json_str "${prov_rest%%
*}"
		prov_jl=${prov_jl:+$prov_jl,}$prov_ret
		case $prov_rest in
		*'
'*) prov_rest=${prov_rest#*
} ;;
		*) prov_rest= ;;
		esac
	done
	prov_ret=[$prov_jl]
}

# prov_json_num_list WORDS: a JSON array of the integers among WORDS.
prov_json_num_list() {
	prov_jl=
	for prov_l in $1; do
		prov_json_num "$prov_l"
		[ "$prov_ret" = null ] || prov_jl=${prov_jl:+$prov_jl,}$prov_ret
	done
	prov_ret=[$prov_jl]
}
