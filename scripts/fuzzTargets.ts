/**
 * The parsers `npm run fuzz` exercises, one entry each. A target names its seeds (real inputs to
 * mutate), runs one input, and says which errors are the parser's typed "bad input" errors; any
 * other exception is a finding. Other parsers (Mach-O, OpenStep, ioreg text) register here by
 * adding an entry.
 */
import { readFileSync } from "node:fs";
import { corpusFiles } from "../test/support/corpus.ts";
import {
  isBinaryPlist, parseBinaryPlist, parseXMLPlist, PlistFormatError, PlistSyntaxError, writeBinaryPlist, writeXMLPlist,
} from "../src/formats/index.ts";
import { dict, num, OSDate, OSUID, real } from "../src/libkern/index.ts";

export interface FuzzTarget {
  readonly name: string;
  readonly describe: string;
  /** Seed inputs: corpus files where present, plus built-in samples so fuzzing works anywhere. */
  seeds(): Uint8Array[];
  /** Parses one input; throws only typed errors on bad input. */
  run(input: Uint8Array): void;
  /** Whether an exception is an expected, typed rejection. */
  expected(error: unknown): boolean;
}

const SAMPLE = dict({
  s: "text & <markup> \u{1F600}",
  i: [num(0), num(255), num(65536), num(-1), num(2n ** 64n - 1n)],
  r: [real(1), real(0.1), real(1.5, 32), real(Number.NaN)],
  d: new OSDate(1e9),
  u: new OSUID(70000),
  x: new Uint8Array(100).map((_, k) => k),
  n: dict({ e: [], f: new Map(), t: true, b: false }),
});

function corpusSeeds(select: (bytes: Uint8Array) => boolean): Uint8Array[] {
  const files = [...corpusFiles("E_fixtures/plist"), ...corpusFiles("A_kext_infoplists"), ...corpusFiles("B_ioreg", (p) => p.endsWith(".ioreg"))];
  return files.map((f) => new Uint8Array(readFileSync(f))).filter((b) => b.length <= 1 << 20 && select(b));
}

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
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
