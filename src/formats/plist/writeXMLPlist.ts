/**
 * The XML property-list writer, byte for byte what CFPropertyList writes (and so what
 * `plutil -convert xml1` writes):
 *
 * - the XML declaration, the Apple DOCTYPE and `<plist version="1.0">`, each on its own line;
 * - one tab of indentation per level, every element on its own line, `\n` line ends;
 * - dictionary keys sorted by UTF-16 code unit (CF sorts with a literal `CFStringCompare`);
 * - empty containers as `<dict/>`/`<array/>`, booleans as `<true/>`/`<false/>`;
 * - only `&`, `<` and `>` escaped in strings and keys;
 * - data as base64 between `<data>` and `</data>` lines, in lines of 76 − 8 × indent characters,
 *   each indented, where indent counts at most 8 tabs (so deep data lines are 12 characters);
 * - dates `YYYY-MM-DDTHH:MM:SSZ`, whole seconds, rounded down;
 * - reals as {@link formatCFReal}, integers in decimal;
 * - UIDs as `<dict><key>CF$UID</key><integer>N</integer></dict>`.
 *
 * Sets have no XML form and cycles no finite one: both throw {@link PlistTypeError}. The walk uses
 * an explicit stack, so depth costs heap only.
 */
import { APPLE_EPOCH_OFFSET_SECONDS, OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../../libkern/index.ts";
import { encodeBase64 } from "./base64.ts";
import { drainTextWork, type ExitMark } from "./drainTextWork.ts";
import { formatCFReal } from "./formatCFReal.ts";
import { keyPathOf, type PathLink } from "./keyPath.ts";
import { PlistTypeError } from "./PlistTypeError.ts";

/** Options for {@link writeXMLPlist}. */
export interface XMLPlistWriteOptions {
  /** Sort dictionary keys as CF does (default true); false keeps insertion order. */
  readonly sortKeys?: boolean;
}

const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
  '<plist version="1.0">\n';

const TABS: string[] = [""];
function tabs(n: number): string {
  while (TABS.length <= n) TABS.push(`${TABS[TABS.length - 1]}\t`);
  return TABS[n] as string;
}

const SPECIAL = /[&<>]/;
/** Escapes `&`, `<` and `>`, the only characters CF escapes. */
export function escapeXML(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Compares strings by UTF-16 code unit, as a literal `CFStringCompare` does. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${s}` : s;
}

/** A date as CF writes it: the Gregorian UTC date of the whole second at or before it. */
export function formatCFDate(date: OSDate): string {
  const d = new Date((Math.floor(date.absoluteTime) + APPLE_EPOCH_OFFSET_SECONDS) * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}Z`;
}

function appendData(out: string[], bytes: Uint8Array, indent: number): void {
  const capped = Math.min(indent, 8);
  const width = 76 - 8 * capped;
  const lead = tabs(capped);
  const b64 = encodeBase64(bytes);
  for (let i = 0; i < b64.length; i += width) out.push(`${lead}${b64.slice(i, i + width)}\n`);
}

interface Item {
  readonly value: OSValue;
  readonly indent: number;
  readonly link: PathLink | undefined;
}
type Work = Item | string | ExitMark;

/**
 * Writes a value as an XML property list, exactly as CFPropertyList would.
 *
 * @throws {PlistTypeError} for a set, or a container that contains itself
 */
export function writeXMLPlist(root: OSValue, options: XMLPlistWriteOptions = {}): string {
  const sortKeys = options.sortKeys ?? true;
  const out: string[] = [HEADER];
  const open = new Set<object>();
  const work: Work[] = [{ value: root, indent: 0, link: undefined }];
  drainTextWork<Item>(work, out, open, ({ value: v, indent, link }) => {
    const t = tabs(indent);
    if (typeof v === "string") out.push(`${t}<string>${escapeXML(v)}</string>\n`);
    else if (typeof v === "boolean") out.push(`${t}${v ? "<true/>\n" : "<false/>\n"}`);
    else if (v instanceof OSNumber) out.push(`${t}<integer>${v.raw}</integer>\n`);
    else if (v instanceof OSReal) out.push(`${t}<real>${formatCFReal(v.value)}</real>\n`);
    else if (v instanceof OSDate) out.push(`${t}<date>${formatCFDate(v)}</date>\n`);
    else if (v instanceof OSUID) out.push(t, "<dict>\n", t, "\t<key>CF$UID</key>\n", t, "\t<integer>", String(v.value), "</integer>\n", t, "</dict>\n");
    else if (v instanceof Uint8Array) {
      out.push(t, "<data>\n");
      appendData(out, v, indent);
      out.push(t, "</data>\n");
    } else if (v instanceof Set) {
      throw new PlistTypeError("Cannot write a set in an XML property list", keyPathOf(link));
    } else {
      if (open.has(v)) throw new PlistTypeError("Cannot write a container that contains itself", keyPathOf(link));
      if (Array.isArray(v)) {
        if (v.length === 0) {
          out.push(t, "<array/>\n");
          return;
        }
        out.push(t, "<array>\n");
        open.add(v);
        work.push({ exit: v }, `${t}</array>\n`);
        for (let i = v.length - 1; i >= 0; i--) work.push({ value: v[i] as OSValue, indent: indent + 1, link: { parent: link, key: i } });
      } else {
        if (v.size === 0) {
          out.push(t, "<dict/>\n");
          return;
        }
        out.push(t, "<dict>\n");
        open.add(v);
        work.push({ exit: v }, `${t}</dict>\n`);
        const keys = [...v.keys()];
        if (sortKeys) keys.sort(compareKeys);
        const kt = tabs(indent + 1);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i] as string;
          work.push({ value: v.get(k) as OSValue, indent: indent + 1, link: { parent: link, key: k } }, `${kt}<key>${escapeXML(k)}</key>\n`);
        }
      }
    }
  });
  out.push("</plist>\n");
  return out.join("");
}
