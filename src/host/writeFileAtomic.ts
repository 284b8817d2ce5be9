/**
 * Writes a file so that readers see either the old contents or the new, never a torn file: the
 * data goes to a temporary file in the same directory, is flushed, and is renamed over the target.
 */
import { open, rename, unlink, utimes } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface WriteFileAtomicOptions {
  /** Permission bits for the new file (default 0o644). */
  readonly mode?: number;
  /** Modification time to stamp on the file before it is renamed into place (seconds since epoch). */
  readonly mtimeSeconds?: number;
}

/** Atomically replaces `path` with `data` (temp file + fsync + rename). */
export async function writeFileAtomic(path: string, data: Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fh = await open(tmp, "wx", options.mode ?? 0o644);
  try {
    try {
      await fh.writeFile(data);
      // open()'s mode is filtered by the umask; caches must be exactly the mode asked for.
      await fh.chmod(options.mode ?? 0o644);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (options.mtimeSeconds !== undefined) await utimes(tmp, options.mtimeSeconds, options.mtimeSeconds);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
