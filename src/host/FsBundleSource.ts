/**
 * The Node implementation of kext management's {@link BundleSource}: `lstat`, `readdir` and
 * `readFile` from `node:fs/promises`, with errors turned into {@link BundleSourceError}s carrying the
 * errno name. Relative paths resolve against the process's working directory, as Apple's tools do.
 */
import { lstat, open, readdir, readFile } from "node:fs/promises";
import { BundleSourceError, type BundleFileStat, type BundleSource } from "../kext/index.ts";

function wrap(e: unknown, path: string): BundleSourceError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? "EIO";
  return new BundleSourceError(code, path, `${path}: ${err.message}`);
}

export class FsBundleSource implements BundleSource {
  async stat(path: string): Promise<BundleFileStat | undefined> {
    try {
      const s = await lstat(path);
      const type = s.isFile() ? "file" : s.isDirectory() ? "directory" : s.isSymbolicLink() ? "symlink" : "other";
      return { type, size: s.size, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, mtimeMs: s.mtimeMs };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw wrap(e, path);
    }
  }

  async readDir(path: string): Promise<string[]> {
    try {
      return await readdir(path);
    } catch (e) {
      throw wrap(e, path);
    }
  }

  async readFile(path: string, limit?: number): Promise<Uint8Array> {
    try {
      if (limit === undefined) return new Uint8Array(await readFile(path));
      const fh = await open(path, "r");
      try {
        const buf = new Uint8Array(limit);
        const { bytesRead } = await fh.read(buf, 0, limit, 0);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw wrap(e, path);
    }
  }
}
