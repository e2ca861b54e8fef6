# shellcheck shell=sh
# Run from the NixOS activation script (system.activationScripts.nixos-provenance)
# on every `switch`, `test` and boot: appends one ActivationRecord to the
# activation history. It must never make an activation fail or hang: the
# module runs it under a timeout and ignores its status; every wait here is
# bounded (the lock: 5 s), and every failure is one line on stderr, which
# lands in the journal (switch-to-configuration's unit, or stage 2's kmsg).
# It writes nothing outside its directory: the history and its temporary
# files, renamed into place under the lock (the build history's rules: the
# last N records, a file that is no history is moved aside, never
# overwritten).
#
# When it runs, switch-to-configuration has not yet pointed
# /run/current-system at the new system (the activation script does that
# last), so /run/current-system is still the system that ran before. At boot
# there is no /run/current-system and no /run/booted-system yet: the
# previous system is the history's last record, the booted one is this one.

IFS=' 	
'
unset CDPATH

# prov_pa_lock / prov_pa_unlock: serialise writers of the history: flock(1)
# on the directory (fd 9) for at most 5 s, else a mkdir lock holding our pid
# (a stale one, whose holder is gone, is taken over), 5 s at most too.
prov_pa_lock() {
	prov_pa_lockdir=
	if command -v flock >/dev/null 2>&1; then
		if exec 9<"$prov_pa_dir"; then
			flock -w 5 8 8<&9 && return 0
			exec 9<&-
		fi
		return 1
	fi
	prov_pa_lockdir=$prov_pa_dir/.activation-history.lock.d
	prov_pa_tries=0
	while [ "$prov_pa_tries" -lt 50 ]; do
		if mkdir -- "$prov_pa_lockdir" 2>/dev/null; then
			printf '%s\n' "$$" >"$prov_pa_lockdir/pid" 2>/dev/null
			return 0
		fi
		prov_pa_holder=
		[ -r "$prov_pa_lockdir/pid" ] && IFS= read -r prov_pa_holder <"$prov_pa_lockdir/pid"
		case $prov_pa_holder in
		'' | *[!0-9]*) ;;
		*)
			if ! prov_rec_alive "$prov_pa_holder" &&
				mv -- "$prov_pa_lockdir" "$prov_pa_lockdir.stale.$$" 2>/dev/null; then
				rm -rf -- "$prov_pa_lockdir.stale.$$"
				continue
			fi
			;;
		esac
		prov_pa_tries=$((prov_pa_tries + 1))
		sleep 0.1 2>/dev/null || sleep 1
	done
	return 1
}

prov_pa_unlock() {
	if [ -n "$prov_pa_lockdir" ]; then
		rm -rf -- "$prov_pa_lockdir"
	else
		exec 9<&-
	fi
}

# prov_pa_find PATH: prov_ret = the highest generation whose link is PATH's
# store path, or empty.
prov_pa_find() {
	prov_ret=
	if [ -n "$prov_sys_latest" ]; then
		prov_gen_find "$prov_profiles" system "$1" "$prov_sys_latest" || prov_ret=
	fi
	return 0
}

# prov_pa_store PATH: prov_ret = PATH's store path as the system sees it.
prov_pa_store() {
	prov_ret=$(cd -P -- "$1" 2>/dev/null && pwd -P) || prov_ret=$1
	if [ -n "$prov_root" ]; then
		prov_l=$(cd -P -- "$prov_root" 2>/dev/null && pwd -P) || prov_l=$prov_root
		prov_ret=${prov_ret#"$prov_l"}
	fi
	return 0
}

# prov_pa_record: the new record in prov_ret.
prov_pa_record() {
	prov_l=$(date -u '+%Y-%m-%dT%H:%M:%SZ %s' 2>/dev/null) || prov_l=
	prov_ar_time=${prov_l% *}
	prov_ar_timestamp=${prov_l#* }
	prov_ar_action=$prov_pa_action
	prov_sys_latest=
	if prov_gen_latest "$prov_profiles" system; then prov_sys_latest=$prov_ret; fi
	prov_pa_find "$prov_opt_system"
	prov_ar_generation=$prov_ret
	prov_pa_store "$prov_opt_system"
	prov_ar_storePath=$prov_ret
	prov_commit_detect "$prov_opt_system"
	prov_ar_commit=$prov_commit_full
	prov_ar_dirty=$prov_commit_dirty
	prov_ar_bootedGeneration=
	prov_ar_previousGeneration=
	prov_ar_previousStorePath=
	if [ -e "$prov_booted" ]; then
		prov_pa_find "$prov_booted"
		prov_ar_bootedGeneration=$prov_ret
	elif [ "$prov_pa_action" = boot ]; then
		prov_ar_bootedGeneration=$prov_ar_generation
	fi
	if [ -e "$prov_current" ]; then
		prov_pa_find "$prov_current"
		prov_ar_previousGeneration=$prov_ret
		prov_pa_store "$prov_current"
		prov_ar_previousStorePath=$prov_ret
	elif [ -n "$prov_pa_last" ]; then
		# At boot: what ran last is the history's newest record.
		prov_ar_previousGeneration=${prov_pa_last%%	*}
		[ "$prov_ar_previousGeneration" = null ] && prov_ar_previousGeneration=
		prov_ar_previousStorePath=${prov_pa_last#*	}
		[ "$prov_ar_previousStorePath" = null ] && prov_ar_previousStorePath=
	fi
	prov_json_ActivationRecord
}

# prov_pa_write: the history plus the new record, into place. Status 1
# (with the reason on stderr) when nothing was written.
prov_pa_write() {
	prov_pa_hist=$prov_pa_dir/$prov_activation_history_file
	prov_pa_tmp=$prov_pa_dir/.activation.$$.tmp
	rm -f -- "$prov_pa_tmp" 2>/dev/null
	# Temporary files of runs that are gone.
	for prov_l in "$prov_pa_dir"/.activation.*.tmp; do
		[ -e "$prov_l" ] || continue
		prov_l2=${prov_l##*/.activation.}
		prov_l2=${prov_l2%.tmp}
		case $prov_l2 in
		'' | *[!0-9]*) continue ;;
		esac
		prov_rec_alive "$prov_l2" || rm -f -- "$prov_l"
	done
	prov_bs_history_length
	prov_pa_keep=$((prov_ret - 1))
	prov_pa_src=/dev/null
	prov_pa_last=
	if [ -L "$prov_pa_hist" ]; then
		prov_warn "$prov_pa_hist is a symbolic link; it is replaced, not followed"
	elif [ -d "$prov_pa_hist" ]; then
		prov_warn "not recorded: $prov_pa_hist is a directory"
		return 1
	elif [ -f "$prov_pa_hist" ]; then
		if prov_pa_last=$(LC_ALL=C awk -v last=1 "$prov_awk_record_value$prov_awk_history_keep" <"$prov_pa_hist" 2>/dev/null); then
			prov_pa_src=$prov_pa_hist
		else
			prov_pa_last=
			prov_pa_aside=$prov_pa_hist.corrupt-$(date -u +%Y%m%dT%H%M%S 2>/dev/null)-$$
			if mv -- "$prov_pa_hist" "$prov_pa_aside" 2>/dev/null; then
				prov_warn "warning: $prov_pa_hist was not a valid history; moved to $prov_pa_aside and a new one started"
			else
				prov_warn "not recorded: $prov_pa_hist is not a valid history and cannot be moved aside"
				return 1
			fi
		fi
	fi
	prov_pa_record
	{
		printf '[\n' &&
			LC_ALL=C awk -v keep="$prov_pa_keep" "$prov_awk_record_value$prov_awk_history_keep" <"$prov_pa_src" &&
			printf '%s\n]\n' "$prov_ret"
	} >"$prov_pa_tmp" 2>/dev/null || {
		rm -f -- "$prov_pa_tmp" 2>/dev/null
		prov_warn "not recorded: cannot write $prov_pa_tmp (read-only or full file system?); the history is left as it was"
		return 1
	}
	# Written to the end (a full disk fails here, not later).
	prov_l=
	while IFS= read -r prov_l2; do prov_l=$prov_l2; done <"$prov_pa_tmp"
	if [ "$prov_l" != "]" ]; then
		rm -f -- "$prov_pa_tmp" 2>/dev/null
		prov_warn "not recorded: $prov_pa_tmp was cut short (full file system?); the history is left as it was"
		return 1
	fi
	[ -L "$prov_pa_hist" ] && rm -f -- "$prov_pa_hist"
	if ! mv -f -- "$prov_pa_tmp" "$prov_pa_hist" 2>/dev/null; then
		rm -f -- "$prov_pa_tmp" 2>/dev/null
		prov_warn "not recorded: cannot rename $prov_pa_tmp to $prov_pa_hist"
		return 1
	fi
	return 0
}

prov_main() {
	prov_parse "$@"
	# switch-to-configuration exports its action to the activation script.
	[ -n "$prov_opt_action" ] || prov_opt_action=${NIXOS_ACTION-}
	case $prov_opt_action in
	switch | test) prov_pa_action=$prov_opt_action ;;
	'' | boot) prov_pa_action=boot ;;
	dry-activate) exit "$prov_exit_ok" ;;
	*) prov_usage_error "unknown --action: $prov_opt_action (expected switch, test, boot or dry-activate)" ;;
	esac
	[ -n "$prov_opt_system" ] || prov_usage_error "--system PATH is required"
	if ! [ -d "$prov_opt_system" ]; then
		prov_warn "not recorded: $prov_opt_system is no system"
		exit "$prov_exit_notRecorded"
	fi
	prov_pa_dir=${NIXOS_PROVENANCE_STATE_DIR:-$prov_root$prov_default_state_dir}
	if [ -L "$prov_pa_dir" ]; then
		prov_warn "not recorded: $prov_pa_dir is a symbolic link (not followed)"
		exit "$prov_exit_notRecorded"
	fi
	if ! [ -d "$prov_pa_dir" ]; then
		# At boot /var may be a file system that is not mounted yet: the
		# directory is only ever made by a switch or test.
		if [ "$prov_pa_action" = boot ]; then
			prov_warn "not recorded: $prov_pa_dir does not exist (yet); the first switch makes it"
			exit "$prov_exit_notRecorded"
		fi
		if ! (umask 022 && mkdir -p -- "$prov_pa_dir") 2>/dev/null; then
			prov_warn "not recorded: cannot create $prov_pa_dir (read-only file system?)"
			exit "$prov_exit_notRecorded"
		fi
	fi
	if ! prov_pa_lock; then
		prov_warn "not recorded: $prov_pa_dir is locked by another activation for more than 5 s"
		exit "$prov_exit_notRecorded"
	fi
	umask 022
	if prov_pa_write; then
		prov_pa_unlock
		exit "$prov_exit_ok"
	fi
	prov_pa_unlock
	exit "$prov_exit_notRecorded"
}

prov_main "$@"
