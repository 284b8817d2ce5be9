/**
 * Writers for `.strings` files and OpenStep property lists.
 *
 * `.strings` output follows what Xcode and genstrings produce: one `"key" = "value";` line per
 * entry, quoted, with `\` `"` and control characters escaped, and everything else written literally.
 * The default encoding is UTF-16LE with a BOM (what genstrings writes); UTF-8 is available.
 *
 * OpenStep output quotes every string unless it is a non-empty run of the unquoted character set, so
 * reading it back with {@link parseOpenStep} yields the same value. OpenStep has no integers, reals,
 * booleans, dates, sets or UIDs; writing one is an error rather than a silent conversion.
 */
import { kindOf, type OSValue } from "../../libkern/index.ts";

/** Options for {@link writeStrings}. */
export interface WriteStringsOptions {
  /** Output encoding; default "utf-16le" with BOM, like genstrings. */
  readonly encoding?: "utf-8" | "utf-16le" | "utf-16be";
  /** Prefix the output with a byte-order mark (default true for UTF-16, false for UTF-8). */
  readonly bom?: boolean;
}

/** Quotes a string for OpenStep / `.strings` output. */
export function quoteOpenStepString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += "\\\\"; break;
      case 0x0a: out += "\\n"; break;
      case 0x0d: out += "\\r"; break;
      case 0x09: out += "\\t"; break;
      default:
        if (c < 0x20 || c === 0x7f) out += "\\U" + c.toString(16).padStart(4, "0");
        else out += s[i];
    }
  }
  return out + '"';
}

/** The text of a `.strings` file for `entries`, in their order. */
export function formatStrings(entries: ReadonlyMap<string, string> | Iterable<readonly [string, string]>): string {
  let out = "";
  for (const [k, v] of entries) out += `${quoteOpenStepString(k)} = ${quoteOpenStepString(v)};\n`;
  return out;
}

/** Encodes a `.strings` file (UTF-16LE with BOM unless told otherwise). */
export function writeStrings(entries: ReadonlyMap<string, string> | Iterable<readonly [string, string]>, options: WriteStringsOptions = {}): Uint8Array {
  const text = formatStrings(entries);
  const encoding = options.encoding ?? "utf-16le";
  const bom = options.bom ?? encoding !== "utf-8";
  if (encoding === "utf-8") {
    const body = new TextEncoder().encode(text);
    if (!bom) return body;
    const out = new Uint8Array(body.length + 3);
    out.set([0xef, 0xbb, 0xbf]);
    out.set(body, 3);
    return out;
  }
  const start = bom ? 2 : 0;
  const out = new Uint8Array(start + text.length * 2);
  const view = new DataView(out.buffer);
  const little = encoding === "utf-16le";
  if (bom) view.setUint16(0, 0xfeff, little);
  for (let i = 0; i < text.length; i++) view.setUint16(start + 2 * i, text.charCodeAt(i), little);
  return out;
}

const UNQUOTED = /^[A-Za-z0-9_$/:.-]+$/;

/**
 * Writes `value` as an OpenStep property list, indented by four spaces per level.
 * @throws {TypeError} for a kind OpenStep cannot express (integer, real, boolean, date, set, uid),
 *   naming the key path.
 */
export function writeOpenStep(value: OSValue): string {
  const out: string[] = [];
  // Explicit stack: deep values cannot exhaust the call stack.
  type Item = { kind: "value"; v: OSValue; indent: string; path: string } | { kind: "text"; s: string };
  const stack: Item[] = [{ kind: "value", v: value, indent: "", path: "" }];
  while (stack.length > 0) {
    const item = stack.pop() as Item;
    if (item.kind === "text") { out.push(item.s); continue; }
    const { v, indent, path } = item;
    const k = kindOf(v);
    if (k === "string") {
      const s = v as string;
      out.push(UNQUOTED.test(s) ? s : quoteOpenStepString(s));
    } else if (k === "data") {
      out.push("<" + Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, "0")).join("") + ">");
    } else if (k === "array") {
      const a = v as OSValue[];
      if (a.length === 0) { out.push("()"); continue; }
      const inner = indent + "    ";
      const todo: Item[] = [{ kind: "text", s: "(\n" }];
      a.forEach((e, i) => {
        todo.push({ kind: "text", s: inner }, { kind: "value", v: e, indent: inner, path: `${path}[${i}]` });
        todo.push({ kind: "text", s: i < a.length - 1 ? ",\n" : "\n" });
      });
      todo.push({ kind: "text", s: indent + ")" });
      for (let i = todo.length - 1; i >= 0; i--) stack.push(todo[i] as Item);
    } else if (k === "dict") {
      const d = v as Map<string, OSValue>;
      if (d.size === 0) { out.push("{}"); continue; }
      const inner = indent + "    ";
      const todo: Item[] = [{ kind: "text", s: "{\n" }];
      for (const [key, e] of d) {
        todo.push({ kind: "text", s: `${inner}${UNQUOTED.test(key) ? key : quoteOpenStepString(key)} = ` });
        todo.push({ kind: "value", v: e, indent: inner, path: path ? `${path}.${key}` : key }, { kind: "text", s: ";\n" });
      }
      todo.push({ kind: "text", s: indent + "}" });
      for (let i = todo.length - 1; i >= 0; i--) stack.push(todo[i] as Item);
    } else {
      throw new TypeError(`Cannot write ${k} as an OpenStep plist${path ? ` (at ${path})` : ""}: OpenStep has only strings, data, arrays and dictionaries`);
    }
  }
  return out.join("");
}
