# shellcheck shell=sh
# Metadata files (/etc/nixos-metadata): parsed, never sourced. The field
# table (prov_meta_reset, prov_meta_set) is generated from the schema.

# prov_meta_read FILE [LAST]: parse a metadata file without executing it.
# Sets prov_meta_<NAME> for every field the schema knows (empty when absent)
# and prov_meta_schema; returns 1 when FILE cannot be read. With LAST, stops
# after the field named LAST (dash reads a byte per system call: status
# polls that need only the first fields save most of the file). Accepts the
# single-quoted values we write (including quotes and newlines inside) and
# the unquoted values of files written before this schema existed.
prov_meta_read() {
	prov_meta_reset
	[ -r "$1" ] && [ -f "$1" ] || return 1
	while IFS= read -r prov_line || [ -n "$prov_line" ]; do
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
					IFS= read -r prov_raw || break
					;;
				esac
			done
			;;
		*) prov_value=$prov_raw ;;
		esac
		prov_meta_set "$prov_name" "$prov_value" || :
		[ "$prov_name" = "${2-}" ] && break
	done <"$1"
	return 0
}
