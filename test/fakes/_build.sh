# shellcheck shell=sh
# Shared body of the fake nixos-rebuild, nh and home-manager (sourced by
# them with fake_tool set). Behaviour comes from the environment:
#   NIXOS_PROVENANCE_ROOT  the fixture tree: a successful switch/boot adds a
#                          generation there the way the real tools do
#   FAKE_BUILD             success (default) | fail | eval-error | hang | hostile
#   FAKE_LINES             lines of build output to print first (default 5)
#   FAKE_ARGS_FILE         where to write the argv received, NUL-separated
#   FAKE_READY_FILE        created once the build is running (for signal tests)
#   FAKE_EXIT              exit status of a failing build (default 1)
#   FAKE_TTY_FILE          gets `tty` or `pipe`: what the builder's stdout is
fake_root=${NIXOS_PROVENANCE_ROOT:?fake builder needs NIXOS_PROVENANCE_ROOT}
if [ -n "${FAKE_ARGS_FILE-}" ]; then
	: >"$FAKE_ARGS_FILE"
	for fake_a do printf '%s\000' "$fake_a" >>"$FAKE_ARGS_FILE"; done
fi
if [ -n "${FAKE_TTY_FILE-}" ]; then
	if [ -t 1 ]; then printf 'tty\n' >"$FAKE_TTY_FILE"; else printf 'pipe\n' >"$FAKE_TTY_FILE"; fi
fi
fake_json=
for fake_a do
	[ "$fake_a" = internal-json ] && fake_json=1
done

# fake_msg TEXT [LEVEL]: one message of nix; as `@nix {...}` with
# internal-json, at Nix's verbosity LEVEL (0 = error, the default; 3 = info).
fake_msg() {
	if [ -n "$fake_json" ]; then
		# As nix does: one line, newlines and quotes escaped.
		printf '%s\n' "$1" | awk -v level="${2:-0}" 'BEGIN { printf "@nix {\"action\":\"msg\",\"level\":%d,\"msg\":\"", level }
			{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }
			END { print "\"}" }'
	else
		printf '%s\n' "$1"
	fi
}
fake_log() {
	if [ -n "$fake_json" ]; then
		printf '@nix {"action":"result","fields":["%s"],"id":42,"type":101}\n' "$1"
	else
		printf '%s\n' "$1"
	fi
}
fake_start() {
	if [ -n "$fake_json" ]; then
		printf '@nix {"action":"start","id":42,"level":3,"parent":0,"text":"building %s","type":105}\n' "$1"
	else
		printf '%s\n' "building $1..."
	fi
}

fake_latest() {
	fake_n=0
	for fake_l in "$1"/"$2"-*-link; do
		[ -L "$fake_l" ] || continue
		fake_x=${fake_l##*/"$2"-}
		fake_x=${fake_x%-link}
		[ "$fake_x" -gt "$fake_n" ] && fake_n=$fake_x
	done
}

fake_new_system() {
	fake_p=$fake_root/nix/var/nix/profiles
	mkdir -p "$fake_p"
	fake_latest "$fake_p" system
	fake_n=$((fake_n + 1))
	fake_store=$fake_root/nix/store/$(printf '%032d' "$fake_n" | tr 0 f)$$-nixos-system-testhost-fake$fake_n
	mkdir -p "$fake_store/etc" "$fake_store/sw/bin"
	printf '24.05.fake%s' "$fake_n" >"$fake_store/nixos-version"
	printf "METADATA_SCHEMA_VERSION='1'\nGIT_COMMIT='%040d'\n" "$fake_n" >"$fake_store/etc/nixos-metadata"
	ln -s "$fake_store" "$fake_p/system-$fake_n-link"
	ln -sfn "system-$fake_n-link" "$fake_p/system"
	[ "$1" = switch ] && ln -sfn "$fake_store" "$fake_root/run/current-system"
	:
}

fake_new_home() {
	fake_p=${XDG_STATE_HOME:-$HOME/.local/state}/nix/profiles
	mkdir -p "$fake_p"
	fake_latest "$fake_p" home-manager
	fake_n=$((fake_n + 1))
	fake_store=$fake_root/nix/store/$(printf '%032d' "$fake_n" | tr 0 e)$$-home-manager-generation
	mkdir -p "$fake_store/home-files"
	ln -s "$fake_store" "$fake_p/home-manager-$fake_n-link"
	ln -sfn "home-manager-$fake_n-link" "$fake_p/home-manager"
	mkdir -p "${XDG_STATE_HOME:-$HOME/.local/state}/home-manager/gcroots"
	ln -sfn "$fake_store" "${XDG_STATE_HOME:-$HOME/.local/state}/home-manager/gcroots/current-home"
}

fake_drv=/nix/store/0123456789abcdfghijklmnpqrsvwxyz-hello-2.12.1.drv
fake_msg "evaluating derivation 'path:/etc/nixos#nixosConfigurations.testhost.config.system.build.toplevel'..." 3
fake_i=0
fake_lines=${FAKE_LINES:-5}
if [ "$fake_lines" -gt 1000 ]; then
	# Many lines: awk, as fast as a real build streams its log.
	awk -v n="$fake_lines" -v json="$fake_json" 'BEGIN {
		for (i = 1; i <= n; i++)
			if (json) printf "@nix {\"action\":\"result\",\"fields\":[\"hello> compiling src/file%d.c\"],\"id\":42,\"type\":101}\n", i
			else printf "hello> compiling src/file%d.c -o build/file%d.o -O2 -Wall\n", i, i
	}'
else
	fake_start "'$fake_drv'"
	while [ "$fake_i" -lt "$fake_lines" ]; do
		fake_i=$((fake_i + 1))
		fake_log "hello> compiling src/file$fake_i.c"
	done
fi
fake_log "hello> Running phase: buildPhase"

case ${FAKE_BUILD:-success} in
success)
	fake_log "hello> Running phase: installPhase"
	case $fake_tool in
	home-manager) [ "$fake_action" = switch ] && fake_new_home ;;
	*)
		case $fake_action in
		switch | boot) fake_new_system "$fake_action" ;;
		esac
		;;
	esac
	printf '%s\n' "activating the configuration..."
	exit 0
	;;
fail)
	fake_log "hello> src/main.c:12:5: error: 'foo' undeclared (first use in this function)"
	fake_log "hello> make: *** [Makefile:8: all] Error 1"
	fake_msg "error: builder for '$fake_drv' failed with exit code 2;
       last 2 log lines:
       > src/main.c:12:5: error: 'foo' undeclared (first use in this function)
       > make: *** [Makefile:8: all] Error 1
       For full logs, run 'nix log $fake_drv'."
	fake_msg "error: 1 dependencies of derivation '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-testhost.drv' failed to build"
	exit "${FAKE_EXIT:-1}"
	;;
eval-error)
	fake_msg "error:
       … while evaluating the attribute 'config.system.build.toplevel'

       error: The option \`services.foo' does not exist. Definition values:
       - In \`/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-source/configuration.nix'"
	exit 1
	;;
hostile)
	printf 'ctl:\001\002\033[31mred\033[0m\tTab \\back "quote" \\c \\n %%s $(id)\n'
	printf 'bad utf8: \377\376 \300\200 \355\240\200 end\n'
	printf 'error: hostile "quoted" \\ path /tmp/a b/c\001 \377\n'
	awk 'BEGIN { s = "x"; while (length(s) < 3000000) s = s s; print "error: " s }'
	printf 'no newline at end'
	exit 3
	;;
hang)
	[ -n "${FAKE_READY_FILE-}" ] && : >"$FAKE_READY_FILE"
	while :; do sleep 0.05; done
	;;
esac
