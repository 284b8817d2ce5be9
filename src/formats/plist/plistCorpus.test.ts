/**
 * Fidelity against reality: every plist in the corpus (fixtures from other projects and real kext
 * Info.plists) reads to the same typed value as Python's plistlib, or, where plistlib cannot read
 * it, is either read by us or refused with a positioned, typed error.
 */
import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusFiles } from "../../../test/support/corpus.ts";
import type { OSValue } from "../../libkern/index.ts";
import { plistlibRead, typedText } from "../../../test/support/typedPlist.ts";
import { readPlist } from "../anyplist/index.ts";
import { OpenStepSyntaxError } from "../openstep/index.ts";
import { PlistFormatError, PlistSyntaxError, parseBinaryPlist, parseXMLPlist, writeBinaryPlist, writeXMLPlist } from "./index.ts";

const files = [...corpusFiles("E_fixtures/plist"), ...corpusFiles("A_kext_infoplists"), ...corpusFiles("B_ioreg", (p) => p.endsWith(".ioreg"))];
const isBinary = (bytes: Uint8Array): boolean => new TextDecoder().decode(bytes.subarray(0, 6)) === "bplist";
const xmlFiles = files.filter((f) => !isBinary(readFileSync(f)) && /^\s*</.test(readFileSync(f, "utf8").replace(/^\uFEFF/, "")));
const binaryFiles = files.filter((f) => isBinary(readFileSync(f)));
const otherFiles = files.filter((f) => !xmlFiles.includes(f) && !binaryFiles.includes(f));
const oracle = plistlibRead([...xmlFiles, ...binaryFiles]);
const name = (f: string): [string, string] => [f.slice(f.indexOf("corpus/") + 7), f];

describe.skipIf(files.length === 0 || oracle === undefined)("plist corpus against plistlib", () => {
  /** Equal to plistlib where it reads the file; else read by us or refused with a position. */
  function againstPlistlib(path: string, parse: (b: Uint8Array) => OSValue, errorClass: abstract new (...args: never[]) => SyntaxError, position: RegExp): void {
    const py = oracle?.get(path);
    expect(py).toBeDefined();
    const bytes = readFileSync(path);
    // plistlib returns None for a <plist> without a value; no OSValue is null, so that is an error.
    if (py?.ok && py.typed !== "null") {
      expect(typedText(parse(bytes))).toBe(py.typed);
      return;
    }
    try {
      parse(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(errorClass);
      expect((e as Error).message).toMatch(position);
    }
  }

  it.each(xmlFiles.map(name))("XML %s", (_name, path) => againstPlistlib(path, parseXMLPlist, PlistSyntaxError, /at line \d+, column \d+$/));
  it.each(binaryFiles.map(name))("binary %s", (_name, path) => againstPlistlib(path, parseBinaryPlist, PlistFormatError, /at byte offset \d+$/));

  // Round trips skip the few multi-megabyte saves: they cost seconds each and add no new shapes.
  const roundTripFiles = [...xmlFiles, ...binaryFiles].filter((f) => statSync(f).size <= 4 << 20);
  it.each(roundTripFiles.map(name))("xml1 and binary1 round trip %s", (_name, path) => {
    const bytes = readFileSync(path);
    let value;
    try {
      value = isBinary(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(bytes);
    } catch {
      return; // unreadable inputs are covered above
    }
    const typed = typedText(value);
    expect(typedText(parseXMLPlist(writeXMLPlist(value, { sortKeys: false })))).toBe(typed);
    expect(typedText(parseBinaryPlist(writeBinaryPlist(value)))).toBe(typed);
  });

  // Neither XML nor binary (OpenStep text, .strings): read by the sniffer or refused with a position.
  it.each(otherFiles.map(name))("other format %s", (_name, path) => {
    try {
      readPlist(readFileSync(path));
    } catch (e) {
      expect(e instanceof PlistSyntaxError || e instanceof PlistFormatError || e instanceof OpenStepSyntaxError).toBe(true);
      expect((e as Error).message).toMatch(/at (line \d+, column \d+|line \d+:\d+|byte offset \d+)$/);
    }
  });
});
