# shellcheck shell=sh
# Metadata files are parsed, never sourced: a value can hold anything.
# `list` and `audit` cost a fixed number of processes whatever the number of
# generations: one stat for every link date and one awk for every metadata
# file; the shell itself only globs and compares.

# A known IFS and no CDPATH: word splitting and cd behave the same whatever
# the caller exported.
IFS=' 	
'
unset CDPATH

# prov_resolve SPEC: the generation SPEC names (current, booted or a number).
# Sets prov_gen_path (the toplevel to read), prov_gen_num (its number, or
# empty when it is not a generation of the profile) and prov_gen_name (for
# messages). Dies with notFound for anything else: a path is only built from
# SPEC once SPEC is known to be digits.
prov_resolve() {
	prov_gen_num=
	case $1 in
	current | booted)
		prov_system_detect
		if [ "$1" = current ]; then
			prov_gen_path=$prov_current
			[ -e "$prov_gen_path" ] || prov_die "$prov_exit_notFound" "no running system: $prov_current is missing"
			prov_gen_num=$prov_sys_current
		else
			prov_gen_path=$prov_booted
			[ -e "$prov_gen_path" ] || prov_die "$prov_exit_notFound" "no booted system: $prov_booted is missing"
			prov_system_boot_detect
			prov_gen_num=$prov_sys_booted
		fi
		prov_gen_name=$1${prov_gen_num:+ (generation $prov_gen_num)}
		;;
	'' | *[!0-9]*)
		prov_plain "$1"
		prov_die "$prov_exit_notFound" "not a generation: '$prov_ret' (expected current, booted or a generation number)"
		;;
	0* | ??????????*)
		# No link name has these (nix-env writes no leading zero; more than
		# 9 digits is beyond every shell's arithmetic): refused, not looked up.
		prov_die "$prov_exit_notFound" "not a generation number: '$1' (a number from 1 to 999999999, without leading zeros)"
		;;
	*)
		prov_gen_path=$prov_profiles/system-$1-link
		prov_exists "$prov_gen_path" || prov_die "$prov_exit_notFound" "no such generation: $1"
		[ -e "$prov_gen_path" ] || prov_die "$prov_exit_notFound" "generation $1 is a dangling link (its store path is gone)"
		prov_gen_num=$1
		prov_gen_name="generation $1"
		;;
	esac
}

# prov_md_load DIR: every field of DIR's metadata in prov_md_<NAME> (unknown
# when absent), plus prov_md_has (true when DIR/etc/nixos-metadata exists),
# prov_md_schema, prov_md_nixos (label), prov_md_kernel, prov_md_specs.
# Without a metadata file the commit comes from configuration-revision.
prov_md_load() {
	prov_commit_detect "$1"
	prov_md_has=false
	prov_md_invalid=false
	if [ -n "$prov_meta_invalid" ]; then
		prov_md_invalid=true
	elif [ -f "$1/etc/nixos-metadata" ]; then
		prov_md_has=true
	fi
	prov_md_schema=0
	case $prov_meta_schema in
	'' | *[!0-9]*) ;;
	*) prov_md_schema=$prov_meta_schema ;;
	esac
	prov_md_from_meta
	if [ "$prov_md_has" = false ]; then
		prov_md_GIT_COMMIT=$prov_commit_full
		prov_md_GIT_SHORT_COMMIT=$prov_commit
		prov_md_GIT_DIRTY=$prov_commit_dirty
	fi
	prov_md_nixos=unknown
	if prov_small_file "$1/nixos-version" 4096; then
		prov_l=
		IFS= read -r prov_l <"$1/nixos-version" 2>/dev/null || :
		[ -n "$prov_l" ] && prov_md_nixos=$prov_l
	fi
	prov_md_kernel=unknown
	set -- "$1" "$1"/kernel-modules/lib/modules/*
	[ $# -gt 1 ] && prov_exists "$2" && prov_md_kernel=${2##*/}
	prov_md_specs=
	set -- "$1" "$1"/specialisation/*
	shift
	for prov_l in "$@"; do
		prov_exists "$prov_l" && prov_md_specs="$prov_md_specs${prov_md_specs:+ }${prov_l##*/}"
	done
	return 0
}

# prov_md_plain_one NAME KEY A B (for prov_md_each_field): prov_md_NAME
# with control characters shown as `?` (the human view is for terminals).
prov_md_plain_one() {
	prov_plain "$4"
	eval "prov_md_$1=\$prov_ret"
}

prov_show_human() {
	prov_md_keep
	prov_md_each_field prov_md_plain_one
	for prov_l in nixos kernel specs; do
		eval "prov_plain \"\$prov_md_$prov_l\""
		eval "prov_md_$prov_l=\$prov_ret"
	done
	printf '%s\n' "${prov_gen_name}"
	printf '  %-18s %s\n' 'NixOS version' "$prov_md_nixos" 'Kernel' "$prov_md_kernel" 'Specialisations' "${prov_md_specs:-none}"
	if [ "$prov_md_invalid" = true ]; then
		printf '  %s\n' "etc/nixos-metadata is not valid metadata (not a regular file, over $prov_meta_max_bytes bytes or $prov_meta_max_lines lines, or a quote left open): ignored."
		printf '  %-18s %s\n' 'Commit' "$prov_md_GIT_COMMIT" 'Dirty' "$prov_md_GIT_DIRTY"
		return 0
	fi
	if [ "$prov_md_has" = false ]; then
		printf '  %s\n' 'No /etc/nixos-metadata: built before nixos-provenance was enabled.'
		printf '  %-18s %s\n' 'Commit' "$prov_md_GIT_COMMIT" 'Dirty' "$prov_md_GIT_DIRTY"
		return 0
	fi
	prov_md_print_fields
}

# prov_md_field_any NAME: prov_ret = the field NAME, or one of the two values
# every generation has without metadata; status 1 for an unknown name.
prov_md_field_any() {
	case $1 in
	NIXOS_VERSION | nixosVersion) prov_ret=$prov_md_nixos ;;
	KERNEL_VERSION | kernelVersion) prov_ret=$prov_md_kernel ;;
	*) prov_md_field_value "$1" ;;
	esac
}

# prov_md_show_load: the generation to show (default: current), loaded.
prov_md_show_load() {
	[ "$prov_npos" -ge 1 ] || prov_arg_generation=current
	prov_resolve "$prov_arg_generation"
	prov_md_load "$prov_gen_path"
}

prov_md_mode_show_human() {
	prov_md_show_load
	prov_show_human
}

prov_md_mode_show_json() {
	prov_md_show_load
	prov_json_NixosMetadata
	printf '%s\n' "$prov_ret"
}

prov_md_mode_show_export() {
	prov_md_show_load
	prov_md_export
	printf '%s' "$prov_ret"
}

prov_md_mode_show_field() {
	prov_md_show_load
	prov_md_field_any "$prov_opt_field" || prov_usage_error "unknown field: $prov_opt_field"
	if [ "$prov_md_has" = false ] && [ "$prov_ret" = unknown ]; then
		prov_die "$prov_exit_notFound" "$prov_gen_name has no /etc/nixos-metadata, so $prov_opt_field is unknown"
	fi
	# The exact value for scripts; a terminal gets control characters as `?`.
	[ -t 1 ] && prov_plain "$prov_ret"
	printf '%s\n' "$prov_ret"
}

# ---- list and audit: one stream of records, one awk ----

# The awk side of list/audit. Reads, in order: `D<TAB>date<TAB>link` lines
# from stat, `K<TAB>link/kernel-modules/lib/modules/<version>` and
# `S<TAB>link/specialisation/<name>` lines, `F<TAB>size<TAB>type<TAB>file`
# lines (stat -L of each generation's etc/nixos-metadata, nixos-version and
# configuration-revision), then one `G<TAB>link` line per generation, in
# numeric order; curgen and bootgen name the running and booted generations.
# It reads those three files itself, but only a file stat called a regular
# file of at most maxmeta (metadata) or maxsmall bytes: a FIFO, a device or
# a huge file is never opened (it would block or take seconds). Metadata
# follows prov_meta_read's rules and limits (maxlines; a quote left open is
# invalid); invalid metadata counts as none.
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_list_awk='
function readable(file, max) { return (file in fsize) && fsize[file] >= 0 && fsize[file] <= max }
function readline(file,    line, r) {
	line = ""
	if (!readable(file, maxsmall)) return ""
	r = (getline line < file)
	close(file)
	return r > 0 ? line : ""
}
function readmeta(file,    line, name, raw, val, q, r, nl) {
	split("", M)
	if (!readable(file, maxmeta)) return 0
	nl = 0
	while ((r = (getline line < file)) > 0) {
		if (++nl > maxlines) { r = -1; break }
		if (line !~ /^[A-Z][^=]*=/) continue
		name = substr(line, 1, index(line, "=") - 1)
		raw = substr(line, index(line, "=") + 1)
		if (substr(raw, 1, 1) == "\047") {
			raw = substr(raw, 2)
			val = ""
			for (;;) {
				q = index(raw, "\047")
				if (q == 0) {
					val = val raw "\n"
					if (++nl > maxlines || (getline raw < file) <= 0) { r = -1; break }
					continue
				}
				val = val substr(raw, 1, q - 1)
				raw = substr(raw, q + 1)
				if (substr(raw, 1, 3) == "\\\047\047") { val = val "\047"; raw = substr(raw, 4) }
				else break
			}
		} else val = raw
		if (r < 0) break
		M[name] = val
	}
	close(file)
	if (r != 0) split("", M)
	return r == 0
}
function known(v) { return v == "" ? "unknown" : v }
function q(s) { return (s ~ /[^ -~]|["\\]/) ? "\"" jesc(s) "\"" : "\"" s "\"" }
function plain(s) { gsub(/[\001-\037\177]/, "?", s); return s }
BEGIN { FS = "\t"; count = 0; nrev = 0 }
$1 == "D" {
	if (match($3, /-[0-9]+-link$/)) date[substr($3, RSTART + 1, RLENGTH - 6)] = substr($2, 1, 19)
	next
}
function rest(    p, i) {
	p = $2
	for (i = 3; i <= NF; i++) p = p "\t" $i
	return p
}
$1 == "F" {
	p = $4
	for (i = 5; i <= NF; i++) p = p "\t" $i
	fsize[p] = ($3 ~ /^regular/ && $2 ~ /^[0-9]+$/) ? $2 + 0 : -1
	next
}
$1 == "K" {
	p = rest()
	if (match(p, /\/system-[0-9]+-link\/kernel-modules\/lib\/modules\/[^\/]+$/)) {
		p = substr(p, RSTART + 8, RLENGTH - 8)
		g = substr(p, 1, index(p, "-") - 1)
		if (!(g in kern)) kern[g] = substr(p, index(p, "/lib/modules/") + 13)
	}
	next
}
$1 == "S" {
	p = rest()
	if (match(p, /\/system-[0-9]+-link\/specialisation\/[^\/]+$/)) {
		p = substr(p, RSTART + 8, RLENGTH - 8)
		g = substr(p, 1, index(p, "-") - 1)
		sp1 = substr(p, index(p, "/specialisation/") + 16)
		if (g in spec) spec[g] = spec[g] "/" sp1
		else spec[g] = sp1
	}
	next
}
$1 == "G" {
	path = rest()
	if (!match(path, /\/system-[0-9]+-link$/)) next
	gen = substr(path, RSTART + 8, RLENGTH - 13)
	cur = gen == curgen ? "true" : "false"
	boot = gen == bootgen ? "true" : "false"
	kernel = (gen in kern) ? kern[gen] : "unknown"
	specs = (gen in spec) ? spec[gen] : ""
	has = readmeta(path "/etc/nixos-metadata")
	if (!has) split("", M)
	label = known(readline(path "/nixos-version"))
	rev = known(readline(path "/configuration-revision"))
	commit = M["GIT_COMMIT"]; dirty = M["GIT_DIRTY"]
	if (!has && rev != "unknown") {
		commit = rev; dirty = "false"
		if (rev ~ /-dirty$/) { commit = substr(rev, 1, length(rev) - 6); dirty = "true" }
		else dirty = ""
	}
	commit = known(commit)
	nixpkgs = known(M["NIXPKGS_REV"])
	d = (gen in date) ? date[gen] : "unknown"
	if (mode == "audit" || mode == "auditjson") {
		if (!(nixpkgs in gens)) { order[++nrev] = nixpkgs; gens[nixpkgs] = "" }
		gens[nixpkgs] = gens[nixpkgs] (gens[nixpkgs] == "" ? "" : " ") gen
		next
	}
	if (mode == "json") {
		sl = ""
		ns = split(specs, sp, "/")
		for (i = 1; i <= ns; i++) sl = sl (i > 1 ? "," : "") q(sp[i])
		V["generation"] = gen; V["date"] = q(d); V["nixosVersion"] = q(label); V["kernelVersion"] = q(kernel)
		V["configurationRevision"] = q(rev); V["specialisations"] = "[" sl "]"; V["current"] = cur; V["booted"] = boot
		V["commit"] = q(commit); V["dirty"] = (dirty == "true" || dirty == "false" ? dirty : "null")
		V["nixpkgsRev"] = q(nixpkgs); V["hasMetadata"] = (has ? "true" : "false")
		printf "%s%s", (count ? ",\n" : "[\n"), json_GenerationList(V)
		count++
		next
	}
	if (!count) printf "%-6s %-19s %-9s %-8s %-28s %-10s %s\n", "GEN", "DATE", "COMMIT", "NIXPKGS", "NIXOS", "KERNEL", "FLAGS"
	count++
	c = commit == "unknown" ? commit : substr(commit, 1, 7) (dirty == "true" ? "*" : "")
	n = nixpkgs == "unknown" ? nixpkgs : substr(nixpkgs, 1, 7)
	flags = (cur == "true" ? "current" : "")
	if (boot == "true") flags = flags (flags == "" ? "" : ",") "booted"
	if (!has) flags = flags (flags == "" ? "" : ",") "no-metadata"
	if (specs != "") flags = flags (flags == "" ? "" : ",") "specialisations:" specs
	printf "%-6s %-19s %-9s %-8s %-28s %-10s %s\n", gen, d, plain(c), plain(n), plain(label), plain(kernel), plain(flags)
}
function ranges(list,    n, a, i, out, start, prev) {
	n = split(list, a, " ")
	out = ""
	for (i = 1; i <= n; i++) {
		if (i > 1 && a[i] + 0 == prev + 1) { prev = a[i]; continue }
		if (i > 1) out = out (start == prev ? start : start "-" prev) ", "
		start = a[i]; prev = a[i]
	}
	if (n) out = out (start == prev ? start : start "-" prev)
	return out
}
END {
	if (mode == "json") { printf "%s\n", (count ? "\n]" : "[]"); exit }
	if (mode == "audit") {
		if (nrev) printf "%-40s %s\n", "NIXPKGS REVISION", "GENERATIONS"
		for (i = 1; i <= nrev; i++) printf "%-40s %s\n", plain(order[i]), ranges(gens[order[i]])
		exit
	}
	if (mode == "auditjson") {
		printf "["
		for (i = 1; i <= nrev; i++) {
			gsub(/ /, ",", gens[order[i]])
			V["nixpkgsRev"] = q(order[i]); V["generations"] = "[" gens[order[i]] "]"
			printf "%s%s", (i > 1 ? ",\n" : "\n"), json_NixpkgsAudit(V)
		}
		printf "%s\n", (nrev ? "\n]" : "]")
		exit
	}
	if (!count) print "no system generations"
}
'

# prov_list_links: "$@" of the caller is not reachable from a function, so
# this sets prov_links_pats: the glob patterns, one per digit count, in
# increasing order (each pattern's matches are in numeric order).
prov_list_pats() {
	prov_links_pats=
	prov_gen_latest "$prov_profiles" system || return 1
	prov_gen_digits_pat "${#prov_ret}"
	prov_l='[1-9]'
	while :; do
		prov_links_pats="$prov_links_pats $prov_l"
		[ "$prov_l" = "$prov_gen_pat" ] && return 0
		prov_l=$prov_l'[0-9]'
	done
}

prov_list_stream() {
	prov_list_pats || return 0
	set --
	for prov_p in $prov_links_pats; do
		# shellcheck disable=SC2086 # $prov_p is the glob pattern
		set -- "$@" "$prov_profiles"/system-$prov_p-link
	done
	# Dates: the links' own mtimes (what nixos-rebuild list-generations
	# shows), from stat. GNU and busybox stat both know -c, %y, %s and %F;
	# without stat every date is unknown and no file is read.
	prov_list_stat 'D	%y	%n' "$@"
	# What each generation's files are (a FIFO or a device must never be
	# opened) and how large: one glob each, stat -L on what exists.
	set -- "$prov_profiles"/system-*-link/etc/nixos-metadata \
		"$prov_profiles"/system-*-link/nixos-version "$prov_profiles"/system-*-link/configuration-revision
	prov_list_stat 'F	%s	%F	%n' -L "$@"
	set --

	# Kernel versions and specialisations of every generation: one glob
	# each (the shell walks the directories itself, no loop in shell code).
	# A pattern that matches nothing stays as it is; awk ignores it.
	set -- "$@" "$prov_profiles"/system-*-link/kernel-modules/lib/modules/*
	printf 'K\t%s\n' "$@"
	set -- "$prov_profiles"/system-*-link/specialisation/*
	printf 'S\t%s\n' "$@"
	set --
	for prov_p in $prov_links_pats; do
		# shellcheck disable=SC2086 # $prov_p is the glob pattern
		set -- "$@" "$prov_profiles"/system-$prov_p-link
	done
	printf 'G\t%s\n' "$@"
}

# prov_list_stat FORMAT [-L] FILE...: stat -c FORMAT of every FILE, 1,000
# files per stat run (xargs; 100,000 links in one command line fail with
# E2BIG). Errors (a pattern that matched nothing, a dangling link) are left
# out.
prov_list_stat() {
	prov_l=$1
	shift
	command -v stat >/dev/null 2>&1 || return 0
	if [ "$1" = -L ]; then
		shift
		printf '%s\0' "$@" | command xargs -0 -n 1000 stat -L -c "$prov_l" -- 2>/dev/null
	else
		printf '%s\0' "$@" | command xargs -0 -n 1000 stat -c "$prov_l" -- 2>/dev/null
	fi
	return 0
}

prov_cmd_list() {
	prov_system_detect
	prov_system_boot_detect
	prov_list_stream | LC_ALL=C awk -v mode="$1" -v curgen="$prov_sys_current" -v bootgen="$prov_sys_booted" \
		-v maxmeta="$prov_meta_max_bytes" -v maxlines="$prov_meta_max_lines" -v maxsmall=4096 \
		"$prov_json_awk_lib$prov_awk_json_GenerationList$prov_awk_json_NixpkgsAudit$prov_list_awk"
}

prov_md_mode_list_human() {
	prov_cmd_list human
}

prov_md_mode_list_json() {
	prov_cmd_list json
}

prov_md_mode_audit_human() {
	prov_cmd_list audit
}

prov_md_mode_audit_json() {
	prov_cmd_list auditjson
}

# prov_fill TEMPLATE: prov_ret = TEMPLATE with {owner} {repo} {from} {to}
# replaced by prov_f_owner, prov_f_repo, prov_f_from, prov_f_to.
prov_fill() {
	prov_ret=
	prov_rest=$1
	while :; do
		case $prov_rest in
		*'{'*'}'*)
			prov_ret=$prov_ret${prov_rest%%\{*}
			prov_rest=${prov_rest#*\{}
			prov_p=${prov_rest%%\}*}
			prov_rest=${prov_rest#*\}}
			case $prov_p in
			owner) prov_ret=$prov_ret$prov_f_owner ;;
			repo) prov_ret=$prov_ret$prov_f_repo ;;
			from) prov_ret=$prov_ret$prov_f_from ;;
			to) prov_ret=$prov_ret$prov_f_to ;;
			*) prov_ret="$prov_ret{$prov_p}" ;;
			esac
			;;
		*)
			prov_ret=$prov_ret$prov_rest
			return 0
			;;
		esac
	done
}

# prov_compare_url URL FROM TO: prov_ret = the forge's compare link for the
# repository URL (a flake reference or web URL), or empty. The forges and
# their URL templates come from the schema.
prov_compare_url() {
	prov_ret=
	prov_f_from=$2
	prov_f_to=$3
	case $prov_f_from$prov_f_to in
	*[!0-9a-f]*) return 1 ;;
	esac
	[ ${#prov_f_from} -ge 7 ] && [ ${#prov_f_to} -ge 7 ] || return 1
	prov_rest=
	prov_tpl=
	prov_forge_compare_template "$1" || return 1
	prov_tpl=$prov_ret
	prov_f_owner=${prov_rest%%/*}
	prov_rest=${prov_rest#*/}
	prov_f_repo=${prov_rest%%[/?#]*}
	prov_f_repo=${prov_f_repo%.git}
	case $prov_f_owner$prov_f_repo in
	'' | *[!A-Za-z0-9._-]*) return 1 ;;
	esac
	[ -n "$prov_f_owner" ] && [ -n "$prov_f_repo" ] || return 1
	prov_fill "$prov_tpl"
}

prov_cmd_diff() {
	prov_resolve "$1"
	prov_da_name=$1
	prov_md_load "$prov_gen_path"
	prov_md_keep
	prov_a_NIXOS_VERSION=$prov_md_nixos
	prov_a_KERNEL_VERSION=$prov_md_kernel
	prov_a_label=$prov_gen_name
	prov_resolve "$2"
	prov_md_load "$prov_gen_path"
	prov_md_NIXOS_VERSION=$prov_md_nixos
	prov_md_KERNEL_VERSION=$prov_md_kernel
	prov_changes=0
	prov_out=
	prov_sep=
	[ "$prov_opt_mode" = human ] && printf '%s -> %s\n' "$prov_a_label" "$prov_gen_name"
	prov_md_each_field prov_diff_one
	prov_diff_one NIXOS_VERSION nixosVersion "$prov_a_NIXOS_VERSION" "$prov_md_NIXOS_VERSION"
	prov_diff_one KERNEL_VERSION kernelVersion "$prov_a_KERNEL_VERSION" "$prov_md_KERNEL_VERSION"
	prov_ret=
	if [ "$prov_a_GIT_COMMIT" != "$prov_md_GIT_COMMIT" ]; then
		prov_compare_url "$prov_md_FLAKE_URL" "$prov_a_GIT_COMMIT" "$prov_md_GIT_COMMIT" ||
			prov_compare_url "$prov_md_GIT_SOURCE_URL" "$prov_a_GIT_COMMIT" "$prov_md_GIT_COMMIT" ||
			prov_compare_url "$prov_a_FLAKE_URL" "$prov_a_GIT_COMMIT" "$prov_md_GIT_COMMIT" ||
			prov_compare_url "$prov_a_GIT_SOURCE_URL" "$prov_a_GIT_COMMIT" "$prov_md_GIT_COMMIT" || :
	fi
	prov_url=$prov_ret
	if [ "$prov_opt_mode" = json ]; then
		prov_gd_from=$prov_da_name
		prov_gd_to=$2
		prov_gd_changes=[$prov_out]
		prov_gd_compareUrl=$prov_url
		prov_json_GenerationDiff
		printf '%s\n' "$prov_ret"
		return 0
	fi
	[ "$prov_changes" -gt 0 ] || printf '  %s\n' 'no differences in the recorded metadata'
	[ -n "$prov_url" ] && printf '  %-18s %s\n' 'Compare' "$prov_url"
	return 0
}

# prov_diff_one FIELD KEY A B: report FIELD when A and B differ.
prov_diff_one() {
	[ "$3" = "$4" ] && return 0
	prov_changes=$((prov_changes + 1))
	if [ "$prov_opt_mode" = json ]; then
		prov_gdc_field=$1
		prov_gdc_key=$2
		prov_gdc_from=$3
		prov_gdc_to=$4
		prov_json_GenerationDiffChange
		prov_out=$prov_out$prov_sep$prov_ret
		prov_sep=,
	else
		printf '  %-18s %s -> %s\n' "$1" "$3" "$4"
	fi
}

prov_md_mode_diff_human() {
	prov_cmd_diff "$prov_arg_a" "$prov_arg_b"
}

prov_md_mode_diff_json() {
	prov_cmd_diff "$prov_arg_a" "$prov_arg_b"
}

prov_md_mode_reproduce_human() {
	prov_cmd_reproduce "$prov_arg_n"
}

prov_cmd_reproduce() {
	prov_resolve "$1"
	prov_md_load "$prov_gen_path"
	[ "$prov_md_GIT_COMMIT" != unknown ] ||
		prov_die "$prov_exit_notFound" "$prov_gen_name records no commit: it cannot be reproduced from its source"
	# The output is meant for `| sh`: a value reaches it only as a word
	# quoted by prov_sh_quote, or after it was checked to be what it claims
	# (a comment cannot hold a quoted value: a newline would end it).
	prov_is_rev "$prov_md_GIT_COMMIT" ||
		prov_die "$prov_exit_notFound" "$prov_gen_name records a commit that is not a git revision: it cannot be reproduced from its source"
	prov_l=$prov_md_NIXPKGS_REV
	prov_is_rev "$prov_l" || [ "$prov_l" = unknown ] || prov_l='(not a git revision)'
	printf '# %s: commit %s, nixpkgs %s\n' "$prov_gen_name" "$prov_md_GIT_COMMIT" "$prov_l"
	[ "$prov_md_GIT_DIRTY" = true ] &&
		printf '# Warning: built from a dirty tree; its uncommitted changes are not recorded, so the result may differ.\n'
	[ "$prov_md_GIT_DIRTY" = unknown ] && [ "$prov_md_has" = true ] &&
		printf '# Warning: whether the tree was dirty is unknown.\n'
	prov_target=.
	case $prov_md_HOSTNAME in
	unknown) ;;
	'' | *[!A-Za-z0-9._-]*)
		printf '# The recorded host name is not a host name: not used (nixos-rebuild picks this host).\n'
		prov_md_HOSTNAME=unknown
		;;
	*) prov_target=.#$prov_md_HOSTNAME ;;
	esac
	prov_sh_quote "$prov_md_GIT_COMMIT"
	printf '\n# From a checkout of the configuration:\ngit checkout %s\n' "$prov_ret"
	prov_sh_quote "$prov_target"
	printf 'sudo nixos-rebuild switch --flake %s\n' "$prov_ret"
	case $prov_md_FLAKE_URL in
	unknown) ;;
	*[[:cntrl:]]* | -*)
		printf '\n# The recorded flake reference holds control characters or starts with -: not shown.\n'
		;;
	*)
		prov_l=$prov_md_FLAKE_URL
		[ "$prov_md_HOSTNAME" != unknown ] && prov_l=$prov_l#$prov_md_HOSTNAME
		prov_sh_quote "$prov_l"
		printf '\n# Or straight from the recorded flake reference:\nsudo nixos-rebuild switch --flake %s\n' "$prov_ret"
		;;
	esac
}

# prov_is_rev VALUE: status 0 when VALUE is a git revision (7 to 64
# lower-case hex digits: SHA-1 or SHA-256, maybe abbreviated).
prov_is_rev() {
	case $1 in
	'' | *[!0-9a-f]*) return 1 ;;
	esac
	[ ${#1} -ge 7 ] && [ ${#1} -le 64 ]
}

prov_main() {
	prov_parse "$@"
	prov_dispatch
	exit "$prov_exit_ok"
}

prov_main "$@"
