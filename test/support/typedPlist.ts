/**
 * A canonical typed text for an {@link OSValue}, identical to what `plistlib_typed.py` prints for
 * plistlib's reading, so tests compare our readers with Python's exactly (integer vs real, exact
 * integers, real bits, data vs string, key order). Iterative, so 10,000-deep values are fine.
 */
import { spawnSync } from "node:child_process";
import { OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../../src/libkern/index.ts";
import { repoRoot } from "./corpus.ts";

function hexString(text: string): string {
  let out = "s:";
  for (let i = 0; i < text.length; i++) out += text.charCodeAt(i).toString(16).padStart(4, "0");
  return out;
}

function hexBytes(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function realText(v: number): string {
  if (Number.isNaN(v)) return "r:nan";
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return `r:${hexBytes(new Uint8Array(view.buffer))}`;
}

/** The canonical typed text of a value (see the module comment). */
export function typedText(root: OSValue): string {
  const parts: string[] = [];
  const work: (OSValue | { lit: string })[] = [root];
  while (work.length > 0) {
    const v = work.pop() as OSValue | { lit: string };
    if (typeof v === "string") parts.push(hexString(v));
    else if (typeof v === "boolean") parts.push(v ? "t" : "f");
    else if (v instanceof OSNumber) parts.push(`i:${v.value}`);
    else if (v instanceof OSReal) parts.push(realText(v.value));
    else if (v instanceof OSDate) parts.push(`d:${Math.round(v.absoluteTime * 1e6)}`);
    else if (v instanceof OSUID) parts.push(`u:${v.value}`);
    else if (v instanceof Uint8Array) parts.push(`x:${hexBytes(v)}`);
    else if (Array.isArray(v) || v instanceof Set) {
      const items = [...v];
      work.push({ lit: v instanceof Set ? ">" : "]" });
      for (let i = items.length - 1; i >= 0; i--) {
        work.push(items[i] as OSValue);
        if (i > 0) work.push({ lit: "," });
      }
      parts.push(v instanceof Set ? "<" : "[");
    } else if (v instanceof Map) {
      const entries = [...v];
      work.push({ lit: "}" });
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i] as [string, OSValue];
        work.push(x, { lit: `${hexString(k)}=` });
        if (i > 0) work.push({ lit: "," });
      }
      parts.push("{");
    } else parts.push(v.lit);
  }
  return parts.join("");
}

/** One file as plistlib reads it. */
export interface PlistlibResult {
  readonly path: string;
  readonly ok: boolean;
  readonly typed?: string;
  readonly error?: string;
}

/** Runs plistlib over files (one python3 process); undefined when python3 is missing. */
export function plistlibRead(paths: readonly string[]): Map<string, PlistlibResult> | undefined {
  if (paths.length === 0) return new Map();
  const r = spawnSync("python3", [`${repoRoot}/test/support/plistlib_typed.py`, ...paths], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.error !== undefined || r.status !== 0) return undefined;
  const out = new Map<string, PlistlibResult>();
  for (const line of r.stdout.split("\n")) {
    if (line.trim() === "") continue;
    const res = JSON.parse(line) as PlistlibResult;
    out.set(res.path, res);
  }
  return out;
}
