# shellcheck shell=sh
# Polled by status bars and run by prompts. A poll (one mode flag alone) is
# answered from a small per-user cache when nothing it depends on changed:
# the cache file must be newer than every directory whose entries decide the
# answer (the system profile, /run, the Home Manager profile and gcroots,
# the running generation's metadata), which is a handful of `[ -nt ]` and one
# small read, before the shell has even parsed the rest of this script. A
# miss computes the answer with the library parts (builtins only in the
# common case, whatever the number of generations) and stores it only when
# none of those directories changed while it was being computed.

# A known IFS and no CDPATH (the caller's would change splitting and cd).
IFS=' 	
'
unset CDPATH

# prov_gi_newer FILE PATHS: status 0 when FILE is newer than each of PATHS
# (one per line): the cache's validity test, on reading and on storing.
prov_gi_newer() {
	prov_l=$2
	while [ -n "$prov_l" ]; do
		# shellcheck disable=SC3013 # -nt is in every shell we support
		[ "$1" -nt "${prov_l%%
*}" ] || return 1
		case $prov_l in
		*'
'*) prov_l=${prov_l#*
} ;;
		*) prov_l= ;;
		esac
	done
	return 0
}

# prov_gi_cache_hit FLAG: print FLAG's cached answer and exit with its
# status, or return (prov_gi_cache = the cache file to refresh, or empty
# when there is no cache directory). The cache file is our own
# serialisation, every value quoted by prov_sh_quote, and it is sourced
# (one read(2), where `read` would cost one per byte under dash) only when
# both it and its directory belong to the user running this.
prov_gi_cache_hit() {
	prov_gi_cache=
	case ${NIXOS_PROVENANCE_CACHE_DIR-${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/nixos-provenance}} in
	/*) prov_gi_cache=${NIXOS_PROVENANCE_CACHE_DIR-$XDG_RUNTIME_DIR/nixos-provenance}/generation-info-3$1 ;;
	*) return 0 ;;
	esac
	prov_gi_key="$0 ${USER-} ${HOME-} ${XDG_STATE_HOME-} ${NIXOS_PROVENANCE_ROOT-}"
	[ -f "$prov_gi_cache" ] && [ -O "$prov_gi_cache" ] && [ -O "${prov_gi_cache%/*}" ] || return 0
	# Only a file that says it is this format is sourced (a short read: the first line).
	IFS= read -r prov_l <"$prov_gi_cache" && [ "$prov_l" = "$prov_gi_magic" ] || return 0
	prov_gi_hit_key=
	prov_gi_hit_code=
	# shellcheck source=/dev/null
	. "$prov_gi_cache" || return 0
	[ "$prov_gi_hit_key" = "$prov_gi_key" ] && [ -n "$prov_gi_hit_code" ] || return 0
	prov_gi_newer "$prov_gi_cache" "$prov_gi_hit_watch" || return 0
	printf '%s' "$prov_gi_hit_out"
	exit "$prov_gi_hit_code"
}

prov_gi_cache=
prov_gi_magic='# nixos-provenance cache 3'
case ${NIXOS_PROVENANCE_NO_CACHE-} in
'')
	if [ $# -eq 1 ]; then
		case $prov_poll_flags in
		*" $1 "*) prov_gi_cache_hit "$1" ;;
		esac
	fi
	;;
esac
#@prov-generated

# prov_gi_collect: every value of the GenerationInfo JSON in prov_gi_<key>.
prov_gi_collect() {
	prov_gi_sign=
	prov_system_detect
	prov_system_boot_detect
	prov_hm_detect
	prov_commit_meta=
	case $prov_opt_mode in
	status | warning | i3blocks | i3status-rs)
		# These never show the commit: skip reading the metadata file.
		prov_commit=unknown
		prov_commit_full=unknown
		prov_commit_dirty=unknown
		;;
	short | waybar) prov_commit_detect "$prov_current" GIT_DIRTY ;;
	*) prov_commit_detect "$prov_current" ;;
	esac
	if [ -n "$prov_commit_meta" ]; then
		prov_gi_metadata=1
		prov_gi_buildDate=${prov_meta_BUILD_DATE:-unknown}
		prov_gi_sourceUrl=${prov_meta_GIT_SOURCE_URL:-unknown}
		prov_gi_nixpkgsRev=${prov_meta_NIXPKGS_REV:-unknown}
		prov_gi_homeManagerRev=${prov_meta_HOME_MANAGER_REV:-unknown}
	else
		prov_gi_metadata=0
		[ -e "$prov_current/etc/nixos-metadata" ] && prov_gi_metadata=1
		prov_gi_buildDate=unknown
		prov_gi_sourceUrl=unknown
		prov_gi_nixpkgsRev=unknown
		prov_gi_homeManagerRev=unknown
	fi
	prov_gi_generationRaw=${prov_sys_current:-unknown}
	prov_gi_generation=g$prov_sys_current
	prov_gi_short=g${prov_sys_current:-?}
	[ -n "$prov_sys_current" ] || prov_gi_generation=unknown
	prov_gi_latestGenerationRaw=${prov_sys_latest:-unknown}
	prov_gi_latestGeneration=g$prov_sys_latest
	[ -n "$prov_sys_latest" ] || prov_gi_latestGeneration=unknown
	# The number in --json (null when unknown) and --export (unknown); the g label in the human views.
	prov_gi_bootedGeneration=${prov_sys_booted:-unknown}
	prov_gi_bootedLabel=g$prov_sys_booted
	[ -n "$prov_sys_booted" ] || prov_gi_bootedLabel=unknown
	prov_gi_systemStatus=$prov_sys_status
	prov_gi_commit=$prov_commit_full
	prov_gi_shortCommit=$prov_commit
	# Bars, prompts, tooltips and the human view get the short commit with
	# control characters (ESC, BEL, a newline) as `?`; JSON and --export
	# keep it exact (escaped by their writers).
	prov_plain "$prov_commit"
	prov_gi_plainCommit=$prov_ret
	prov_gi_isDirty=$prov_commit_dirty
	prov_gi_dirty=0
	[ "$prov_commit_dirty" = true ] && prov_gi_dirty=1
	if [ "$prov_commit" != unknown ]; then
		prov_gi_short=$prov_gi_short@$prov_commit
		[ "$prov_commit_dirty" = true ] && prov_gi_short=$prov_gi_short'*'
	fi
	prov_gi_homeManagerUser=$prov_hm_user
	prov_gi_homeManagerStatus=$prov_hm_status
	prov_gi_homeManagerOutOfSync=0
	case $prov_hm_status in
	absent | nixos-module)
		prov_gi_homeManagerGenerationRaw=none
		prov_gi_homeManagerGeneration=none
		prov_gi_homeManagerLatestGeneration=none
		prov_gi_homeManagerLatestGenerationRaw=none
		prov_gi_homeManagerShort=
		;;
	*)
		prov_gi_homeManagerGenerationRaw=${prov_hm_current:-unknown}
		prov_gi_homeManagerGeneration=hm${prov_hm_current:-?}
		prov_gi_homeManagerShort=$prov_gi_homeManagerGeneration
		[ -n "$prov_hm_current" ] || prov_gi_homeManagerGeneration=unknown
		prov_gi_homeManagerLatestGeneration=hm$prov_hm_latest
		prov_gi_homeManagerLatestGenerationRaw=$prov_hm_latest
		[ "$prov_hm_status" = out-of-sync ] && prov_gi_homeManagerOutOfSync=1
		;;
	esac
	prov_gi_booted=$prov_sys_is_booted
	prov_gi_needsReboot=$prov_sys_needs_reboot
	# One reason a line (the JSON array, the export); the human views join them.
	prov_gi_rebootReasons=
	for prov_l in $prov_sys_reboot_reasons; do
		prov_gi_rebootReasons=$prov_gi_rebootReasons$prov_l'
'
	done
	prov_gi_rebootWhy=
	for prov_l in $prov_sys_reboot_reasons; do
		prov_gi_rebootWhy=${prov_gi_rebootWhy:+$prov_gi_rebootWhy, }$prov_l
	done
	# The seed's warning: the newest generation of each side that is behind.
	prov_gi_warning=
	[ "$prov_sys_status" = out-of-sync ] && prov_gi_warning=$prov_gi_latestGeneration
	[ "$prov_hm_status" = out-of-sync ] && prov_gi_warning=${prov_gi_warning:+$prov_gi_warning }$prov_gi_homeManagerLatestGeneration
	prov_gi_warningParts=$prov_gi_warning
	prov_gi_outOfSync=0
	if [ "$prov_sys_status" = out-of-sync ] || [ "$prov_hm_status" = out-of-sync ]; then
		prov_gi_status=out-of-sync
		prov_gi_outOfSync=1
	elif [ "$prov_sys_status" = unknown ]; then
		prov_gi_status=unknown
	else
		prov_gi_status=in-sync
	fi
	# The bar segment of the seed: `g42 hm12`, with a warning sign when
	# either side is out of sync (after a space in bars, right after the
	# last word in --short, as the seed prints it).
	prov_gi_bar=g${prov_sys_current:-?}${prov_gi_homeManagerShort:+ $prov_gi_homeManagerShort}
	prov_gi_short=$prov_gi_short${prov_gi_homeManagerShort:+ $prov_gi_homeManagerShort}
	if [ "$prov_gi_status" = out-of-sync ]; then
		# The warning sign U+26A0 as octal escapes: the script stays ASCII, so
		# that yash can read it in the C locale (one fork, out of sync only).
		prov_gi_sign=$(printf '\342\232\240')
		prov_gi_bar="$prov_gi_bar $prov_gi_sign"
		prov_gi_short="$prov_gi_short$prov_gi_sign"
	fi
}

# prov_gi_describe: prov_ret = one line of what is out of date (tooltips).
prov_gi_describe() {
	prov_ret=
	if [ "$prov_gi_systemStatus" = out-of-sync ]; then
		prov_ret="system runs $prov_gi_generation, latest is $prov_gi_latestGeneration"
	fi
	if [ "$prov_gi_homeManagerStatus" = out-of-sync ]; then
		prov_ret="${prov_ret:+$prov_ret; }home-manager runs $prov_gi_homeManagerGeneration, latest is $prov_gi_homeManagerLatestGeneration"
	fi
	if [ "$prov_gi_needsReboot" = true ]; then
		prov_ret="${prov_ret:+$prov_ret; }reboot needed (booted $prov_gi_bootedLabel: $prov_gi_rebootWhy)"
	fi
}

# The mode handlers: the generated prov_dispatch calls the one of the mode
# flag given (prov_opt_mode); each prints the answer and returns the
# command's exit status.
prov_gi_mode_short() {
	# For prompts: control characters of the commit as `?` (the JSON and
	# --export keep the exact value).
	prov_plain "$prov_gi_short"
	printf '%s\n' "$prov_ret"
}

prov_gi_mode_status() {
	printf '%s\n' "$prov_gi_status"
}

# Short on purpose (it goes into prompts): which generations are waiting.
# The explanation is in the human view and the bar tooltips.
prov_gi_mode_warning() {
	[ -n "$prov_gi_warning" ] || return "$prov_exit_nothingToWarn"
	printf '\342\232\240 %s\n' "$prov_gi_warning"
}

# full_text, short_text, colour (only when something is out of date).
prov_gi_mode_i3blocks() {
	printf '%s\n%s\n' "$prov_gi_bar" "$prov_gi_bar"
	[ "$prov_gi_status" != out-of-sync ] || printf '%s\n' '#FF5555'
}

prov_gi_mode_i3status_rs() {
	case $prov_gi_status in
	out-of-sync) prov_l=Critical ;;
	*) prov_l=Idle ;;
	esac
	[ "$prov_gi_status" != out-of-sync ] && [ "$prov_gi_needsReboot" = true ] && prov_l=Warning
	# The bar text is made of g, hm, digits, ? and the warning sign: the
	# writer prints it without escaping (no fork).
	prov_ib_icon=
	prov_ib_state=$prov_l
	prov_ib_text=$prov_gi_bar
	prov_json_I3statusRsBlock
	printf '%s\n' "$prov_ret"
}

prov_gi_mode_export() {
	prov_gi_export
	printf '%s' "$prov_ret"
}

# --reboot: for scripts and bars; exit 0 when a reboot is needed.
prov_gi_mode_reboot() {
	[ -n "$prov_gi_rebootReasons" ] || return "$prov_exit_noReboot"
	printf '%s' "$prov_gi_rebootReasons"
}

prov_gi_mode_json() {
	# The warning sign is the one non-ASCII character of a plain short line:
	# the rest is escaped (no fork when it is ASCII) and the sign appended.
	case $prov_gi_short in
	*"$prov_gi_sign")
		prov_json_str "${prov_gi_short%"$prov_gi_sign"}"
		prov_gi_short_json=${prov_ret%\"}$prov_gi_sign\"
		;;
	*)
		prov_json_str "$prov_gi_short"
		prov_gi_short_json=$prov_ret
		;;
	esac
	prov_json_GenerationInfo
	printf '%s\n' "$prov_ret"
}

prov_gi_tooltip() {
	prov_out="System: $prov_gi_generation (latest $prov_gi_latestGeneration, $prov_gi_systemStatus), commit $prov_gi_plainCommit"
	[ "$prov_gi_isDirty" = true ] && prov_out="$prov_out (dirty)"
	case $prov_gi_homeManagerStatus in
	absent) ;;
	nixos-module) prov_out="$prov_out
Home Manager: NixOS module" ;;
	*) prov_out="$prov_out
Home Manager: $prov_gi_homeManagerGeneration (latest $prov_gi_homeManagerLatestGeneration, $prov_gi_homeManagerStatus)" ;;
	esac
	[ "$prov_gi_needsReboot" = true ] && prov_out="$prov_out
Reboot needed (booted $prov_gi_bootedLabel): $prov_gi_rebootWhy"
	prov_ret=$prov_out
}

# The bar text is made of g, hm, digits, ? and the warning sign only: no
# escaping needed. The tooltip is escaped line by line, so that its line
# breaks do not cost an awk run.
prov_gi_mode_waybar() {
	prov_gi_tooltip
	prov_json_lines "$prov_ret"
	prov_wb_tooltip=$prov_ret
	prov_wb_text=$prov_gi_bar
	prov_wb_class=$prov_gi_status
	prov_wb_alt=$prov_gi_status
	prov_json_WaybarModule
	printf '%s\n' "$prov_ret"
}

prov_gi_mode_human() {
	prov_plain "$prov_gi_homeManagerUser"
	prov_gi_homeManagerUser=$prov_ret
	prov_l=
	[ -n "$prov_sys_latest" ] && prov_l="latest $prov_gi_latestGeneration, "
	printf 'System:        %s (%s%s)\n' "$prov_gi_generation" "$prov_l" "$prov_gi_systemStatus"
	prov_l=
	case $prov_gi_isDirty in
	true) prov_l=' (dirty)' ;;
	esac
	printf 'Commit:        %s%s\n' "$prov_gi_plainCommit" "$prov_l"
	if [ -e "$prov_booted" ]; then
		prov_l=
		[ "$prov_gi_needsReboot" = true ] && prov_l=" (reboot needed: $prov_gi_rebootWhy changed)"
		[ "$prov_gi_booted" = true ] && prov_l=' (running)'
		printf 'Booted:        %s%s\n' "$prov_gi_bootedLabel" "$prov_l"
	else
		printf 'Booted:        unknown (no /run/booted-system)\n'
	fi
	case $prov_gi_homeManagerStatus in
	absent) printf 'Home Manager:  none (no profile for %s)\n' "${prov_gi_homeManagerUser:-unknown user}" ;;
	nixos-module) printf 'Home Manager:  NixOS module (no per-user profile for %s)\n' "$prov_gi_homeManagerUser" ;;
	*)
		printf 'Home Manager:  %s (latest %s, %s) for %s\n' "$prov_gi_homeManagerGeneration" \
			"$prov_gi_homeManagerLatestGeneration" "$prov_gi_homeManagerStatus" "${prov_gi_homeManagerUser:-unknown user}"
		;;
	esac
	printf 'Status:        %s\n' "$prov_gi_status"
	prov_gi_describe
	[ -z "$prov_ret" ] || printf 'Warning:       %s\n' "$prov_ret"
}

# prov_gi_watch PATH: one more watched path for the cache: PATH or, while
# it does not exist, the nearest directory above it that does (creating
# PATH changes that directory).
prov_gi_watch() {
	prov_l=$1
	while [ -n "$prov_l" ] && ! [ -e "$prov_l" ]; do
		prov_l=${prov_l%/*}
	done
	prov_gi_watched="${prov_gi_watched:+$prov_gi_watched
}${prov_l:-/}"
}

# prov_gi_cache_store: run the poll into the cache file, then print it. The
# stamp is made before anything is looked at; the answer is kept only when
# every watched path is strictly older than the stamp, so a change made
# while it was computed (even in the same clock tick) is never cached.
prov_gi_cache_store() {
	prov_gi_dir=${prov_gi_cache%/*}
	if ! [ -d "$prov_gi_dir" ]; then
		(umask 077 && command mkdir -p -- "$prov_gi_dir") 2>/dev/null || prov_gi_dir=
	fi
	prov_gi_stamp=$prov_gi_dir/.stamp.$$
	prov_gi_tmp=$prov_gi_dir/.tmp.$$
	if [ -z "$prov_gi_dir" ] || ! [ -O "$prov_gi_dir" ] || ! [ -w "$prov_gi_dir" ] || ! : >"$prov_gi_stamp" 2>/dev/null; then
		prov_gi_collect
		prov_dispatch
		return
	fi
	prov_gi_collect
	prov_gi_watched=
	prov_gi_watch "$prov_profiles"
	prov_gi_watch "$prov_root/run"
	prov_gi_watch "$prov_current/etc/nixos-metadata"
	prov_gi_watch "$prov_current/configuration-revision"
	if [ -n "$prov_hm_xdg" ]; then
		prov_gi_watch "$prov_hm_xdg/nix/profiles"
		prov_gi_watch "$prov_hm_xdg/home-manager/gcroots"
	fi
	if [ -n "$prov_hm_user" ]; then
		prov_gi_watch "$prov_profiles/per-user/$prov_hm_user"
		prov_gi_watch "$prov_root/nix/var/nix/gcroots/per-user/$prov_hm_user"
		prov_gi_watch "$prov_root/etc/profiles/per-user/$prov_hm_user"
	fi
	# The answer, with a final x so that command substitution keeps its last line breaks.
	prov_gi_out=$(prov_dispatch; printf 'x%s' "$?")
	prov_gi_code=${prov_gi_out##*x}
	prov_gi_out=${prov_gi_out%x*}
	prov_gi_keep=
	if prov_gi_newer "$prov_gi_stamp" "$prov_gi_watched"; then prov_gi_keep=1; fi
	if [ -n "$prov_gi_keep" ]; then
		prov_sh_quote "$prov_gi_key"
		prov_gi_state="$prov_gi_magic
prov_gi_hit_key=$prov_ret
"
		prov_sh_quote "$prov_gi_watched"
		prov_gi_state="${prov_gi_state}prov_gi_hit_watch=$prov_ret
"
		prov_sh_quote "$prov_gi_out"
		prov_gi_state="${prov_gi_state}prov_gi_hit_out=$prov_ret
prov_gi_hit_code=$prov_gi_code
"
		printf '%s' "$prov_gi_state" >"$prov_gi_tmp" 2>/dev/null && command mv -f -- "$prov_gi_tmp" "$prov_gi_cache" 2>/dev/null
	fi
	command rm -f -- "$prov_gi_stamp" "$prov_gi_tmp" 2>/dev/null
	printf '%s' "$prov_gi_out"
	return "$prov_gi_code"
}

prov_main() {
	prov_parse "$@"
	prov_nixos_present || prov_die "$prov_exit_notNixos" "$prov_ret"
	if [ -n "$prov_gi_cache" ]; then
		prov_gi_cache_store
	else
		prov_gi_collect
		prov_dispatch
	fi
	exit
}

prov_main "$@"
