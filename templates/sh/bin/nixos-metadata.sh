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

# The exit status of a generation that cannot be read: diff and verify use
# trouble (2) instead, as diff(1) does.
prov_md_fail=$prov_exit_notFound
# What prov_main exits with (diff and verify set it).
prov_md_status=$prov_exit_ok

# The profile every reader reads: the system's, or with --home the user's
# Home Manager profile (prov_md_home). Links are DIR/PREFIX-N-link
# (prov_md_dir, prov_md_prefix); prov_md_meta is the metadata file within a
# generation, prov_md_meta_shown that file in messages, prov_md_gen what a
# generation is called, prov_md_what what the profile holds.
prov_md_dir=$prov_profiles
prov_md_prefix=system
prov_md_meta=etc/nixos-metadata
prov_md_meta_shown=/etc/nixos-metadata
prov_md_gen=generation
prov_md_what='system generations'

# prov_md_home: every reader pointed at the user's Home Manager generations
# (found by prov_hm_detect: the XDG or the per-user profile; the current one
# is the activated one, current-home). A user name with a slash (or . or
# ..) would reach outside per-user/: refused, never replaced by another.
prov_md_home() {
	case ${USER-} in
	*/* | . | ..)
		prov_plain "$USER"
		prov_die "$prov_md_fail" "--home: the user name '$prov_ret' holds a / (or is . or ..): no Home Manager profile is read for it"
		;;
	esac
	prov_hm_detect
	[ -n "$prov_hm_user" ] || prov_die "$prov_md_fail" "--home: no user name (USER, id -un and LOGNAME give none)"
	prov_plain "$prov_hm_user"
	prov_md_what="Home Manager generations of $prov_ret"
	case $prov_hm_layout in
	xdg | legacy) ;;
	nixos-module) prov_die "$prov_md_fail" "--home: Home Manager of $prov_ret runs as a NixOS module: its generations are the system's (nixos-metadata without --home)" ;;
	*) prov_die "$prov_md_fail" "--home: no $prov_md_what (no home-manager-N-link in ${prov_hm_xdg:-\$XDG_STATE_HOME}/nix/profiles or $prov_profiles/per-user/$prov_ret)" ;;
	esac
	prov_md_dir=$prov_hm_dir
	prov_md_prefix=home-manager
	prov_md_meta=$prov_home_metadata_file
	prov_md_meta_shown="$prov_home_metadata_file in the generation"
	prov_md_gen='Home Manager generation'
	prov_md_latest=$prov_hm_latest
	prov_md_cur=$prov_hm_current
	prov_md_curpath=$prov_hm_root
	prov_md_curname='the activated Home Manager generation'
	prov_md_nocurrent="no activated Home Manager generation: $prov_hm_root is missing"
	return 0
}

# prov_md_detect: the profile's newest generation (prov_md_latest), the
# current one's number (prov_md_cur, empty when it is none of the profile)
# and path (prov_md_curpath), how it is called (prov_md_curname) and the
# message when it is missing (prov_md_nocurrent).
prov_md_detect() {
	if [ -n "$prov_opt_home" ]; then
		prov_md_home
		return 0
	fi
	prov_system_detect
	prov_md_latest=$prov_sys_latest
	prov_md_cur=$prov_sys_current
	prov_md_curpath=$prov_current
	prov_md_curname='the running system'
	prov_md_nocurrent="no running system: $prov_current is missing"
	return 0
}

# prov_md_system_only WHAT: WHAT reads the system's generations (or its
# activation history) only.
prov_md_system_only() {
	[ -z "$prov_opt_home" ] || prov_usage_error "--home: $1 is for system generations only (--home works with show, list, diff and audit)"
}

# prov_resolve SPEC: the generation SPEC names: current, booted, latest, a
# number, or -N (the Nth existing generation below the current one; the
# command line hands it over as ~N, see prov_main). Sets prov_gen_path (the
# toplevel to read), prov_gen_num (its number, or empty when it is not a
# generation of the profile), prov_gen_name (for messages) and
# prov_gen_spec (SPEC as the user wrote it). Dies with $prov_md_fail
# (notFound, or trouble for diff and verify) for anything else: a path is
# only built from SPEC once SPEC is known to be digits.
prov_resolve() {
	prov_gen_num=
	prov_gen_spec=$1
	case $1 in
	current | booted)
		prov_md_detect
		if [ "$1" = current ]; then
			prov_gen_path=$prov_md_curpath
			[ -e "$prov_gen_path" ] || prov_die "$prov_md_fail" "$prov_md_nocurrent"
			prov_gen_num=$prov_md_cur
		else
			[ -z "$prov_opt_home" ] || prov_die "$prov_md_fail" "booted: Home Manager generations are activated, not booted (current, latest, -N or a number)"
			prov_gen_path=$prov_booted
			[ -e "$prov_gen_path" ] || prov_die "$prov_md_fail" "no booted system: $prov_booted is missing"
			prov_system_boot_detect
			prov_gen_num=$prov_sys_booted
		fi
		prov_gen_name=$1${prov_gen_num:+ ($prov_md_gen $prov_gen_num)}
		return 0
		;;
	latest)
		prov_md_detect
		[ -n "$prov_md_latest" ] || prov_die "$prov_md_fail" "no $prov_md_what in $prov_md_dir"
		prov_gen_path=$prov_md_dir/$prov_md_prefix-$prov_md_latest-link
		[ -e "$prov_gen_path" ] || prov_die "$prov_md_fail" "$prov_md_gen $prov_md_latest is a dangling link (its store path is gone)"
		prov_gen_num=$prov_md_latest
		prov_gen_name="latest ($prov_md_gen $prov_gen_num)"
		return 0
		;;
	-[1-9]*)
		prov_gen_back=${1#?}
		prov_gen_spec=-$prov_gen_back
		case $prov_gen_back in
		*[!0-9]* | ??????????*) prov_die "$prov_md_fail" "not a generation: '$prov_gen_spec' (expected current, booted, latest, -N or a generation number)" ;;
		esac
		prov_md_detect
		[ -n "$prov_md_cur" ] ||
			prov_die "$prov_md_fail" "$prov_gen_spec: $prov_md_curname is no generation of the profile, so there is nothing to count back from"
		# Count existing links only: collected generations leave gaps.
		prov_gen_n=$prov_md_cur
		prov_gen_i=0
		while [ "$prov_gen_i" -lt "$prov_gen_back" ]; do
			prov_gen_n=$((prov_gen_n - 1))
			[ "$prov_gen_n" -gt 0 ] ||
				prov_die "$prov_md_fail" "no generation $prov_gen_spec: only $prov_gen_i generations exist below the current one ($prov_md_cur)"
			prov_exists "$prov_md_dir/$prov_md_prefix-$prov_gen_n-link" && prov_gen_i=$((prov_gen_i + 1))
		done
		set -- "$prov_gen_n"
		;;
	'' | *[!0-9]*)
		prov_plain "$1"
		prov_die "$prov_md_fail" "not a generation: '$prov_ret' (expected current, booted, latest, -N or a generation number)"
		;;
	0* | ??????????*)
		# No link name has these (nix-env writes no leading zero; more than
		# 9 digits is beyond every shell's arithmetic): refused, not looked up.
		prov_die "$prov_md_fail" "not a generation number: '$1' (a number from 1 to 999999999, without leading zeros)"
		;;
	esac
	[ -z "$prov_opt_home" ] || prov_md_home
	prov_gen_path=$prov_md_dir/$prov_md_prefix-$1-link
	prov_exists "$prov_gen_path" || prov_die "$prov_md_fail" "no such $prov_md_gen: $1"
	[ -e "$prov_gen_path" ] || prov_die "$prov_md_fail" "$prov_md_gen $1 is a dangling link (its store path is gone)"
	prov_gen_num=$1
	prov_gen_name="$prov_md_gen $1"
	[ "$prov_gen_spec" = "$1" ] || prov_gen_name="$prov_gen_spec ($prov_md_gen $1)"
	return 0
}

# prov_store_path PATH: prov_ret = the store path PATH leads to, as the
# system sees it (without NIXOS_PROVENANCE_ROOT). One fork (cd -P in a
# subshell); for diff and verify only.
prov_store_path() {
	prov_ret=$(cd -P -- "$1" 2>/dev/null && pwd -P) || prov_ret=$1
	if [ -n "$prov_root" ]; then
		[ -n "${prov_root_physical-}" ] || prov_root_physical=$(cd -P -- "$prov_root" 2>/dev/null && pwd -P) || prov_root_physical=$prov_root
		prov_ret=${prov_ret#"$prov_root_physical"}
	fi
	return 0
}

# prov_md_load DIR: every field of DIR's metadata in prov_md_<NAME> (unknown
# when absent), plus prov_md_has (true when DIR/etc/nixos-metadata exists),
# prov_md_schema, prov_md_nixos (label), prov_md_kernel, prov_md_specs.
# Without a metadata file the commit comes from configuration-revision.
prov_md_load() {
	prov_commit_detect "$1" '' "$prov_md_meta"
	prov_md_has=false
	prov_md_invalid=false
	if [ -n "$prov_meta_invalid" ]; then
		prov_md_invalid=true
	elif [ -f "$1/$prov_md_meta" ]; then
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
# shellcheck disable=SC2317 # called by name, by a generated prov_md_each_* table
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
	# A Home Manager generation has no NixOS version, kernel or specialisation.
	[ -n "$prov_opt_home" ] ||
		printf '  %-18s %s\n' 'NixOS version' "$prov_md_nixos" 'Kernel' "$prov_md_kernel" 'Specialisations' "${prov_md_specs:-none}"
	if [ "$prov_md_invalid" = true ]; then
		printf '  %s\n' "$prov_md_meta is not valid metadata (not a regular file, over $prov_meta_max_bytes bytes or $prov_meta_max_lines lines, or a quote left open): ignored."
		printf '  %-18s %s\n' 'Commit' "$prov_md_GIT_COMMIT" 'Dirty' "$prov_md_GIT_DIRTY"
		return 0
	fi
	if [ "$prov_md_has" = false ]; then
		printf '  %s\n' "No $prov_md_meta_shown: built before nixos-provenance was enabled."
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
		prov_die "$prov_exit_notFound" "$prov_gen_name has no $prov_md_meta_shown, so $prov_opt_field is unknown"
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
BEGIN {
	FS = "\t"; count = 0; nrev = 0
	# The profile links: DIR/PREFIX-N-link (system, or home-manager).
	linkre = "/" prefix "-[0-9]+-link"; plen = length(prefix) + 2
	# The last activation of each generation, from the activation history.
	hist = ENVIRON["PROV_MD_HISTORY"]
	if (hist != "") {
		while ((getline hl < hist) > 0) {
			g = recval(hl, "generation"); t = htext(recval(hl, "time"))
			if (g ~ /^[0-9]+$/ && t ~ /^[0-9]/) { sub(/T/, " ", t); sub(/Z$/, "", t); act[g] = t }
		}
		close(hist)
	}
}
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
	if (match(p, linkre "/kernel-modules/lib/modules/[^/]+$")) {
		p = substr(p, RSTART + plen, RLENGTH - plen)
		g = substr(p, 1, index(p, "-") - 1)
		if (!(g in kern)) kern[g] = substr(p, index(p, "/lib/modules/") + 13)
	}
	next
}
$1 == "S" {
	p = rest()
	if (match(p, linkre "/specialisation/[^/]+$")) {
		p = substr(p, RSTART + plen, RLENGTH - plen)
		g = substr(p, 1, index(p, "-") - 1)
		sp1 = substr(p, index(p, "/specialisation/") + 16)
		if (g in spec) spec[g] = spec[g] "/" sp1
		else spec[g] = sp1
	}
	next
}
$1 == "G" {
	path = rest()
	if (!match(path, linkre "$")) next
	gen = substr(path, RSTART + plen, RLENGTH - plen - 5)
	cur = gen == curgen ? "true" : "false"
	boot = gen == bootgen ? "true" : "false"
	newest = gen == latestgen ? "true" : "false"
	activated = (gen in act) ? act[gen] : ""
	kernel = (gen in kern) ? kern[gen] : "unknown"
	specs = (gen in spec) ? spec[gen] : ""
	has = readmeta(path "/" metafile)
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
		V["generation"] = gen; V["date"] = q(d); V["activated"] = activated == "" ? "null" : q(activated); V["latest"] = newest; V["nixosVersion"] = q(label); V["kernelVersion"] = q(kernel)
		V["configurationRevision"] = q(rev); V["specialisations"] = "[" sl "]"; V["current"] = cur; V["booted"] = boot
		V["commit"] = q(commit); V["dirty"] = (dirty == "true" || dirty == "false" ? dirty : "null")
		V["nixpkgsRev"] = q(nixpkgs); V["hasMetadata"] = (has ? "true" : "false")
		printf "%s%s", (count ? ",\n" : "[\n"), json_GenerationList(V)
		count++
		next
	}
	if (!count) printf "%-6s %-19s %-19s %-9s %-8s %-28s %-10s %s\n", "GEN", "DATE", "ACTIVATED", "COMMIT", "NIXPKGS", "NIXOS", "KERNEL", "FLAGS"
	count++
	c = commit == "unknown" ? commit : substr(commit, 1, 7) (dirty == "true" ? "*" : "")
	n = nixpkgs == "unknown" ? nixpkgs : substr(nixpkgs, 1, 7)
	flags = (cur == "true" ? "current" : "")
	if (boot == "true") flags = flags (flags == "" ? "" : ",") "booted"
	if (newest == "true") flags = flags (flags == "" ? "" : ",") "latest"
	if (!has) flags = flags (flags == "" ? "" : ",") "no-metadata"
	if (specs != "") flags = flags (flags == "" ? "" : ",") "specialisations:" specs
	printf "%-6s %-19s %-19s %-9s %-8s %-28s %-10s %s\n", gen, d, (activated == "" ? "-" : plain(activated)), plain(c), plain(n), plain(label), plain(kernel), plain(flags)
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
	if (!count) print "no " plain(ENVIRON["PROV_MD_WHAT"])
}
'

# prov_list_links: "$@" of the caller is not reachable from a function, so
# this sets prov_links_pats: the glob patterns, one per digit count, in
# increasing order (each pattern's matches are in numeric order).
prov_list_pats() {
	prov_links_pats=
	prov_gen_latest "$prov_md_dir" "$prov_md_prefix" || return 1
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
		set -- "$@" "$prov_md_dir/$prov_md_prefix"-$prov_p-link
	done
	# Dates: the links' own mtimes (what nixos-rebuild list-generations
	# shows), from stat. GNU and busybox stat both know -c, %y, %s and %F;
	# without stat every date is unknown and no file is read.
	prov_list_stat 'D	%y	%n' "$@"
	# What each generation's files are (a FIFO or a device must never be
	# opened) and how large: stat -L of the three paths of every link (no
	# glob through the links: that is a path walk per link in the shell).
	prov_list_stat 'F	%s	%F	%n' -L "$@"
	set --
	# Kernel versions and specialisations of every generation: one glob
	# each (the shell walks the directories itself, no loop in shell code).
	# A pattern that matches nothing stays as it is; awk ignores it.
	set -- "$@" "$prov_md_dir/$prov_md_prefix"-*-link/kernel-modules/lib/modules/*
	printf 'K\t%s\n' "$@"
	set -- "$prov_md_dir/$prov_md_prefix"-*-link/specialisation/*
	printf 'S\t%s\n' "$@"
	set --
	for prov_p in $prov_links_pats; do
		# shellcheck disable=SC2086 # $prov_p is the glob pattern
		set -- "$@" "$prov_md_dir/$prov_md_prefix"-$prov_p-link
	done
	printf 'G\t%s\n' "$@"
}

# prov_list_stat FORMAT [-L] FILE...: stat -c FORMAT of every FILE (with
# -L: of each FILE's metadata ($prov_md_meta), nixos-version and
# configuration-revision, links followed), 1,000
# files per stat run (xargs; 100,000 links in one command line fail with
# E2BIG). Errors (a pattern that matched nothing, a dangling link) are left
# out.
prov_list_stat() {
	prov_l=$1
	shift
	if ! command -v stat >/dev/null 2>&1; then
		# No stat: no dates; the files are vetted by the shell (a regular
		# file, size unknown: the awk readers' line limits bound it).
		if [ "$1" = -L ]; then
			shift
			for prov_p in "$@"; do
				for prov_f in "$prov_p/$prov_md_meta" "$prov_p/nixos-version" "$prov_p/configuration-revision"; do
					[ -f "$prov_f" ] && printf 'F\t0\tregular file\t%s\n' "$prov_f"
				done
			done
		fi
		return 0
	fi
	# Up to 1,000 links (or without xargs): one stat, as before.
	if [ $# -le 1001 ] || ! command -v xargs >/dev/null 2>&1; then
		if [ "$1" = -L ]; then
			shift
			prov_n=$#
			for prov_p in "$@"; do
				set -- "$@" "$prov_p/$prov_md_meta" "$prov_p/nixos-version" "$prov_p/configuration-revision"
			done
			shift "$prov_n"
			command stat -L -c "$prov_l" -- "$@" 2>/dev/null || :
		else
			command stat -c "$prov_l" -- "$@" 2>/dev/null || :
		fi
		return 0
	fi
	if [ "$1" = -L ]; then
		shift
		{
			# shellcheck disable=SC2059 # the format holds the file name, which has no %
			printf "%s/$prov_md_meta\\0" "$@"
			printf '%s/nixos-version\0' "$@"
			printf '%s/configuration-revision\0' "$@"
		} | command xargs -0 -n 1000 stat -L -c "$prov_l" -- 2>/dev/null || :
	else
		printf '%s\0' "$@" | command xargs -0 -n 1000 stat -c "$prov_l" -- 2>/dev/null || :
	fi
	return 0
}

prov_cmd_list() {
	prov_md_detect
	prov_list_boot=
	prov_ret=
	if [ -z "$prov_opt_home" ]; then
		prov_system_boot_detect
		prov_list_boot=$prov_sys_booted
		# The activation history, read by the awk itself (no process more).
		prov_history_file
		[ -f "$prov_ret" ] || prov_ret=
	fi
	prov_list_stream | PROV_MD_HISTORY=$prov_ret PROV_MD_WHAT=$prov_md_what LC_ALL=C awk -v mode="$1" -v curgen="$prov_md_cur" -v bootgen="$prov_list_boot" \
		-v latestgen="$prov_md_latest" -v prefix="$prov_md_prefix" -v metafile="$prov_md_meta" -v maxmeta="$prov_meta_max_bytes" -v maxlines="$prov_meta_max_lines" -v maxsmall=4096 \
		"$prov_json_awk_lib$prov_awk_json_GenerationList$prov_awk_json_NixpkgsAudit$prov_history_lib$prov_list_awk"
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

# ---- diff: source, versions, specialisations, fields, packages ----

# prov_diff_colour: prov_c_arrow, and the colours of the human view
# (prov_colours).
prov_diff_colour() {
	# The scripts' bytes stay ASCII (yash reads them in the C locale too).
	prov_c_arrow=$(printf '\342\206\222')
	prov_colours
	return 0
}

# prov_clean VALUE: prov_ret = VALUE with control characters shown as ?
# (recorded values can hold anything; a terminal must not run them).
prov_clean() {
	prov_ret=$1
	case $1 in
	*[!\ -~]*) prov_ret=$(printf '%s' "$1" | LC_ALL=C tr '\000-\037\177' '[?*]') ;;
	esac
	return 0
}

# prov_diff_line LABEL FROM TO [LINK]: one aligned line of the human view,
# `FROM -> TO` with a right arrow (FROM empty: TO alone).
prov_diff_line() {
	prov_clean "$2"
	prov_l=$prov_ret
	prov_clean "$3"
	[ -n "$prov_l" ] && prov_ret="$prov_l $prov_c_arrow $prov_ret"
	if [ -n "${4-}" ]; then
		printf '  %-16s %s  %s\n' "$1" "$prov_ret" "$4"
	else
		printf '  %-16s %s\n' "$1" "$prov_ret"
	fi
}

# prov_short_rev REV: prov_ret = the first 7 characters of a hex revision,
# REV itself otherwise (unknown, a tag...).
prov_short_rev() {
	case $1 in
	*[!0-9a-f]* | '') prov_ret=$1 ;;
	*) prov_short7 "$1" ;;
	esac
}

# prov_diff_input INPUT FIELD REPOSITORY A B: a changed input revision.
# shellcheck disable=SC2317 # called by name, by a generated prov_md_each_* table
prov_diff_input() {
	[ "$4" = "$5" ] && return 0
	prov_diff_count=$((prov_diff_count + 1))
	prov_ret=
	[ -n "$3" ] && { prov_compare_url "$3" "$4" "$5" || prov_ret=; }
	prov_gdi_compareUrl=$prov_ret
	if [ "$prov_opt_mode" = json ]; then
		prov_gdi_input=$1
		prov_gdi_field=$2
		prov_gdi_from=$4
		prov_gdi_to=$5
		prov_json_GenerationDiffInput
		prov_gd_inputs=$prov_gd_inputs${prov_gd_inputs:+,}$prov_ret
		return 0
	fi
	prov_short_rev "$4"
	prov_l2=$prov_ret
	prov_short_rev "$5"
	prov_diff_line "$1" "$prov_l2" "$prov_ret" "$prov_gdi_compareUrl"
}

# prov_diff_one FIELD KEY A B: another recorded field that changed.
# shellcheck disable=SC2317 # called by name, by a generated prov_md_each_* table
prov_diff_one() {
	[ "$3" = "$4" ] && return 0
	prov_diff_count=$((prov_diff_count + 1))
	if [ "$prov_opt_mode" = json ]; then
		prov_gdc_field=$1
		prov_gdc_key=$2
		prov_gdc_from=$3
		prov_gdc_to=$4
		prov_json_GenerationDiffChange
		prov_gd_changes=$prov_gd_changes${prov_gd_changes:+,}$prov_ret
	else
		prov_diff_line "$1" "$3" "$4"
	fi
}

# prov_diff_value LABEL A B: prov_ret = a GenerationDiffValue (JSON), or
# empty when A = B; the human view prints the line.
prov_diff_value() {
	prov_ret=
	[ "$2" = "$3" ] && return 0
	prov_diff_count=$((prov_diff_count + 1))
	if [ "$prov_opt_mode" = json ]; then
		prov_gdv_from=$2
		prov_gdv_to=$3
		prov_json_GenerationDiffValue
	else
		prov_diff_line "$1" "$2" "$3"
	fi
}

# prov_diff_specs A B: prov_gd_specialisationsAdded / Removed (one name a
# line): the names of B not in A, and of A not in B (space-separated lists).
prov_diff_specs() {
	prov_gd_specialisationsAdded=
	prov_gd_specialisationsRemoved=
	for prov_l in $2; do
		case " $1 " in
		*" $prov_l "*) ;;
		*) prov_gd_specialisationsAdded=$prov_gd_specialisationsAdded$prov_l'
' ;;
		esac
	done
	for prov_l in $1; do
		case " $2 " in
		*" $prov_l "*) ;;
		*) prov_gd_specialisationsRemoved=$prov_gd_specialisationsRemoved$prov_l'
' ;;
		esac
	done
	return 0
}

# The parser of `nix store diff-closures` (src/nix/diff-closures.cc):
#   name: v1, v2 -> v3, +13.9 KiB     (changed versions, then the size; -> is U+2192)
#   name: (empty set) -> 1.0          (added; U+2205 = no version, U+03B5 = empty version)
#   name: +12.6 KiB                   (size only, shown from 8 KiB on)
# Colour escapes (nix colours the size) are removed first. mode=json
# prints one ClosureChange per line, each followed by a comma but the
# last; mode=human prints aligned lines; both print nothing for no change.
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_closure_awk='
function versions(s,    n, a, i, out) {
	if (s == "\342\210\205") return "[]"
	n = split(s, a, ", ")
	out = ""
	for (i = 1; i <= n; i++) out = out (i > 1 ? "," : "") "\"" (a[i] == "\316\265" ? "" : jesc(a[i])) "\""
	return "[" out "]"
}
function bytes(s,    num, unit, m, v) {
	num = s; sub(/ ?[KMGTPE]?i?B$/, "", num)
	unit = s; sub(/^[-+]?[0-9.]+ ?/, "", unit)
	m = 1
	if (unit == "KiB") m = 1024; else if (unit == "MiB") m = 1048576; else if (unit == "GiB") m = 1073741824
	else if (unit == "TiB") m = 1099511627776; else if (unit == "PiB") m = 1125899906842624; else if (unit == "EiB") m = 1152921504606846976
	v = sprintf("%.0f", num * m)
	return v == "-0" ? "0" : v
}
BEGIN { esc = sprintf("%c", 27); arrow = " \342\206\222 "; n = 0 }
{
	line = $0
	gsub(esc "\\[[0-9;]*m", "", line)
	p = index(line, ": ")
	if (p == 0) next
	name = substr(line, 1, p - 1); rest = substr(line, p + 2)
	from = ""; to = ""; size = ""; shown = rest
	if (match(rest, /(^|, )[-+][0-9.]+ ?[KMGTPE]?i?B$/)) {
		size = substr(rest, RSTART, RLENGTH); sub(/^, /, "", size)
		rest = substr(rest, 1, RSTART - 1)
	}
	a = index(rest, arrow)
	if (a) { from = substr(rest, 1, a - 1); to = substr(rest, a + length(arrow)) }
	else if (rest != "") next
	if (mode == "json") {
		V["name"] = "\"" jesc(name) "\""
		V["from"] = a ? versions(from) : "[]"
		V["to"] = a ? versions(to) : "[]"
		V["sizeDelta"] = size == "" ? "null" : bytes(size)
		printf "%s%s", (n++ ? ",\n" : ""), json_ClosureChange(V)
	} else {
		gsub(/[\001-\037\177]/, "?", name); gsub(/[\001-\037\177]/, "?", shown)
		printf "  %-24s %s\n", name, shown
		n++
	}
}
END { if (mode == "json" && n) printf "\n" }
'

# prov_closure_diff A B: compare the two closures with nix. Sets
# prov_gd_closure (compared | unavailable), prov_gd_closureError and
# prov_closure_out (JSON items for --json, lines for the human view).
prov_closure_diff() {
	prov_gd_closure=unavailable
	prov_gd_closureError=
	prov_closure_out=
	if ! command -v nix >/dev/null 2>&1; then
		prov_gd_closureError='nix is not on PATH'
		return 0
	fi
	# Below NIXOS_PROVENANCE_ROOT the generations' store paths are not in
	# nix's store (nix would refuse them, or, on a mounted system whose
	# links name /nix/store, compare the host's paths) unless NIX_STORE_DIR,
	# which nix reads too, says the root's store is the one to use.
	if [ -n "$prov_root" ] && [ "${NIX_STORE_DIR-}" != "$prov_root/nix/store" ]; then
		prov_gd_closureError="the generations are below NIXOS_PROVENANCE_ROOT, outside nix's store (NIX_STORE_DIR is not $prov_root/nix/store)"
		return 0
	fi
	prov_tmp=$(mktemp "${TMPDIR:-/tmp}/nixos-metadata.XXXXXX") || {
		prov_gd_closureError='cannot create a temporary file'
		return 0
	}
	# `&& ... ||`: a failing nix must not end a caller running us under set -e.
	prov_st=0
	prov_err=$(nix --extra-experimental-features nix-command store diff-closures -- "$1" "$2" 2>&1 >"$prov_tmp") || prov_st=$?
	if [ "$prov_st" -ne 0 ]; then
		prov_first_error "$prov_err"
		prov_gd_closureError=${prov_ret:-nix store diff-closures failed (exit $prov_st)}
		rm -f -- "$prov_tmp"
		return 0
	fi
	prov_st=0
	prov_closure_out=$(LC_ALL=C awk -v mode="$prov_opt_mode" "$prov_json_awk_lib$prov_awk_json_ClosureChange$prov_closure_awk" "$prov_tmp") || prov_st=$?
	rm -f -- "$prov_tmp"
	if [ "$prov_st" -ne 0 ]; then
		prov_gd_closureError='cannot read the output of nix store diff-closures'
		prov_closure_out=
		return 0
	fi
	prov_gd_closure=compared
}

# prov_first_error TEXT: prov_ret = nix's error message in TEXT: the first
# `error: ...` line, or (when nix prints `error:` alone and its trace) the
# innermost indented `error: ...` line; else the first non-empty line.
# Colour escapes and control characters are removed.
prov_first_error() {
	prov_ret=$(printf '%s\n' "$1" | LC_ALL=C awk '
		BEGIN { esc = sprintf("%c", 27) }
		{ gsub(esc "\\[[0-9;]*m", ""); gsub(/[\001-\037\177]/, "") }
		/^error: ./ && top == "" { top = $0 }
		/^[ \t]+error: ./ { inner = $0; sub(/^[ \t]+/, "", inner) }
		$0 != "" && first == "" { first = $0 }
		END { print (top != "" ? top : inner != "" ? inner : first) }')
	return 0
}

# prov_diff_side: the generation just resolved and loaded, kept as side A.
prov_diff_side_a() {
	prov_md_keep
	prov_a_nixos=$prov_md_nixos
	prov_a_kernel=$prov_md_kernel
	prov_a_specs=$prov_md_specs
	prov_a_label=$prov_gen_name
	prov_a_num=$prov_gen_num
	prov_a_spec=$prov_gen_spec
	prov_a_link=$prov_gen_path
	prov_store_path "$prov_gen_path"
	prov_a_store=$prov_ret
}

prov_cmd_diff() {
	prov_md_fail=$prov_exit_trouble
	prov_diff_colour
	prov_resolve "$1"
	prov_md_load "$prov_gen_path"
	prov_diff_side_a
	prov_resolve "$2"
	prov_md_load "$prov_gen_path"
	prov_store_path "$prov_gen_path"
	prov_b_store=$prov_ret
	prov_gd_identical=false
	# shellcheck disable=SC3013 # -ef: in every shell of the matrix (parts/generations.sh)
	[ "$prov_a_link" -ef "$prov_gen_path" ] && prov_gd_identical=true
	prov_json=
	[ "$prov_opt_mode" = json ] && prov_json=1
	prov_diff_count=0
	prov_gd_inputs=
	prov_gd_changes=
	[ -n "$prov_json" ] || printf '%s%s \342\206\222 %s%s\n' "$prov_c_bold" "$prov_a_label" "$prov_gen_name" "$prov_c_off"

	# The commit, once: short hashes, dirty marks and the compare link.
	prov_gd_commit=
	if [ "$prov_a_GIT_COMMIT" != "$prov_md_GIT_COMMIT" ] || [ "$prov_a_GIT_DIRTY" != "$prov_md_GIT_DIRTY" ]; then
		prov_diff_count=$((prov_diff_count + 1))
		prov_ret=
		if [ "$prov_a_GIT_COMMIT" != "$prov_md_GIT_COMMIT" ]; then
			prov_compare_url "$prov_md_FLAKE_URL" "$prov_a_GIT_COMMIT" "$prov_md_GIT_COMMIT" ||
				prov_compare_url "$prov_md_GIT_SOURCE_URL" "$prov_a_GIT_COMMIT" "$prov_md_GIT_COMMIT" ||
				prov_compare_url "$prov_a_FLAKE_URL" "$prov_a_GIT_COMMIT" "$prov_md_GIT_COMMIT" ||
				prov_compare_url "$prov_a_GIT_SOURCE_URL" "$prov_a_GIT_COMMIT" "$prov_md_GIT_COMMIT" || prov_ret=
		fi
		prov_gdm_compareUrl=$prov_ret
		prov_short_rev "$prov_a_GIT_COMMIT"
		prov_gdm_fromShort=$prov_ret
		prov_short_rev "$prov_md_GIT_COMMIT"
		prov_gdm_toShort=$prov_ret
		if [ -n "$prov_json" ]; then
			prov_gdm_from=$prov_a_GIT_COMMIT
			prov_gdm_to=$prov_md_GIT_COMMIT
			prov_gdm_fromDirty=$prov_a_GIT_DIRTY
			prov_gdm_toDirty=$prov_md_GIT_DIRTY
			prov_json_GenerationDiffCommit
			prov_gd_commit=$prov_ret
		else
			prov_l=$prov_gdm_fromShort
			[ "$prov_a_GIT_DIRTY" = true ] && prov_l="$prov_l (dirty)"
			prov_l2=$prov_gdm_toShort
			[ "$prov_md_GIT_DIRTY" = true ] && prov_l2="$prov_l2 (dirty)"
			prov_diff_line commit "$prov_l" "$prov_l2" "$prov_gdm_compareUrl"
		fi
	fi
	prov_md_each_input prov_diff_input
	prov_diff_value NixOS "$prov_a_nixos" "$prov_md_nixos"
	prov_gd_nixosVersion=$prov_ret
	prov_diff_value kernel "$prov_a_kernel" "$prov_md_kernel"
	prov_gd_kernelVersion=$prov_ret
	prov_diff_specs "$prov_a_specs" "$prov_md_specs"
	for prov_l in $prov_gd_specialisationsAdded; do
		prov_diff_count=$((prov_diff_count + 1))
		[ -n "$prov_json" ] || { prov_clean "$prov_l" && printf '  %-16s %s+ %s%s\n' specialisation "$prov_c_green" "$prov_ret" "$prov_c_off"; }
	done
	for prov_l in $prov_gd_specialisationsRemoved; do
		prov_diff_count=$((prov_diff_count + 1))
		[ -n "$prov_json" ] || { prov_clean "$prov_l" && printf '  %-16s %s- %s%s\n' specialisation "$prov_c_red" "$prov_ret" "$prov_c_off"; }
	done
	prov_md_each_other_field prov_diff_one
	if [ -z "$prov_json" ] && [ "$prov_diff_count" -eq 0 ]; then
		if [ "$prov_gd_identical" = true ]; then
			printf '  %s\n' 'the same store path: identical'
		else
			printf '  %s\n' 'no recorded difference (the store paths differ)'
		fi
	fi

	# Packages: the same store path has the same closure (nix is not asked).
	prov_closure_out=
	prov_gd_closureError=
	if [ -n "$prov_opt_no_closure" ]; then
		prov_gd_closure=skipped
	elif [ "$prov_gd_identical" = true ]; then
		prov_gd_closure=compared
	else
		prov_closure_diff "$prov_a_link" "$prov_gen_path"
	fi
	if [ -n "$prov_json" ]; then
		prov_gd_from=$prov_a_spec
		prov_gd_to=$prov_gen_spec
		prov_gd_fromGeneration=$prov_a_num
		prov_gd_toGeneration=$prov_gen_num
		prov_gd_fromPath=$prov_a_store
		prov_gd_toPath=$prov_b_store
		prov_gd_inputs=[$prov_gd_inputs]
		prov_gd_changes=[$prov_gd_changes]
		prov_gd_packages=[$prov_closure_out]
		prov_json_GenerationDiff
		printf '%s\n' "$prov_ret"
	elif [ "$prov_gd_closure" = compared ] && [ "$prov_gd_identical" = false ]; then
		printf '%sPackages%s\n' "$prov_c_bold" "$prov_c_off"
		if [ -n "$prov_closure_out" ]; then
			printf '%s\n' "$prov_closure_out"
		else
			printf '  %s\n' 'no package changes'
		fi
	elif [ "$prov_gd_closure" = unavailable ]; then
		printf '%sPackages%s not compared: %s\n' "$prov_c_bold" "$prov_c_off" "$prov_gd_closureError"
	fi
	prov_md_status=$prov_exit_ok
	[ "$prov_gd_identical" = true ] || prov_md_status=$prov_exit_differ
	return 0
}

prov_md_mode_diff_human() {
	prov_cmd_diff "$prov_arg_a" "${prov_arg_b:-current}"
}

prov_md_mode_diff_json() {
	prov_cmd_diff "$prov_arg_a" "${prov_arg_b:-current}"
}

# ---- verify: does the recorded source evaluate to this generation? ----

# prov_url_path PATH: prov_ret = PATH with the characters a URL path cannot
# hold as they are (% space ? # and non-ASCII) percent-encoded.
prov_url_path() {
	case $1 in
	*[!A-Za-z0-9._~/+=@,-]*)
		prov_ret=$(printf '%s' "$1" | LC_ALL=C od -An -v -tx1 | LC_ALL=C awk '
			BEGIN { keep = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~/+=@,-" }
			{ for (i = 1; i <= NF; i++) { c = sprintf("%c", ("0x" $i) + 0); printf "%s", index(keep, c) ? c : "%" toupper($i) } }')
		;;
	*) prov_ret=$1 ;;
	esac
	return 0
}

# prov_verify_plan: prov_gv_flakeRef and prov_gv_attribute for the loaded
# generation, or prov_gv_reason (status 1) when it cannot be verified.
prov_verify_plan() {
	prov_gv_reason=
	prov_gv_flakeRef=
	prov_gv_attribute=
	if [ "$prov_md_GIT_COMMIT" = unknown ]; then
		prov_gv_reason="$prov_gen_name records no commit"
	elif [ "$prov_md_GIT_DIRTY" = true ]; then
		prov_gv_reason="$prov_gen_name was built from a dirty tree: its uncommitted changes are not recorded"
	elif [ "$prov_md_has" = false ]; then
		prov_gv_reason="$prov_gen_name has no /etc/nixos-metadata (no flake URL or host name recorded)"
	elif [ "$prov_md_HOSTNAME" = unknown ]; then
		prov_gv_reason="$prov_gen_name records no host name (nixosConfigurations.<host>)"
	elif [ -z "$prov_opt_flake" ] && [ "$prov_md_FLAKE_URL" = unknown ]; then
		prov_gv_reason="$prov_gen_name records no flake URL (give a checkout with --flake PATH)"
	fi
	[ -z "$prov_gv_reason" ] || return 1
	case $prov_md_HOSTNAME in
	*[!A-Za-z0-9._-]*)
		prov_gv_reason="$prov_gen_name records a host name that is no plain attribute name"
		return 1
		;;
	esac
	case $prov_md_GIT_COMMIT in
	*[!0-9a-f]*)
		prov_gv_reason="$prov_gen_name records a commit that is not a hexadecimal revision"
		return 1
		;;
	esac
	prov_gv_attribute="nixosConfigurations.\"$prov_md_HOSTNAME\".config.system.build.toplevel.outPath"
	if [ -z "$prov_opt_flake" ]; then
		prov_gv_flakeRef=${prov_md_FLAKE_URL%%#*}
		return 0
	fi
	case $prov_opt_flake in
	*:*)
		# A flake reference: used as given.
		prov_gv_flakeRef=$prov_opt_flake
		;;
	*)
		prov_l=$prov_opt_flake
		case $prov_l in
		/*) ;;
		*) prov_l=$PWD/$prov_l ;;
		esac
		if ! [ -d "$prov_l" ]; then
			prov_gv_reason="--flake $prov_opt_flake: no such directory"
			return 1
		fi
		prov_url_path "$prov_l"
		prov_gv_flakeRef="git+file://$prov_ret?rev=$prov_md_GIT_COMMIT"
		;;
	esac
	return 0
}

prov_cmd_verify() {
	prov_md_system_only verify
	prov_md_fail=$prov_exit_trouble
	[ -n "$prov_arg_n" ] || prov_arg_n=current
	prov_resolve "$prov_arg_n"
	prov_md_load "$prov_gen_path"
	prov_store_path "$prov_gen_path"
	prov_gv_storePath=$prov_ret
	prov_gv_given=$prov_gen_spec
	prov_gv_generation=$prov_gen_num
	prov_gv_evaluatedPath=
	prov_gv_error=
	if ! prov_verify_plan; then
		prov_gv_result=unverifiable
		prov_md_status=$prov_exit_trouble
	elif ! command -v nix >/dev/null 2>&1; then
		prov_gv_result=error
		prov_gv_error='nix is not on PATH'
		prov_md_status=$prov_exit_evalFailed
	else
		prov_tmp=$(mktemp "${TMPDIR:-/tmp}/nixos-metadata.XXXXXX") || prov_die "$prov_exit_evalFailed" "cannot create a temporary file"
		prov_st=0
		prov_err=$(nix --extra-experimental-features 'nix-command flakes' eval --raw -- "$prov_gv_flakeRef#$prov_gv_attribute" 2>&1 >"$prov_tmp") || prov_st=$?
		prov_l=
		IFS= read -r prov_l <"$prov_tmp" || :
		rm -f -- "$prov_tmp"
		if [ "$prov_st" -ne 0 ] || [ -z "$prov_l" ]; then
			prov_first_error "$prov_err"
			prov_gv_error=${prov_ret:-nix eval failed (exit $prov_st) without a message}
			prov_gv_result=error
			prov_md_status=$prov_exit_evalFailed
		else
			prov_gv_evaluatedPath=$prov_l
			if [ "$prov_l" = "$prov_gv_storePath" ]; then
				prov_gv_result=reproducible
				prov_md_status=$prov_exit_ok
			else
				prov_gv_result=differs
				prov_md_status=$prov_exit_differ
			fi
		fi
	fi
	if [ "$prov_opt_mode" = json ]; then
		prov_json_GenerationVerify
		printf '%s\n' "$prov_ret"
		return 0
	fi
	case $prov_gv_result in
	reproducible)
		printf '%s: reproducible\n  %-10s %s\n  %-10s %s#%s\n' "$prov_gen_name" 'store path' "$prov_gv_storePath" source "$prov_gv_flakeRef" "$prov_gv_attribute"
		;;
	differs)
		printf '%s: differs: its recorded source evaluates to another system\n  %-10s %s\n  %-10s %s\n  %-10s %s#%s\n' "$prov_gen_name" \
			generation "$prov_gv_storePath" evaluated "$prov_gv_evaluatedPath" source "$prov_gv_flakeRef" "$prov_gv_attribute"
		;;
	unverifiable) prov_warn "cannot verify: $prov_gv_reason" ;;
	error) prov_warn "evaluation of $prov_gv_flakeRef#$prov_gv_attribute failed: $prov_gv_error" ;;
	esac
	return 0
}

prov_md_mode_verify_human() {
	prov_cmd_verify
}

prov_md_mode_verify_json() {
	prov_cmd_verify
}

# ---- history and previous: the activation history ----

# The reader of the activation history (written by nixos-provenance-activate:
# a JSON array, one record per line). It takes each record's values as the
# JSON tokens they are and prints, newest first: mode=json ActivationHistory
# entries, mode=human a table, mode=previous the generation of the newest
# record whose store path is not the running system's (cur). `now` is
# the current time (seconds), `limit` the number of records (0: all).
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_history_lib=$prov_awk_record_value'
function htext(v) { if (v == "null") return "-"; if (substr(v, 1, 1) == "\"") { v = substr(v, 2, length(v) - 2); gsub(/\\./, "?", v); gsub(/[\001-\037\177]/, "?", v) } return v }
'
# shellcheck disable=SC2016 # awk code: the $ are awk's, not the shell's
prov_history_awk=$prov_history_lib'
function num(v) { return v ~ /^[0-9]+$/ ? v + 0 : -1 }
function span(s,    d, h, m) {
	if (s < 0) return "-"
	d = int(s / 86400); h = int((s % 86400) / 3600); m = int((s % 3600) / 60)
	if (d) return d "d " h "h"
	if (h) return h "h " m "m"
	if (m) return m "m " (s % 60) "s"
	return s "s"
}
NR == 1 { if ($0 != "[") bad = 1; next }
bad || $0 == "]" { next }
{
	line = $0; sub(/,$/, "", line)
	if (line !~ /^\{.*\}$/) next
	rec[++n] = line
}
END {
	if (bad) { print "not an activation history" > "/dev/stderr"; exit 3 }
	if (mode == "previous") {
		for (i = n; i >= 1; i--) {
			g = recval(rec[i], "generation")
			if (g ~ /^[0-9]+$/ && htext(recval(rec[i], "storePath")) != cur) { print g; exit }
		}
		exit 1
	}
	shown = 0
	for (i = n; i >= 1 && (limit == 0 || shown < limit); i--) {
		r = rec[i]
		t0 = num(recval(r, "timestamp"))
		t1 = i < n ? num(recval(rec[i + 1], "timestamp")) : now + 0
		ran = (t0 < 0 || t1 < 0 || t1 < t0) ? -1 : t1 - t0
		if (mode == "json") {
			V["time"] = recval(r, "time"); V["action"] = recval(r, "action"); V["generation"] = recval(r, "generation")
			V["storePath"] = recval(r, "storePath"); V["commit"] = recval(r, "commit"); V["dirty"] = recval(r, "dirty")
			V["bootedGeneration"] = recval(r, "bootedGeneration"); V["previousGeneration"] = recval(r, "previousGeneration")
			V["ranSeconds"] = ran < 0 ? "null" : ran; V["current"] = i == n ? "true" : "false"
			printf "%s%s", (shown ? ",\n" : "[\n"), json_ActivationHistory(V)
		} else {
			if (!shown) printf "%-20s %-6s %-7s %-9s %-9s %-8s %s\n", "ACTIVATED (UTC)", "GEN", "ACTION", "COMMIT", "RAN", "BEFORE", "FLAGS"
			t = htext(recval(r, "time")); sub(/T/, " ", t); sub(/Z$/, "", t)
			c = htext(recval(r, "commit")); if (c != "unknown" && c != "-") c = substr(c, 1, 7)
			if (recval(r, "dirty") == "true") c = c "*"
			printf "%-20s %-6s %-7s %-9s %-9s %-8s %s\n", t, htext(recval(r, "generation")), htext(recval(r, "action")), c, span(ran), htext(recval(r, "previousGeneration")), (i == n ? "current" : "")
		}
		shown++
	}
	if (mode == "json") printf "%s\n", (shown ? "\n]" : "[]")
	else if (!shown) print "no activations recorded"
}
'

# prov_history_file: prov_ret = the activation history's path.
prov_history_file() {
	prov_ret=${NIXOS_PROVENANCE_STATE_DIR:-$prov_root$prov_default_state_dir}/$prov_activation_history_file
}

# prov_history MODE: run the reader on the history (an absent history reads
# as an empty one). Its status: 3 for a file that is not a history.
prov_history() {
	prov_history_file
	prov_hist=$prov_ret
	[ -f "$prov_hist" ] || prov_hist=/dev/null
	prov_now=$(date +%s 2>/dev/null) || prov_now=
	LC_ALL=C awk -v mode="$1" -v now="${prov_now:-0}" -v limit="${prov_opt_limit:-0}" -v cur="${prov_cur_store-}" \
		"$prov_json_awk_lib$prov_awk_json_ActivationHistory$prov_history_awk" "$prov_hist"
}

prov_md_history_limit() {
	case $prov_opt_limit in
	'') ;;
	0 | *[!0-9]*) prov_usage_error "--limit needs a positive number, not '$prov_opt_limit'" ;;
	esac
}

prov_md_mode_history_human() {
	prov_md_system_only history
	prov_md_history_limit
	prov_history human || prov_die "$prov_exit_notFound" "$prov_hist is not an activation history (it was kept as it is)"
}

prov_md_mode_history_json() {
	prov_md_system_only history
	prov_md_history_limit
	prov_history json || prov_die "$prov_exit_notFound" "$prov_hist is not an activation history (it was kept as it is)"
}

prov_md_mode_previous_human() {
	prov_md_system_only previous
	[ -e "$prov_current" ] || prov_die "$prov_exit_notFound" "no running system: $prov_current is missing"
	prov_store_path "$prov_current"
	prov_cur_store=$prov_ret
	prov_history previous && return 0
	prov_history_file
	prov_die "$prov_exit_notFound" "no record of a generation active before the current one in $prov_ret"
}

prov_md_mode_reproduce_human() {
	prov_cmd_reproduce "$prov_arg_n"
}

prov_cmd_reproduce() {
	prov_md_system_only reproduce
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
	'' | *[[:cntrl:]]*)
		printf '# The recorded host name holds control characters: not used (nixos-rebuild picks this host).\n'
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

# prov_main ARGS: a relative generation `-N` is no option: it reaches the
# parser as `~N` (prov_resolve reads both), unless it is a flag's value.
prov_main() {
	prov_parse "$@"
	# Home Manager runs standalone anywhere: --home needs no NixOS.
	[ -n "$prov_opt_home" ] || prov_nixos_present || prov_die "$prov_exit_notNixos" "$prov_ret"
	prov_dispatch
	exit "$prov_md_status"
}

prov_main "$@"
