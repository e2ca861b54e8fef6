/**
 * The one rule for directories a user names (the runtime's logDir, the
 * metrics directory): the generator's config check and the NixOS module's
 * assertions both come from here. The value ends up in tmpfiles rules,
 * /etc/set-environment (which NixOS writes as `export NAME="value"`,
 * expanded when sourced) and unit files, so only characters that mean
 * nothing to any of them are allowed, and a directory the system owns is
 * refused: the module would chown and chmod it.
 */

/** Characters of one path component. */
export const pathComponentChars = "A-Za-z0-9._+-";

/**
 * An absolute path of such components, no empty component, no trailing
 * slash. POSIX ERE that means the same to JavaScript and to Nix's
 * `builtins.match` (which matches the whole string).
 */
export const safeDirectoryPattern = `/[${pathComponentChars}]+(/[${pathComponentChars}]+)*`;

/** A `.` or `..` component anywhere (ERE, whole string). */
export const dotComponentPattern = "(.*/)?[.][.]?(/.*)?";

/** Directories of the system itself; refused as such, and everything under the read-only or virtual ones. */
export const systemDirectories = [
  "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/mnt", "/nix", "/nix/store", "/nix/var", "/opt", "/proc",
  "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/var/cache", "/var/empty", "/var/lib", "/var/log", "/var/tmp",
] as const;
export const systemDirectoryPrefixes = ["/nix/store/", "/proc/", "/sys/", "/dev/", "/etc/"] as const;

export const safeDirectoryWhat =
  `an absolute directory path on one line, of the characters ${pathComponentChars} and /, without "." or ".." components, ` +
  `that is not a system directory (${systemDirectories.join(", ")}) nor under ${systemDirectoryPrefixes.join(", ")}`;

/** Why `path` is refused, or null when it is fine. */
export function directoryProblem(path: string): string | null {
  if (!new RegExp(`^(?:${safeDirectoryPattern})$`).test(path)) return `only the characters ${pathComponentChars} and / in an absolute path without empty components or a trailing slash`;
  if (new RegExp(`^(?:${dotComponentPattern})$`).test(path)) return 'no "." or ".." components';
  if ((systemDirectories as readonly string[]).includes(path)) return `not a system directory (${systemDirectories.join(", ")})`;
  const prefix = systemDirectoryPrefixes.find((p) => path.startsWith(p));
  if (prefix) return `not under ${prefix}`;
  return null;
}
