/**
 * JSON as `plutil -convert json` writes it (Foundation's JSON writer under plutil's options):
 *
 * - compact by default: no whitespace at all; `pretty` (plutil's `-r`) indents by two spaces,
 *   puts ` : ` between a key and its value, and writes an empty container as its brackets with a
 *   blank line between them;
 * - dictionary keys sorted (UTF-16 order), so output is deterministic (Divergence from XNU:
 *   Foundation's JSON writer emits hash order);
 * - strings escape `"`, `\`, `/` (as `\/`) and control characters (`\b \f \n \r \t`, others as
 *   `\u00xx`); everything else is written as itself;
 * - integers exactly, reals as `%.17g` (so `1.0` is `1`), booleans as `true`/`false`;
 * - no trailing newline.
 *
 * JSON cannot hold data, dates, UIDs, sets or non-finite reals: they throw
 * {@link PlistTypeError}, which plutil reports as "invalid object in plist for destination
 * format".
 */
import { OSDate, OSNumber, OSReal, OSUID, kindOf, type OSValue } from "../../libkern/index.ts";
import { drainTextWork, type ExitMark } from "./drainTextWork.ts";
import { formatG17 } from "./formatCFReal.ts";
import { keyPathOf, type PathLink } from "./keyPath.ts";
import { PlistTypeError } from "./PlistTypeError.ts";
import { compareKeys } from "./writeXMLPlist.ts";

/** Options for {@link writeJSONPlist}. */
export interface JSONPlistWriteOptions {
  /** Human-readable output, as `plutil -r`. */
  readonly pretty?: boolean;
}

const ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\/\u0000-\u001f]/g;

/** A JSON string literal with Foundation's escapes. */
export function jsonString(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

interface Item {
  readonly value: OSValue;
  readonly depth: number;
  readonly link: PathLink | undefined;
}

/**
 * Writes a value as JSON the way plutil does.
 *
 * @throws {PlistTypeError} for data, dates, UIDs, sets, NaN or infinities, and cycles
 */
export function writeJSONPlist(root: OSValue, options: JSONPlistWriteOptions = {}): string {
  const pretty = options.pretty ?? false;
  const out: string[] = [];
  const open = new Set<object>();
  const work: (Item | string | ExitMark)[] = [{ value: root, depth: 0, link: undefined }];
  const indent = (d: number): string => (pretty ? `\n${"  ".repeat(d)}` : "");
  drainTextWork<Item>(work, out, open, ({ value: v, depth, link }) => {
    if (typeof v === "string") out.push(jsonString(v));
    else if (typeof v === "boolean") out.push(v ? "true" : "false");
    else if (v instanceof OSNumber) out.push(v.raw.toString());
    else if (v instanceof OSReal) {
      if (!Number.isFinite(v.value)) throw new PlistTypeError(`Invalid number value (${v.value}) in JSON`, keyPathOf(link));
      out.push(v.value === 0 ? (Object.is(v.value, -0) ? "-0" : "0") : formatG17(v.value));
    } else if (v instanceof OSDate || v instanceof OSUID || v instanceof Uint8Array || v instanceof Set) {
      throw new PlistTypeError(`Invalid object in plist for JSON: ${kindOf(v)}`, keyPathOf(link));
    } else {
      if (open.has(v)) throw new PlistTypeError("Cannot write a container that contains itself", keyPathOf(link));
      const isArray = Array.isArray(v);
      const size = isArray ? v.length : v.size;
      if (size === 0) {
        out.push(isArray ? "[" : "{", pretty ? `\n${indent(depth)}` : "", isArray ? "]" : "}");
        return;
      }
      open.add(v);
      out.push(isArray ? "[" : "{");
      work.push({ exit: v }, `${indent(depth)}${isArray ? "]" : "}"}`);
      if (isArray) {
        for (let i = size - 1; i >= 0; i--) {
          work.push({ value: v[i] as OSValue, depth: depth + 1, link: { parent: link, key: i } });
          work.push(i > 0 ? `,${indent(depth + 1)}` : indent(depth + 1));
        }
      } else {
        const keys = [...v.keys()].sort(compareKeys);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i] as string;
          work.push({ value: v.get(k) as OSValue, depth: depth + 1, link: { parent: link, key: k } });
          work.push(`${i > 0 ? "," : ""}${indent(depth + 1)}${jsonString(k)}${pretty ? " : " : ":"}`);
        }
      }
    }
  });
  return out.join("");
}
