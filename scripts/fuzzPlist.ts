/**
 * The plist fuzz targets (`plist-xml`, `plist-binary`) and their mutator: besides bit flips and
 * truncation it writes edge integers over counts and offsets, hits the bplist trailer, inserts XML
 * tokens (entities, CDATA, DTD declarations, tags) and splices seeds together, so mutated inputs
 * get past the first check of each parser.
 */
import { readFileSync } from "node:fs";
import {
  isBinaryPlist, parseBinaryPlist, parseXMLPlist, PlistFormatError, PlistSyntaxError, writeBinaryPlist, writeXMLPlist,
} from "../src/formats/index.ts";
import { dict, num, OSDate, OSUID, real } from "../src/libkern/index.ts";
import { corpusFiles } from "../test/support/corpus.ts";
import type { FuzzTarget } from "./fuzzMacho.ts";

export const SAMPLE = dict({
  s: "text & <markup> \u{1F600}",
  i: [num(0), num(255), num(65536), num(-1), num(2n ** 64n - 1n)],
  r: [real(1), real(0.1), real(1.5, 32), real(Number.NaN)],
  d: new OSDate(1e9),
  u: new OSUID(70000),
  x: new Uint8Array(100).map((_, k) => k),
  n: dict({ e: [], f: new Map(), t: true, b: false }),
});

export function corpusSeeds(select: (bytes: Uint8Array) => boolean): Uint8Array[] {
  const files = [...corpusFiles("E_fixtures/plist"), ...corpusFiles("A_kext_infoplists"), ...corpusFiles("B_ioreg", (p) => p.endsWith(".ioreg"))];
  return files.map((f) => new Uint8Array(readFileSync(f))).filter((b) => b.length <= 1 << 20 && select(b));
}

export function plistTargets(): FuzzTarget[] {
  return [
  {
    name: "plist-xml",
    describe: "parseXMLPlist (formats/plist)",
    seeds: () => [new TextEncoder().encode(writeXMLPlist(SAMPLE)), ...corpusSeeds((b) => !isBinaryPlist(b) && b[0] === 0x3c)],
    run: (input) => void parseXMLPlist(input),
    expected: (e) => e instanceof PlistSyntaxError,
  },
  {
    name: "plist-binary",
    describe: "parseBinaryPlist (formats/plist)",
    seeds: () => [writeBinaryPlist(SAMPLE), ...corpusSeeds(isBinaryPlist)],
    run: (input) => void parseBinaryPlist(input),
    expected: (e) => e instanceof PlistFormatError,
  },
  ];
}


const INTERESTING = [0x00, 0x01, 0x0f, 0x10, 0x13, 0x14, 0x1f, 0x20, 0x3c, 0x3e, 0x26, 0x5f, 0x6f, 0x7f, 0x80, 0xa0, 0xaf, 0xd0, 0xdf, 0xfe, 0xff];
const TOKENS = ["<dict>", "</dict>", "<array>", "</array>", "<key>", "</key>", "<string>", "&amp;", "&#x0;", "&#1114112;", "<![CDATA[", "]]>", "<!--", "-->", "<!DOCTYPE x [<!ENTITY a \"b\">]>", "<integer>", "0x", "<real>", "nan", "<data>", "====", "<date>", "\u{1F600}"];

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** One mutated input, with edits that reach deep into plist structure (markers, counts, trailer, tags). */
export function mutatePlist(seeds: readonly Uint8Array[], rand: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  let b: Uint8Array = Uint8Array.from(seeds[pick(seeds.length)] as Uint8Array);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(Math.max(b.length, 1));
    switch (pick(9)) {
      case 0:
        if (b.length > 0) b[at] = (b[at] as number) ^ (1 << pick(8));
        break;
      case 1:
        if (b.length > 0) b[at] = INTERESTING[pick(INTERESTING.length)] as number;
        break;
      case 2: // a big-endian integer of 1, 2, 4 or 8 bytes with an edge value (counts, offsets)
      {
        const size = [1, 2, 4, 8][pick(4)] as number;
        const fill = [0x00, 0xff, 0x7f, 0x80][pick(4)] as number;
        for (let i = 0; i < size && at + i < b.length; i++) b[at + i] = i === 0 ? fill : pick(2) === 0 ? 0 : 0xff;
        break;
      }
      case 3: // in the trailer of a binary plist
        if (b.length > 32) b[b.length - 1 - pick(32)] = INTERESTING[pick(INTERESTING.length)] as number;
        break;
      case 4:
        b = b.slice(0, at);
        break;
      case 5: {
        const n = Math.min(1 + pick(16), b.length - at);
        b = concat(b.subarray(0, at), b.subarray(at + n));
        break;
      }
      case 6: {
        const tok = new TextEncoder().encode(TOKENS[pick(TOKENS.length)] as string);
        const next = new Uint8Array(b.length + tok.length);
        next.set(b.subarray(0, at));
        next.set(tok, at);
        next.set(b.subarray(at), at + tok.length);
        b = next;
        break;
      }
      case 7: { // duplicate a chunk
        const len = Math.min(1 + pick(64), b.length - at);
        const next = new Uint8Array(b.length + len);
        next.set(b.subarray(0, at + len));
        next.set(b.subarray(at, at + len), at + len);
        next.set(b.subarray(at + len), at + 2 * len);
        b = next;
        break;
      }
      default: { // splice with another seed
        const other = seeds[pick(seeds.length)] as Uint8Array;
        const from = pick(Math.max(other.length, 1));
        b = concat(b.subarray(0, at), other.subarray(from));
      }
    }
  }
  return b;
}
