# shellcheck shell=sh
# shellcheck disable=SC3013 # [ A -ef B ]: not POSIX, but in dash, bash, busybox ash, mksh and yash
# Generation detection, system and Home Manager.
# Used by nixos-generation-info, nixos-metadata, nixos-build-status and
# lib/build-status.sh. POSIX sh, also correct under `set -eu` (every
# function ends with an explicit status); needs the runtime core above (prov_root,
# prov_profiles, prov_current, prov_booted). zsh callers: `emulate sh` first
# (the globs below rely on unquoted pattern variables and empty matches).
#
# No fork and no external command on the common path: generations are found
# by globbing and compared with `[ A -ef B ]` (same file after following
# links), never with readlink. Generation numbers are digits without a
# leading zero (what nix-env writes); other names are ignored.
#
# Functions and what they set:
#   prov_gen_latest DIR PREFIX
#       Highest N among DIR/PREFIX-N-link. prov_ret = N and prov_gen_link =
#       the link's path, or both empty (status 1) when there is none.
#   prov_gen_digits_pat LENGTH
#       prov_gen_pat = glob of a LENGTH-digit number ([1-9][0-9]...).
#   prov_gen_find DIR PREFIX TARGET [LATEST]
#       Highest N whose DIR/PREFIX-N-link is the same file as TARGET (two
#       generations may share a store path: the newest wins). prov_ret = N,
#       or empty (status 1). LATEST (the newest N, when the caller knows it)
#       saves a directory read. No fork: the 32 numbers below the newest are
#       tried first, then one [ -ef ] per generation.
#   prov_user_detect
#       prov_user = $USER, else the effective user (`id -un`, the only fork,
#       and only when USER is unset or empty), else $LOGNAME, else empty.
#   prov_system_detect
#       prov_sys_latest   newest system generation number, or empty
#       prov_sys_current  running generation (/run/current-system), or empty
#       prov_sys_status   in-sync | out-of-sync | unknown (no current system
#                         or no generation at all)
#   prov_system_boot_detect (after prov_system_detect)
#       prov_sys_booted        booted generation number, or empty
#       prov_sys_is_booted     true when the booted system is the running one
#       prov_sys_needs_reboot  true when the booted kernel, initrd or kernel
#                              modules differ from the running system's
#                              (or any other of prov_sys_reboot_reasons)
#       prov_sys_reboot_reasons  what differs, space-separated, in the order
#                              of prov_reboot_checks: kernel initrd
#                              kernel-modules kernel-params systemd firmware
#   prov_hm_detect
#       prov_hm_user     the user whose profile was read (prov_user)
#       prov_hm_layout   xdg | legacy | nixos-module | none
#       prov_hm_latest   newest Home Manager generation, or empty
#       prov_hm_current  activated generation (gcroots/current-home; when
#                        that root is missing, the one the home-manager
#                        profile link points to), or empty
#       prov_hm_status   in-sync | out-of-sync | absent | nixos-module | unknown
#                        (unknown: profiles exist but neither the root nor
#                        the profile link matches one)
#   prov_hm_module_detect (after prov_hm_detect)
#       prov_hm_via_nixos  1 when Home Manager is run by the NixOS module
#                          (home-manager-<user>.service), else empty
#   prov_nixos_present
#       Status 0 on a NixOS system (a running system or a system profile);
#       else prov_ret = the one-line reason, status 1.
#   prov_commit_detect DIR [LAST [FILE]] (DIR: a system toplevel, e.g. "$prov_current")
#       prov_commit        short commit (7 characters), or unknown
#       prov_commit_full   full commit, or unknown
#       prov_commit_dirty  true | false | unknown
#       prov_commit_meta   1 when DIR/etc/nixos-metadata was read, else empty
#       Reads DIR/etc/nixos-metadata with prov_meta_read (also leaving every
#       prov_meta_* set; with LAST, e.g. GIT_DIRTY, only up to that field:
#       much faster under dash), else DIR/configuration-revision. FILE: the
#       metadata's path in DIR instead of etc/nixos-metadata (a Home Manager
#       generation's is $prov_home_metadata_file).

# Unquoted $prov_gen_pat below is on purpose: it is the glob pattern.
# [ A -ef B ] is not in POSIX's test, but dash, bash, busybox ash, mksh and
# yash all have it (posh does not), and it keeps the status modes fork-free.

# prov_exists PATH: true for any directory entry, dangling links included.
prov_exists() {
	[ -e "$1" ] || [ -L "$1" ]
}

# prov_gen_digits_pat LENGTH: prov_gen_pat = the glob of a LENGTH-digit
# number without a leading zero.
prov_gen_digits_pat() {
	prov_gen_pat='[1-9]'
	prov_gen_i=1
	while [ "$prov_gen_i" -lt "$1" ]; do
		prov_gen_pat=$prov_gen_pat'[0-9]'
		prov_gen_i=$((prov_gen_i + 1))
	done
}

# prov_gen_take LINK: prov_ret = LINK's generation number, prov_gen_link =
# LINK; status 1 when the number is not digits without a leading zero, or
# has more than 9 digits (beyond what every shell's arithmetic holds: mksh's
# is 32-bit; such a name is ignored, never compared).
prov_gen_take() {
	prov_ret=${1##*/}
	prov_ret=${prov_ret#"$prov_gen_prefix"-}
	prov_ret=${prov_ret%-link}
	prov_gen_link=$1
	case $prov_ret in
	'' | 0* | *[!0-9]* | ??????????*) return 1 ;;
	esac
}

# Each glob reads the whole directory (about 0.25 ms for 1,000 links under
# dash), so the common cases take one or two: names of four characters or
# more (none below generation 1000, a handful above: compared one by one;
# many: the same again one character longer), then the three-, two- and
# one-character names, whose last match is the highest. A name that is not
# digits where the answer should be sends it to the strict path.
prov_gen_latest() {
	prov_ret=
	prov_gen_link=
	prov_gen_dir=$1
	prov_gen_prefix=$2
	set -- "$prov_gen_dir/$prov_gen_prefix"-????*-link
	prov_gen_q='????'
	while prov_exists "$1" && [ $# -gt 64 ]; do
		# Many long names: look at the longer ones only, then at the
		# longest length whose last match (in numeric order) is the answer.
		# shellcheck disable=SC2086
		set -- "$prov_gen_dir/$prov_gen_prefix"-$prov_gen_q?*-link
		if ! prov_exists "$1"; then
			# shellcheck disable=SC2086
			set -- "$prov_gen_dir/$prov_gen_prefix"-$prov_gen_q-link
			eval "prov_gen_l=\${$#}"
			prov_gen_take "$prov_gen_l" && return 0
			prov_gen_latest_strict
			return
		fi
		prov_gen_q=$prov_gen_q'?'
	done
	if prov_exists "$1"; then
		prov_gen_max=
		prov_gen_maxlink=
		for prov_gen_l in "$@"; do
			prov_gen_take "$prov_gen_l" || continue
			if [ -z "$prov_gen_max" ] || [ "$prov_ret" -gt "$prov_gen_max" ]; then
				prov_gen_max=$prov_ret
				prov_gen_maxlink=$prov_gen_l
			fi
		done
		if [ -n "$prov_gen_max" ]; then
			prov_ret=$prov_gen_max
			prov_gen_link=$prov_gen_maxlink
			return 0
		fi
		# Only odd long names: the strict path sorts it out.
		prov_gen_latest_strict
		return
	fi
	for prov_gen_l in '???' '??' '?'; do
		# shellcheck disable=SC2086
		set -- "$prov_gen_dir/$prov_gen_prefix"-$prov_gen_l-link
		prov_exists "$1" || continue
		eval "prov_gen_l=\${$#}"
		prov_gen_take "$prov_gen_l" && return 0
		prov_gen_latest_strict
		return
	done
	prov_ret=
	prov_gen_link=
	return 1
}

# prov_gen_latest_strict: prov_gen_latest for any directory, with digit
# classes from six digits down (counting up when longer numbers exist).
# Also leaves prov_gen_pat = the digit pattern of the highest number.
# Numbers of more than 9 digits are ignored (see prov_gen_take).
prov_gen_latest_strict() {
	prov_ret=
	prov_gen_link=
	prov_gen_pat='[1-9][0-9][0-9][0-9][0-9][0-9]'
	prov_gen_i=6
	while [ "$prov_gen_i" -lt 9 ]; do
		# shellcheck disable=SC2086
		set -- "$prov_gen_dir/$prov_gen_prefix"-${prov_gen_pat}[0-9]*-link
		prov_exists "$1" || break
		prov_gen_pat=$prov_gen_pat'[0-9]'
		prov_gen_i=$((prov_gen_i + 1))
	done
	while :; do
		# Within one digit count the glob's sorted order is numeric order.
		# shellcheck disable=SC2086
		set -- "$prov_gen_dir/$prov_gen_prefix"-$prov_gen_pat-link
		if prov_exists "$1"; then
			eval "prov_gen_l=\${$#}"
			prov_gen_take "$prov_gen_l"
			return 0
		fi
		case $prov_gen_pat in
		'[1-9]') return 1 ;;
		esac
		prov_gen_pat=${prov_gen_pat%'[0-9]'}
	done
}

prov_gen_find() {
	prov_ret=
	prov_gen_dir=$1
	prov_gen_prefix=$2
	prov_gen_target=$3
	prov_gen_match=
	prov_exists "$prov_gen_target" || return 1
	if [ -n "${4-}" ]; then
		prov_ret=$4
	else
		prov_gen_latest "$prov_gen_dir" "$prov_gen_prefix" || return 1
	fi
	# The target is usually one of the newest generations (a rollback, the
	# system booted before the last switches): try the 32 numbers below the
	# newest first, one [ -ef ] each, highest first.
	prov_gen_n=$prov_ret
	prov_gen_i=0
	while [ "$prov_gen_i" -lt 32 ] && [ "$prov_gen_n" -gt 0 ]; do
		if [ "$prov_gen_dir/$prov_gen_prefix-$prov_gen_n-link" -ef "$prov_gen_target" ]; then
			prov_ret=$prov_gen_n
			return 0
		fi
		prov_gen_n=$((prov_gen_n - 1))
		prov_gen_i=$((prov_gen_i + 1))
	done
	# Then every link, from the digit count of the newest generation down:
	# the first count with a match holds the answer.
	prov_gen_digits_pat "${#prov_ret}"
	while :; do
		# shellcheck disable=SC2086
		set -- "$prov_gen_dir/$prov_gen_prefix"-$prov_gen_pat-link
		for prov_gen_l in "$@"; do
			[ "$prov_gen_l" -ef "$prov_gen_target" ] && prov_gen_match=$prov_gen_l
		done
		if [ -n "$prov_gen_match" ]; then
			prov_gen_take "$prov_gen_match"
			return
		fi
		case $prov_gen_pat in
		'[1-9]') return 1 ;;
		esac
		prov_gen_pat=${prov_gen_pat%'[0-9]'}
	done
}

# A user name is a path component below per-user/: one with a slash (or
# . or ..) would reach outside it, so it is taken as no name at all.
prov_user_detect() {
	prov_user=${USER:-}
	prov_user_check
	if [ -z "$prov_user" ]; then
		prov_user=$(command id -un 2>/dev/null) || prov_user=
		prov_user_check
		[ -n "$prov_user" ] || prov_user=${LOGNAME:-}
		prov_user_check
	fi
	return 0
}

prov_user_check() {
	case $prov_user in
	*/* | . | ..) prov_user= ;;
	esac
}

prov_system_detect() {
	prov_sys_latest=
	prov_sys_current=
	prov_sys_status=unknown
	prov_gen_latest "$prov_profiles" system && prov_sys_latest=$prov_ret
	[ -e "$prov_current" ] || return 0
	if [ -n "$prov_sys_latest" ] && [ "$prov_current" -ef "$prov_gen_link" ]; then
		prov_sys_current=$prov_sys_latest
		prov_sys_status=in-sync
		return 0
	fi
	[ -n "$prov_sys_latest" ] &&
		prov_gen_find "$prov_profiles" system "$prov_current" "$prov_sys_latest" && prov_sys_current=$prov_ret
	[ -n "$prov_sys_latest" ] && prov_sys_status=out-of-sync
	return 0
}

# prov_same_file A B: A and B are the same file, or both are missing.
prov_same_file() {
	[ "$1" -ef "$2" ] && return 0
	! prov_exists "$1" && ! prov_exists "$2"
}

# What a reboot would change, as the toplevel names them (links compared
# with -ef; kernel-params, a file, by content).
prov_reboot_checks='kernel initrd kernel-modules kernel-params systemd firmware'

prov_system_boot_detect() {
	prov_sys_booted=
	prov_sys_is_booted=false
	prov_sys_needs_reboot=false
	prov_sys_reboot_reasons=
	[ -e "$prov_booted" ] || return 0
	if [ "$prov_booted" -ef "$prov_current" ]; then
		prov_sys_is_booted=true
		prov_sys_booted=$prov_sys_current
		return 0
	fi
	[ -e "$prov_current" ] || return 0
	for prov_l in $prov_reboot_checks; do
		if [ "$prov_l" = kernel-params ]; then
			# A file of each toplevel: compared by content (one read each).
			prov_l2=
			prov_l3=
			[ -f "$prov_booted/$prov_l" ] && { IFS= read -r prov_l2 <"$prov_booted/$prov_l" || :; }
			[ -f "$prov_current/$prov_l" ] && { IFS= read -r prov_l3 <"$prov_current/$prov_l" || :; }
			[ "$prov_l2" = "$prov_l3" ] && continue
		else
			prov_same_file "$prov_booted/$prov_l" "$prov_current/$prov_l" && continue
		fi
		prov_sys_needs_reboot=true
		prov_sys_reboot_reasons=${prov_sys_reboot_reasons:+$prov_sys_reboot_reasons }$prov_l
	done
	[ -n "$prov_sys_latest" ] &&
		prov_gen_find "$prov_profiles" system "$prov_booted" "$prov_sys_latest" && prov_sys_booted=$prov_ret
	return 0
}

prov_hm_detect() {
	prov_user_detect
	prov_hm_user=$prov_user
	prov_hm_layout=none
	prov_hm_latest=
	prov_hm_current=
	prov_hm_status=absent
	prov_hm_xdg=
	case ${XDG_STATE_HOME:-} in
	/*) prov_hm_xdg=$XDG_STATE_HOME ;;
	*) [ -n "${HOME:-}" ] && prov_hm_xdg=$HOME/.local/state ;;
	esac
	prov_hm_dir=
	prov_hm_root=
	prov_hm_legacy_root=
	[ -n "$prov_user" ] && prov_hm_legacy_root=$prov_root/nix/var/nix/gcroots/per-user/$prov_user/current-home
	if [ -n "$prov_hm_xdg" ] && prov_gen_latest "$prov_hm_xdg/nix/profiles" home-manager; then
		prov_hm_layout=xdg
		prov_hm_dir=$prov_hm_xdg/nix/profiles
		prov_hm_root=$prov_hm_xdg/home-manager/gcroots/current-home
		prov_exists "$prov_hm_root" || prov_hm_root=$prov_hm_legacy_root
	elif [ -n "$prov_user" ] && prov_gen_latest "$prov_profiles/per-user/$prov_user" home-manager; then
		prov_hm_layout=legacy
		prov_hm_dir=$prov_profiles/per-user/$prov_user
		prov_hm_root=$prov_hm_legacy_root
		if ! prov_exists "$prov_hm_root" && [ -n "$prov_hm_xdg" ]; then
			prov_hm_root=$prov_hm_xdg/home-manager/gcroots/current-home
		fi
	else
		# No per-user profile: Home Manager is absent, or runs as a NixOS
		# module that installs into /etc/profiles/per-user.
		if [ -n "$prov_user" ] && [ -d "$prov_root/etc/profiles/per-user/$prov_user" ]; then
			prov_hm_layout=nixos-module
			prov_hm_status=nixos-module
		fi
		return 0
	fi
	prov_hm_latest=$prov_ret
	prov_hm_status=unknown
	if [ -z "$prov_hm_root" ] || ! [ -e "$prov_hm_root" ]; then
		# No activation root (older Home Manager, a cleaned gcroot): the
		# generation the profile link points to is the best answer.
		prov_hm_root=$prov_hm_dir/home-manager
		[ -e "$prov_hm_root" ] || return 0
	fi
	if [ "$prov_hm_root" -ef "$prov_gen_link" ]; then
		prov_hm_current=$prov_hm_latest
		prov_hm_status=in-sync
		return 0
	fi
	prov_gen_find "$prov_hm_dir" home-manager "$prov_hm_root" "$prov_hm_latest" && prov_hm_current=$prov_ret
	prov_hm_status=out-of-sync
	return 0
}

prov_hm_module_detect() {
	prov_hm_via_nixos=
	[ -n "$prov_hm_user" ] && prov_exists "$prov_root/etc/systemd/system/home-manager-$prov_hm_user.service" && prov_hm_via_nixos=1
	return 0
}

prov_nixos_present() {
	prov_exists "$prov_current" && return 0
	prov_exists "$prov_profiles/system" && return 0
	set -- "$prov_profiles"/system-*-link
	prov_exists "$1" && return 0
	prov_ret="not a NixOS system: $prov_current is missing"
	return 1
}

# prov_plain VALUE: prov_ret = VALUE with every control character (ESC,
# BEL, CR, newline, ...) shown as `?`, for terminals, bars and prompts: a
# value read from metadata must not move the cursor, set a window title or
# add a line. No fork; printable values are returned as they are at once.
prov_plain() {
	prov_ret=$1
	case $1 in
	*[[:cntrl:]]*) ;;
	*) return 0 ;;
	esac
	prov_ret=
	prov_rest=$1
	while :; do
		case $prov_rest in
		*[[:cntrl:]]*)
			prov_pre=${prov_rest%%[[:cntrl:]]*}
			prov_ret=$prov_ret$prov_pre'?'
			prov_rest=${prov_rest#"$prov_pre"?}
			;;
		*)
			prov_ret=$prov_ret$prov_rest
			return 0
			;;
		esac
	done
}

# prov_short7 VALUE: prov_ret = the first 7 characters of VALUE (no fork).
prov_short7() {
	prov_ret=${1#???????}
	prov_ret=${1%"$prov_ret"}
}

prov_commit_detect() {
	prov_commit=unknown
	prov_commit_full=unknown
	prov_commit_dirty=unknown
	prov_commit_meta=
	if prov_meta_read "$1/${3:-etc/nixos-metadata}" "${2-}"; then
		prov_commit_meta=1
		[ -n "$prov_meta_GIT_COMMIT" ] && prov_commit_full=$prov_meta_GIT_COMMIT
		if [ -n "$prov_meta_GIT_SHORT_COMMIT" ] && [ "$prov_meta_GIT_SHORT_COMMIT" != unknown ]; then
			prov_commit=$prov_meta_GIT_SHORT_COMMIT
		elif [ "$prov_commit_full" != unknown ]; then
			prov_short7 "$prov_commit_full"
			prov_commit=$prov_ret
		fi
		case $prov_meta_GIT_DIRTY in
		true | false) prov_commit_dirty=$prov_meta_GIT_DIRTY ;;
		esac
		return 0
	fi
	# A generation built without the module: system.configurationRevision,
	# which is `self.rev` or `self.dirtyRev` (`<commit>-dirty`).
	# A revision is a commit and maybe -dirty: anything large is not one.
	prov_small_file "$1/configuration-revision" 4096 || return 0
	prov_l=
	IFS= read -r prov_l <"$1/configuration-revision" 2>/dev/null || :
	case $prov_l in
	'' | unknown) return 0 ;;
	*-dirty)
		prov_commit_full=${prov_l%-dirty}
		prov_commit_dirty=true
		;;
	*) prov_commit_full=$prov_l ;;
	esac
	prov_short7 "$prov_commit_full"
	prov_commit=$prov_ret
}
