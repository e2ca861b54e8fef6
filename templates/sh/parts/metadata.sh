# shellcheck shell=sh
# Metadata files (/etc/nixos-metadata): parsed, never sourced. The field
# table (prov_meta_reset, prov_meta_set) is generated from the schema.

# What a metadata file may hold: ours are a few hundred bytes. A larger or
# longer file is not metadata (it is reported as invalid), and reading it
# could hold a status poll for seconds (dash reads one byte per system call).
prov_meta_max_bytes=65536
prov_meta_max_lines=512

# prov_small_file FILE MAX: status 0 when FILE is a regular, readable file of
# at most MAX bytes. FIFOs, devices and directories are never opened (a FIFO
# would block the reader, /dev/zero never ends). One fork: wc -c, which sizes
# a regular file without reading it; without wc (not installed) the size is
# unknown (prov_size empty) and the readers' own byte counts are the bound.
prov_small_file() {
	[ -f "$1" ] && [ -r "$1" ] || return 1
	prov_size=
	command -v wc >/dev/null 2>&1 || return 0
	prov_size=$(command wc -c <"$1" 2>/dev/null) || return 1
	prov_size=${prov_size##*[!0-9]}
	case $prov_size in
	'' | ??????????*) return 1 ;;
	esac
	[ "$prov_size" -le "$2" ]
}

# prov_meta_read FILE [LAST]: parse a metadata file without executing it.
# Sets prov_meta_<NAME> for every field the schema knows (empty when absent)
# and prov_meta_schema. Returns 1 when FILE does not exist, 2 when it is not
# valid metadata (not a regular readable file, over prov_meta_max_bytes or
# prov_meta_max_lines, a quote left open): then every field is empty and
# prov_meta_invalid=1. With LAST, stops after the field named LAST (status
# polls that need only the first fields save most of the file). Accepts the
# single-quoted values we write (including quotes and newlines inside) and
# the unquoted values of files written before this schema existed.
prov_meta_read() {
	prov_meta_reset
	prov_meta_invalid=
	[ -e "$1" ] || [ -L "$1" ] || return 1
	if ! prov_small_file "$1" "$prov_meta_max_bytes"; then
		prov_meta_invalid=1
		return 2
	fi
	prov_meta_lines=0
	prov_meta_bytes=0
	prov_meta_eof=
	# A last line without a newline is taken once, then the loop ends: a read
	# that fails is never retried (yash fails on invalid UTF-8 in a UTF-8
	# locale, at the same place every time).
	while [ -z "$prov_meta_eof" ]; do
		IFS= read -r prov_line || {
			prov_meta_eof=1
			[ -n "$prov_line" ] || break
		}
		prov_meta_lines=$((prov_meta_lines + 1))
		prov_meta_bytes=$((prov_meta_bytes + ${#prov_line} + 1))
		[ "$prov_meta_bytes" -le "$prov_meta_max_bytes" ] || prov_meta_lines=$((prov_meta_max_lines + 1))
		[ "$prov_meta_lines" -le "$prov_meta_max_lines" ] || break
		case $prov_line in
		[A-Z]*=*) ;;
		*) continue ;;
		esac
		prov_name=${prov_line%%=*}
		prov_raw=${prov_line#*=}
		prov_value=
		case $prov_raw in
		\'*)
			prov_raw=${prov_raw#\'}
			while :; do
				case $prov_raw in
				*\'*)
					prov_value=$prov_value${prov_raw%%\'*}
					prov_raw=${prov_raw#*\'}
					case $prov_raw in
					\\\'\'*)
						prov_value=$prov_value\'
						prov_raw=${prov_raw#\\\'\'}
						;;
					*) break ;;
					esac
					;;
				*)
					# The quote is still open: the value goes on on the next line.
					prov_value="$prov_value$prov_raw
"
					prov_meta_lines=$((prov_meta_lines + 1))
					if [ -n "$prov_meta_eof" ] || [ "$prov_meta_lines" -gt "$prov_meta_max_lines" ] ||
						! IFS= read -r prov_raw; then
						prov_meta_lines=$((prov_meta_max_lines + 1))
						break
					fi
					;;
				esac
			done
			;;
		*) prov_value=$prov_raw ;;
		esac
		[ "$prov_meta_lines" -le "$prov_meta_max_lines" ] || break
		prov_meta_set "$prov_name" "$prov_value" || :
		[ "$prov_name" = "${2-}" ] && break
	done <"$1" 2>/dev/null
	if [ "$prov_meta_lines" -gt "$prov_meta_max_lines" ]; then
		prov_meta_reset
		prov_meta_invalid=1
		return 2
	fi
	return 0
}
