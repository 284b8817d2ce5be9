/**
 * What the Mach-O tools (nm, otool, lipo, codesign) share: reading an input file relative to the
 * tool's working directory, the host architecture LLVM's tools prefer in a fat file, and writing
 * byte-string output (one char per byte) back as the exact bytes.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { machOKind, parseFatHeader, parseMachOImage } from "../formats/macho/index.ts";
import { resolve } from "node:path";
import type { ToolIO } from "./ToolIO.ts";
import { systemErrorText } from "../ipc/index.ts";

/** Reads `path` (relative to io.cwd); throws an Error whose message is the strerror text. */
export function readInput(path: string, io: ToolIO): Uint8Array {
  try {
    const buf = readFileSync(resolve(io.cwd, path));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw new Error(systemErrorText(e));
  }
}

/**
 * Reads only what symbol and load-command tools need: the headers, the load commands and each
 * image's symbol and string tables, into a buffer the size of the file whose other bytes stay zero
 * (and, being untouched, cost no memory). A large binary or kernel collection is thus never read
 * whole. Anything unexpected falls back to reading the entire file, so errors are reported from
 * the real bytes.
 */
export function readInputForSymbols(path: string, io: ToolIO): Uint8Array {
  let fd: number;
  try {
    fd = openSync(resolve(io.cwd, path), "r");
  } catch {
    return readInput(path, io);
  }
  try {
    const size = fstatSync(fd).size;
    if (size < (1 << 20)) return readInput(path, io);
    const bytes = new Uint8Array(size);
    const fill = (off: number, len: number): void => {
      let p = off;
      const end = Math.min(size, off + len);
      while (p < end) {
        const n = readSync(fd, bytes, p, end - p, p);
        if (n <= 0) throw new Error("short read");
        p += n;
      }
    };
    fill(0, 4096);
    const kind = machOKind(bytes);
    if (kind === "unknown") return bytes;
    const starts: { off: number; len: number }[] = [];
    if (kind === "fat") {
      fill(0, 8 + new DataView(bytes.buffer).getUint32(4) * 32);
      for (const a of parseFatHeader(bytes).arches) starts.push({ off: a.offset, len: a.size });
    } else starts.push({ off: 0, len: size });
    for (const { off, len } of starts) {
      fill(off, 32);
      const sub = bytes.subarray(off, off + len);
      const le = sub[0] === 0xcf || sub[0] === 0xce;
      const sizeofcmds = new DataView(sub.buffer, sub.byteOffset).getUint32(20, le);
      fill(off, 32 + sizeofcmds);
      const image = parseMachOImage(sub);
      const st = image.symtab;
      if (st !== undefined) {
        fill(off + st.symoff, st.nsyms * (image.header.is64 ? 16 : 12));
        fill(off + st.stroff, st.strsize);
      }
    }
    return bytes;
  } catch {
    return readInput(path, io);
  } finally {
    closeSync(fd);
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

/**
 * Collects byte-string output (one char per byte) and writes it as the exact bytes in one go:
 * joining the parts and one native latin1 encode is far cheaper than writing per line.
 */
export class ByteSink {
  private parts: string[] = [];

  write(s: string): void {
    this.parts.push(s);
  }

  /** Writes what was collected to the tool's stdout and empties the sink. */
  flushTo(io: ToolIO): void {
    writeBytes(io, this.parts.join(""));
    this.parts = [];
  }
}

/** A byte string (one char per byte) of `bytes[start, end)`, by one native latin1 decode. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, end - start)).toString("latin1");
}
