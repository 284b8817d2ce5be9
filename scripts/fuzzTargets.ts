/**
 * The parsers `npm run fuzz` exercises, one entry each. Each target lives in its own file
 * (scripts/fuzzMacho.ts…) or below, and is listed here; add yours with one line.
 */
import { readFileSync } from "node:fs";
import { corpusFiles } from "../test/support/corpus.ts";
import { isBinaryPlist, PlistFormatError, PlistSyntaxError, writeBinaryPlist } from "../src/formats/index.ts";
import {
  archive, IOKitXMLSyntaxError, KeyedArchiveError, OpenStepSyntaxError, OSBinarySyntaxError, parseOpenStep,
  readIORegistryExplorerSave, serializeBinary, serializeKernelXML, serializeLegacy, unserializeBinary,
  unserializeLegacy, unserializeXML, writeOpenStep, writeStrings,
} from "../src/formats/index.ts";
import { dict, num, OSDate, type OSValue } from "../src/libkern/index.ts";
import { machoFuzzTarget, mutateMachO, type FuzzTarget } from "./fuzzMacho.ts";
import { corpusSeeds, mutatePlist, plistTargets } from "./fuzzPlist.ts";

export type { FuzzTarget };

export interface FuzzTargetEntry {
  readonly target: FuzzTarget;
  /** The target's own mutator, when it has one. */
  readonly mutate?: (seeds: readonly Uint8Array[], rand: () => number) => Uint8Array;
}

export const FUZZ_TARGETS: readonly FuzzTargetEntry[] = [
  { target: machoFuzzTarget, mutate: mutateMachO },
  ...plistTargets().map((target) => ({ target, mutate: mutatePlist })),
  ...dialectTargets().map((target) => ({ target })),
];

/** The value the kernel dialects' targets start from: SAMPLE without what they cannot carry. */
function dialectSample(): ReturnType<typeof dict> {
  return dict({ s: "text & <markup>", i: [num(0, 8), num(255, 16), num(65536, 32), num(2n ** 64n - 1n)], x: new Uint8Array(40).map((_, k) => k), n: dict({ e: [], f: new Map(), t: true, b: false, z: new Set(["a"]) }) });
}

/** A two-entry IORegistryExplorer document (RexDataStore / RexRegistryEntry), as a plain value. */
function explorerSample(): ReturnType<typeof dict> {
  const props = new TextEncoder().encode('<plist version="1.0"><dict><key>IOClass</key><string>X</string></dict></plist>');
  const entry = (name: string, extra: Record<string, OSValue>) => dict({
    $classname: "RexRegistryEntry", name, inheritance: ["IOService", "IORegistryEntry", "OSObject"], properties: props,
    entryTag: num(1), isRegistryRoot: false, namesInPlanes: dict({}), locationsInPlanes: dict({ IOService: "0" }), childrenInPlanes: dict({}), ...extra,
  });
  const child = entry("Child", {});
  const root = entry("Root", { isRegistryRoot: true, childrenInPlanes: dict({ IOService: [child] }) });
  return dict({ $classname: "RexDataStore", hostName: "h", registryPlanes: ["IOService"], registryEntries: [root, child], lastUpdateDate: new OSDate(0) });
}

function dialectTargets(): FuzzTarget[] {
  const text = (s: string) => new TextEncoder().encode(s);
  return [
    {
      name: "openstep",
      describe: "parseOpenStep (formats/openstep): OpenStep plists and .strings",
      seeds: () => [text(writeOpenStep(dict({ a: ["b", "c d", new Uint8Array([1, 2])], e: dict({ f: "g" }) }))), writeStrings(new Map([["k", "v\u00e9"]])),
        ...corpusFiles("E_fixtures/plist", (p) => /ascii-|\.ostep$|\.strings$/.test(p)).map((f) => new Uint8Array(readFileSync(f)))],
      run: (input) => void parseOpenStep(input),
      expected: (e) => e instanceof OpenStepSyntaxError,
    },
    {
      name: "iokit-xml",
      describe: "unserializeXML (formats/iokitxml): OSUnserializeXML",
      seeds: () => [text(serializeKernelXML(dialectSample()))],
      run: (input) => void unserializeXML(input),
      expected: (e) => e instanceof IOKitXMLSyntaxError,
    },
    {
      name: "iokit-legacy",
      describe: "unserializeLegacy (formats/iokitxml): OSUnserialize text",
      seeds: () => [text(serializeLegacy(dialectSample()))],
      run: (input) => void unserializeLegacy(input),
      expected: (e) => e instanceof IOKitXMLSyntaxError,
    },
    {
      name: "osbinary",
      describe: "unserializeBinary (formats/osbinary): OSUnserializeBinary",
      seeds: () => [serializeBinary(dialectSample())],
      run: (input) => void unserializeBinary(input),
      expected: (e) => e instanceof OSBinarySyntaxError,
    },
    {
      name: "ioreg-explorer",
      describe: "readIORegistryExplorerSave (formats/archiver): .ioreg keyed archives",
      seeds: () => [writeBinaryPlist(archive(explorerSample())), ...corpusSeeds(isBinaryPlist)],
      run: (input) => void readIORegistryExplorerSave(input),
      expected: (e) => e instanceof KeyedArchiveError || e instanceof PlistFormatError || e instanceof PlistSyntaxError,
    },
  ];
}
