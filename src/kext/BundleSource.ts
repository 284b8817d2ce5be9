/**
 * How kext management sees files: a {@link BundleSource} lists directories, reads files and stats
 * entries (with owner, group and mode, because authentication checks them). `src/kext` never touches
 * a file system itself, so the same validator runs in Node (the host's `FsBundleSource`), in tests
 * ({@link MemoryBundleSource}) and in a browser.
 *
 * Paths are POSIX-style strings joined with `/`. `stat` does not follow symbolic links (it is
 * `lstat`): a bundle's symlinks are reported, never walked, so a link loop cannot trap a walk.
 */

/** What `stat` reports about one entry. */
export interface BundleFileStat {
  readonly type: "file" | "directory" | "symlink" | "other";
  readonly size: number;
  /** Permission bits (`st_mode & 07777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Modification time in milliseconds since the Unix epoch. */
  readonly mtimeMs: number;
}

/** Read access to bundles on some storage. */
export interface BundleSource {
  /** The entry at `path`, without following a final symlink; undefined when nothing is there. */
  stat(path: string): Promise<BundleFileStat | undefined>;
  /** The names in a directory (no `.`/`..`), in any order. */
  readDir(path: string): Promise<string[]>;
  /** A file's bytes, or at most `limit` bytes from its start. */
  readFile(path: string, limit?: number): Promise<Uint8Array>;
}

/** A file could not be read or listed; `code` is the errno name (`EACCES`, `ENOENT`, `EISDIR`…). */
export class BundleSourceError extends Error {
  readonly code: string;
  readonly path: string;

  constructor(code: string, path: string, message: string) {
    super(message);
    this.name = "BundleSourceError";
    this.code = code;
    this.path = path;
  }
}

/** Joins POSIX path components, collapsing duplicate slashes at the joint. */
export function joinPath(base: string, ...names: string[]): string {
  let out = base;
  for (const n of names) {
    if (n === "") continue;
    out = out.endsWith("/") ? `${out}${n}` : `${out}/${n}`;
  }
  return out;
}

/** The last component of a path (`/a/Foo.kext/` → `Foo.kext`). */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** A path without trailing slashes (`/` stays `/`). */
export function trimPath(path: string): string {
  const t = path.replace(/\/+$/, "");
  return t === "" && path.startsWith("/") ? "/" : t;
}

interface MemoryEntry {
  stat: BundleFileStat;
  data?: Uint8Array;
  /** Set to make reads fail with this errno, as an unreadable file would. */
  failWith?: string;
}

/**
 * An in-memory tree for tests and for callers that already hold a bundle's files (an upload in a
 * browser). Directories are created implicitly; entries default to root:wheel 0644 (files) / 0755.
 */
export class MemoryBundleSource implements BundleSource {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #children = new Map<string, Set<string>>();

  #set(path: string, entry: MemoryEntry): void {
    this.#entries.set(path, entry);
    if (path === "/" || path === "") return;
    const parent = parentOf(path);
    let kids = this.#children.get(parent);
    if (kids === undefined) this.#children.set(parent, (kids = new Set()));
    kids.add(path.slice(path.lastIndexOf("/") + 1));
  }

  /** Adds a file (and its parent directories). */
  addFile(path: string, data: Uint8Array | string, stat: Partial<BundleFileStat> & { failWith?: string } = {}): this {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.#ensureDir(parentOf(path));
    const { failWith, ...rest } = stat;
    this.#set(trimPath(path), {
      stat: { type: "file", size: bytes.length, mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, ...rest },
      data: bytes,
      failWith,
    });
    return this;
  }

  /** Adds a directory (and its parents), optionally with its own stat fields. */
  addDir(path: string, stat: Partial<BundleFileStat> = {}): this {
    this.#ensureDir(parentOf(path));
    this.#set(trimPath(path), {
      stat: { type: "directory", size: 0, mode: 0o755, uid: 0, gid: 0, mtimeMs: 0, ...stat },
    });
    return this;
  }

  /** Adds a symbolic link entry (never followed). */
  addSymlink(path: string): this {
    this.#ensureDir(parentOf(path));
    this.#set(trimPath(path), { stat: { type: "symlink", size: 0, mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 } });
    return this;
  }

  #ensureDir(path: string): void {
    let p = trimPath(path);
    while (p !== "" && !this.#entries.has(p)) {
      this.#set(p, { stat: { type: "directory", size: 0, mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 } });
      if (p === "/") break;
      p = parentOf(p);
    }
  }

  async stat(path: string): Promise<BundleFileStat | undefined> {
    return this.#entries.get(trimPath(path))?.stat;
  }

  async readDir(path: string): Promise<string[]> {
    const p = trimPath(path);
    const e = this.#entries.get(p);
    if (e === undefined) throw new BundleSourceError("ENOENT", path, `${path}: No such file or directory`);
    if (e.stat.type !== "directory") throw new BundleSourceError("ENOTDIR", path, `${path}: Not a directory`);
    return [...(this.#children.get(p) ?? [])];
  }

  async readFile(path: string, limit?: number): Promise<Uint8Array> {
    const e = this.#entries.get(trimPath(path));
    if (e === undefined) throw new BundleSourceError("ENOENT", path, `${path}: No such file or directory`);
    if (e.failWith !== undefined) throw new BundleSourceError(e.failWith, path, `${path}: ${e.failWith}`);
    if (e.data === undefined) throw new BundleSourceError("EISDIR", path, `${path}: Is a directory`);
    return limit === undefined ? e.data : e.data.subarray(0, limit);
  }
}

function parentOf(path: string): string {
  const p = trimPath(path);
  const i = p.lastIndexOf("/");
  return i <= 0 ? (p.startsWith("/") ? "/" : "") : p.slice(0, i);
}
