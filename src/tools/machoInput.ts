/**
 * What the Mach-O tools (nm, otool, lipo, codesign) share: reading an input file relative to the
 * tool's working directory, the host architecture LLVM's tools prefer in a fat file, and writing
 * byte-string output (one char per byte) back as the exact bytes.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ToolIO } from "./ToolIO.ts";

/** Reads `path` (relative to io.cwd); throws an Error whose message is the strerror text. */
export function readInput(path: string, io: ToolIO): Uint8Array {
  try {
    const buf = readFileSync(resolve(io.cwd, path));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const text = code === "ENOENT" ? "No such file or directory" : code === "EACCES" ? "Permission denied"
      : code === "EISDIR" ? "Is a directory" : (e as Error).message;
    throw new Error(text);
  }
}

/**
 * The architecture name LLVM's tools match against a fat file's slices when no -arch is given:
 * the host's, as LLVM names it (`x86_64`, or `arm64` on Apple silicon; `aarch64` hosts match no
 * Mach-O slice name, so every slice is shown there, as with llvm-nm).
 */
export function hostArchName(): string | undefined {
  if (process.arch === "x64") return "x86_64";
  if (process.arch === "ia32") return "i386";
  if (process.arch === "arm64" && process.platform === "darwin") return "arm64";
  return undefined;
}

/** Writes a byte string (one char per byte) as raw bytes. */
export function writeBytes(io: ToolIO, text: string, to: "stdout" = "stdout"): void {
  if (text.length === 0) return;
  const buf = Buffer.from(text, "latin1");
  io[to](new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
}
