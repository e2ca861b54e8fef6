/**
 * A fixture tree that looks like a NixOS machine, built under a temporary
 * root that the runtime is pointed at with NIXOS_PROVENANCE_ROOT:
 *
 *   <root>/nix/store/<hash>-nixos-system-<host>-<label>/{etc/nixos-metadata,nixos-version,...}
 *   <root>/nix/var/nix/profiles/system-<N>-link -> <root>/nix/store/...
 *   <root>/nix/var/nix/profiles/system -> system-<N>-link
 *   <root>/run/current-system, <root>/run/booted-system -> <root>/nix/store/...
 *   <home>/.local/state/nix/profiles/home-manager-<N>-link, home-manager -> home-manager-<N>-link
 *   <home>/.local/state/home-manager/gcroots/current-home -> <root>/nix/store/...-home-manager-generation
 *
 * Links are made the way nix-env and switch-to-configuration make them: the
 * profile link is relative, generation links and /run links are absolute.
 */
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, existsSync, lstatSync, lutimesSync, chmodSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface MetadataValues {
  [shellVar: string]: string;
}

export interface SystemGenerationOptions {
  host?: string;
  /** NixOS label, e.g. 24.05.20240101.abcdef0 */
  label?: string;
  kernel?: string;
  /** Initrd identity: generations with the same kernel and initrd share one initrd store path (default "default"). */
  initrd?: string;
  /** Full text of etc/nixos-metadata; null = a generation built before the module existed. */
  metadataText?: string | null;
  /** Convenience: values rendered in our format (single-quoted) when metadataText is not given. */
  metadata?: MetadataValues;
  configurationRevision?: string;
  specialisations?: string[];
  /** The kernel command line (`kernel-params`, default "loglevel=4"). */
  kernelParams?: string;
  /** systemd identity: generations with the same one share the `systemd` store path (default "255.6"). */
  systemd?: string;
  /** Firmware identity: generations with the same one share the `firmware` store path (default "default"). */
  firmware?: string;
  /** Reuse the store path of another generation (rollback then rebuild of the same config). */
  sameAs?: number;
  /** Seconds since the epoch for the generation link's mtime. */
  time?: number;
}

/** The single-quoting rule of the metadata file (same as generator/escape/shell.ts). */
export function quoteForMetadata(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function renderMetadata(values: MetadataValues): string {
  return `METADATA_SCHEMA_VERSION='1'\n${Object.entries(values).map(([k, v]) => `${k}=${quoteForMetadata(v)}\n`).join("")}`;
}

export function defaultMetadata(n: number, overrides: MetadataValues = {}): MetadataValues {
  const commit = createHash("sha1").update(`commit-${n}`).digest("hex");
  const nixpkgs = createHash("sha1").update(`nixpkgs-${Math.ceil(n / 3)}`).digest("hex");
  return {
    GIT_COMMIT: commit,
    GIT_SHORT_COMMIT: commit.slice(0, 7),
    GIT_DIRTY: "false",
    GIT_LAST_MODIFIED: "20250109",
    GIT_SOURCE_URL: `https://github.com/owner/nixos-config/tree/${commit}`,
    NIXPKGS_REV: nixpkgs,
    NIXPKGS_NARHASH: "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    HOME_MANAGER_REV: createHash("sha1").update("hm").digest("hex"),
    HOSTNAME: "testhost",
    SYSTEM: "x86_64-linux",
    BUILD_DATE: "20250109",
    FLAKE_URL: `github:owner/nixos-config/${commit}`,
    ...overrides,
  };
}

/** Metadata of Home Manager generation N: its own commit (every third one a new nixpkgs), no host (standalone). */
export function homeMetadata(n: number, overrides: MetadataValues = {}): MetadataValues {
  const commit = createHash("sha1").update(`home-commit-${n}`).digest("hex");
  return defaultMetadata(n, {
    GIT_COMMIT: commit,
    GIT_SHORT_COMMIT: commit.slice(0, 7),
    GIT_SOURCE_URL: `https://github.com/owner/home-config/tree/${commit}`,
    FLAKE_URL: `github:owner/home-config/${commit}`,
    HOSTNAME: "unknown",
    ...overrides,
  });
}

/**
 * A temporary directory the NixOS module accepts paths under: test/run.ts
 * points TMPDIR at /dev/shm, and the module refuses a log directory below
 * /dev/ (rightly); this is the TMPDIR the run itself was started with.
 */
export const outerTmpdir = (): string => process.env.NIXPROV_OUTER_TMPDIR ?? tmpdir();

export class Machine {
  readonly root: string;
  readonly home: string;
  readonly user: string;
  private storePaths = new Map<number, string>();
  private hmStorePaths = new Map<number, string>();

  /** `base`: the directory to make the root in (default: TMPDIR). */
  constructor(options: { user?: string; rootName?: string; base?: string } = {}) {
    this.root = mkdtempSync(join(options.base ?? tmpdir(), options.rootName ?? "nixprov-fixture-"));
    this.user = options.user ?? "alice";
    this.home = join(this.root, "home", this.user);
    mkdirSync(join(this.root, "nix/store"), { recursive: true });
    mkdirSync(this.profiles, { recursive: true });
    mkdirSync(join(this.root, "run"), { recursive: true });
    mkdirSync(this.home, { recursive: true });
  }

  get profiles(): string {
    return join(this.root, "nix/var/nix/profiles");
  }

  /** Environment for running a runtime command against this machine. */
  env(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      NIXOS_PROVENANCE_ROOT: this.root,
      HOME: this.home,
      USER: this.user,
      LC_ALL: "C.UTF-8",
      ...extra,
    };
    return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  }

  storePath(n: number): string {
    const path = this.storePaths.get(n);
    if (!path) throw new Error(`no system generation ${n}`);
    return path;
  }

  private link(target: string, path: string): void {
    if (existsSync(path) || isLink(path)) rmSync(path, { force: true });
    symlinkSync(target, path);
  }

  /** Add system generation N (does not change the profile or /run links). */
  addSystem(n: number, options: SystemGenerationOptions = {}): string {
    let store: string;
    if (options.sameAs !== undefined) {
      store = this.storePath(options.sameAs);
    } else {
      const host = options.host ?? "testhost";
      const label = options.label ?? `24.05.20240101.abcdef${n % 10}`;
      const hash = createHash("sha1").update(`system-${n}-${host}-${label}-${Math.random()}`).digest("hex").slice(0, 32);
      store = join(this.root, "nix/store", `${hash}-nixos-system-${host}-${label}`);
      const kernel = options.kernel ?? "6.6.30";
      mkdirSync(join(store, "etc"), { recursive: true });
      mkdirSync(join(store, "sw/bin"), { recursive: true });
      writeFileSync(join(store, "nixos-version"), label);
      // As on NixOS: kernel, initrd and kernel-modules are links into store
      // paths shared by every generation with the same kernel (and initrd).
      const k = this.kernelStore(kernel, options.initrd ?? "default");
      symlinkSync(join(k.kernel, "bzImage"), join(store, "kernel"));
      symlinkSync(join(k.initrd, "initrd"), join(store, "initrd"));
      symlinkSync(k.modules, join(store, "kernel-modules"));
      writeFileSync(join(store, "kernel-params"), options.kernelParams ?? "loglevel=4");
      symlinkSync(this.sharedStore("systemd", options.systemd ?? "255.6"), join(store, "systemd"));
      symlinkSync(this.sharedStore("firmware", options.firmware ?? "default"), join(store, "firmware"));
      let text: string | null;
      if (options.metadataText !== undefined) text = options.metadataText;
      else text = renderMetadata(options.metadata ?? defaultMetadata(n));
      if (text !== null) writeFileSync(join(store, "etc/nixos-metadata"), text);
      const rev = options.configurationRevision ?? (text === null ? undefined : (options.metadata ?? defaultMetadata(n)).GIT_COMMIT);
      if (rev !== undefined) writeFileSync(join(store, "configuration-revision"), rev);
      for (const name of options.specialisations ?? []) {
        mkdirSync(join(store, "specialisation"), { recursive: true });
        mkdirSync(join(store, "specialisation", name), { recursive: true });
      }
    }
    this.storePaths.set(n, store);
    const link = join(this.profiles, `system-${n}-link`);
    this.link(store, link);
    if (options.time !== undefined) lutimes(link, options.time);
    return store;
  }

  /** A store path shared by every generation with the same NAME and identity (made on first use). */
  private sharedStore(name: string, identity: string): string {
    const id = createHash("sha1").update(`${name}-${identity}`).digest("hex").slice(0, 32);
    const path = join(this.root, "nix/store", `${id}-${name}-${identity}`);
    if (!existsSync(path)) {
      mkdirSync(path, { recursive: true });
      writeFileSync(join(path, "identity"), `${name} ${identity}\n`);
    }
    return path;
  }

  /** The store path of generation N as the system sees it (without the fixture root). */
  systemStorePath(n: number): string {
    return this.storePath(n).slice(this.root.length);
  }

  /** The shared store paths of one kernel build (made on first use). */
  private kernelStore(kernel: string, initrd: string): { kernel: string; initrd: string; modules: string } {
    const id = createHash("sha1").update(`kernel-${kernel}`).digest("hex").slice(0, 32);
    const initrdId = createHash("sha1").update(`initrd-${kernel}-${initrd}`).digest("hex").slice(0, 32);
    const paths = {
      kernel: join(this.root, "nix/store", `${id}-linux-${kernel}`),
      initrd: join(this.root, "nix/store", `${initrdId}-initrd-linux-${kernel}`),
      modules: join(this.root, "nix/store", `${id}-linux-${kernel}-modules`),
    };
    if (!existsSync(paths.kernel)) {
      mkdirSync(paths.kernel, { recursive: true });
      writeFileSync(join(paths.kernel, "bzImage"), `kernel ${kernel}\n`);
      mkdirSync(join(paths.modules, "lib/modules", kernel), { recursive: true });
    }
    if (!existsSync(paths.initrd)) {
      mkdirSync(paths.initrd, { recursive: true });
      writeFileSync(join(paths.initrd, "initrd"), `initrd ${kernel} ${initrd}\n`);
    }
    return paths;
  }

  /** Point the `system` profile at generation N (what nixos-rebuild boot/switch does). */
  setProfile(n: number): void {
    this.storePath(n);
    this.link(`system-${n}-link`, join(this.profiles, "system"));
  }

  /** Make generation N the running system (/run/current-system). */
  activate(n: number): void {
    this.link(this.storePath(n), join(this.root, "run/current-system"));
  }

  /** Make generation N the booted system (/run/booted-system). */
  boot(n: number): void {
    this.link(this.storePath(n), join(this.root, "run/booted-system"));
  }

  /** nixos-rebuild switch to a new generation N: add, set profile, activate. */
  switchTo(n: number, options: SystemGenerationOptions = {}): void {
    this.addSystem(n, options);
    this.setProfile(n);
    this.activate(n);
  }

  removeRun(which: "current-system" | "booted-system"): void {
    rmSync(join(this.root, "run", which), { force: true });
  }

  /** Home Manager profile directory: XDG (default) or legacy per-user. */
  hmProfiles(layout: "xdg" | "legacy" = "xdg"): string {
    return layout === "xdg" ? join(this.home, ".local/state/nix/profiles") : join(this.profiles, "per-user", this.user);
  }

  hmGcroot(layout: "xdg" | "legacy" = "xdg"): string {
    return layout === "xdg"
      ? join(this.home, ".local/state/home-manager/gcroots/current-home")
      : join(this.root, "nix/var/nix/gcroots/per-user", this.user, "current-home");
  }

  /**
   * Add Home Manager generation N; `activate` also points current-home at it.
   * Like the Home Manager module (home.extraBuilderCommands), the generation
   * carries `nixos-metadata`: a link to a store file holding the metadata
   * (homeMetadata(N), or `metadata` / `metadataText`; null: none, a
   * generation built before the module was enabled) and HOME_MANAGER_USER.
   */
  addHome(
    n: number,
    options: { layout?: "xdg" | "legacy"; activate?: boolean; sameAs?: number; metadata?: MetadataValues; metadataText?: string | null } = {},
  ): string {
    const layout = options.layout ?? "xdg";
    let store: string;
    if (options.sameAs !== undefined) {
      const same = this.hmStorePaths.get(options.sameAs);
      if (!same) throw new Error(`no home generation ${options.sameAs}`);
      store = same;
    } else {
      const hash = createHash("sha1").update(`hm-${n}-${Math.random()}`).digest("hex").slice(0, 32);
      store = join(this.root, "nix/store", `${hash}-home-manager-generation`);
      mkdirSync(join(store, "home-files"), { recursive: true });
      writeFileSync(join(store, "activate"), "#!/bin/sh\n");
      const text =
        options.metadataText !== undefined
          ? options.metadataText
          : `${renderMetadata(options.metadata ?? homeMetadata(n))}\n# Home Manager\nHOME_MANAGER_USER=${quoteForMetadata(this.user)}\n`;
      if (text !== null) {
        const file = join(this.root, "nix/store", `${createHash("sha1").update(text).digest("hex").slice(0, 32)}-nixos-provenance-home-metadata`);
        writeFileSync(file, text);
        symlinkSync(file, join(store, "nixos-metadata"));
      }
    }
    this.hmStorePaths.set(n, store);
    const dir = this.hmProfiles(layout);
    mkdirSync(dir, { recursive: true });
    this.link(store, join(dir, `home-manager-${n}-link`));
    this.link(`home-manager-${n}-link`, join(dir, "home-manager"));
    if (options.activate ?? true) this.activateHome(n, layout);
    return store;
  }

  /** The store path of Home Manager generation N as the system sees it (without the fixture root). */
  hmStore(n: number): string {
    const store = this.hmStorePaths.get(n);
    if (!store) throw new Error(`no home generation ${n}`);
    return store.slice(this.root.length);
  }

  activateHome(n: number, layout: "xdg" | "legacy" = "xdg"): void {
    const store = this.hmStorePaths.get(n);
    if (!store) throw new Error(`no home generation ${n}`);
    const root = this.hmGcroot(layout);
    mkdirSync(join(root, ".."), { recursive: true });
    this.link(store, root);
  }

  /** Home Manager as a NixOS module: no per-user profile, packages in /etc/profiles/per-user/<user>. */
  homeManagerAsNixosModule(): void {
    mkdirSync(join(this.root, "etc/profiles/per-user", this.user, "bin"), { recursive: true });
  }

  /** Remove a system generation's store path, leaving its link dangling. */
  removeStorePath(n: number): void {
    rmSync(this.storePath(n), { recursive: true, force: true });
  }

  /** Write an arbitrary file below the root (paths are relative to it). */
  write(relative: string, content: string, mode?: number): string {
    const path = join(this.root, relative);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content);
    if (mode !== undefined) chmodSync(path, mode);
    return path;
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Set a symlink's own mtime (what nixos-rebuild list-generations shows as the date). */
function lutimes(path: string, seconds: number): void {
  lutimesSync(path, seconds, seconds);
}
