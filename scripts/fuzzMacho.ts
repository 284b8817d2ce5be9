/**
 * The Mach-O fuzz target: every reader in src/formats/macho run on a mutated file. Seeds are the
 * small Mach-O files of the corpus, the LLVM-built fixtures when clang-16/ld64.lld-16 exist, and a
 * synthetic image, so fuzzing works anywhere. Mutations favour what breaks binary parsers: aligned
 * 32-bit words overwritten with edge values (counts, offsets, sizes), bit flips, truncation.
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { corpusFiles } from "../test/support/corpus.ts";
import { machOFixtures } from "../test/support/machoFixtures.ts";
import {
  MachOFormatError, byteString, demangle, openMachO, parseSlice, primaryCodeDirectory, readChainedFixups, readCodeSignature,
  readDyldInfo, readExports, readSymbols, verifyPageHashes, walkChainedFixups,
} from "../src/formats/index.ts";
import { auditKextSymbols } from "../src/kext/index.ts";
import { nmImage } from "../src/tools/nm/nmSymbols.ts";
import { printLoadCommands, printMachHeader } from "../src/tools/otool/printLoadCommands.ts";
import { printRelocations } from "../src/tools/otool/printRelocations.ts";
import { printMachHeaderVerbose } from "../src/tools/otool/verbose.ts";

export interface FuzzTarget {
  readonly name: string;
  readonly describe: string;
  seeds(): Uint8Array[];
  run(input: Uint8Array): void;
  expected(error: unknown): boolean;
}

/** A tiny valid image: x86_64 MH_EXECUTE with LC_UUID and an empty LC_SYMTAB. */
function syntheticImage(): Uint8Array {
  const b = new Uint8Array(32 + 24 + 24);
  const dv = new DataView(b.buffer);
  [0xfeedfacf, 0x01000007, 3, 2, 2, 48, 0, 0].forEach((v, i) => dv.setUint32(i * 4, v, true));
  dv.setUint32(32, 0x1b, true);
  dv.setUint32(36, 24, true);
  dv.setUint32(56, 0x2, true);
  dv.setUint32(60, 24, true);
  return b;
}

const hasher = (alg: "sha1" | "sha256" | "sha384", data: Uint8Array): Uint8Array => new Uint8Array(createHash(alg).update(data).digest());

/** Runs every Mach-O reader on one input. */
export function runMachOReaders(input: Uint8Array): void {
  const mf = openMachO(input);
  for (let i = 0; i < mf.slices.length; i++) {
    const image = parseSlice(mf, i);
    readSymbols(image);
    // The tools' formatting must cope with whatever the parser accepts.
    const sink = { write: (_: string): void => {} };
    nmImage(image, { format: "darwin", hex: false, debugSyms: true, externOnly: false, undefinedOnly: false, definedOnly: false, noWeak: false, noSort: false, numericSort: true, reverseSort: false, printFileName: false, demangle: (n: string) => demangle(n) }, "", sink);
    // nm's fast path (default order, -P) on the raw symbol table.
    nmImage(image, { format: "posix", hex: false, debugSyms: false, externOnly: false, undefinedOnly: false, definedOnly: false, noWeak: false, noSort: false, numericSort: false, reverseSort: false, printFileName: false, demangle: undefined }, "", sink, byteString);
    printMachHeader(image);
    printMachHeaderVerbose(image);
    printLoadCommands(image, i % 2 === 0);
    printRelocations(image);
    readExports(image);
    readDyldInfo(image);
    const cf = readChainedFixups(image);
    if (cf !== undefined) walkChainedFixups(image, cf);
    const sig = readCodeSignature(image);
    const cd = sig === undefined ? undefined : primaryCodeDirectory(sig);
    if (sig !== undefined && cd !== undefined) verifyPageHashes(image, sig, cd, hasher);
  }
  const audit = auditKextSymbols(mf, { bundleId: "com.example.fuzz", release: true });
  if (audit.diagnostics.some((d) => d.kind === "malformed" && d.message === "")) throw new Error("empty diagnostic");
}

export const machoFuzzTarget: FuzzTarget = {
  name: "macho",
  describe: "openMachO/parseSlice, symbols, dyld info, chained fixups, code signature, kext audit (formats/macho)",
  seeds: () => {
    const small = (p: string): boolean => !p.includes("NEGATIVE");
    const files = [...corpusFiles("D_macho_npm", small), ...corpusFiles("E_fixtures/macho")];
    const fx = machOFixtures();
    if (fx !== undefined) files.push(...Object.values(fx.files));
    const seeds = files.map((f) => new Uint8Array(readFileSync(f))).filter((b) => b.length <= 96 * 1024);
    return [syntheticImage(), ...seeds];
  },
  run: runMachOReaders,
  expected: (e) => e instanceof MachOFormatError,
};

const EDGE32 = [0, 1, 2, 7, 8, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x1000, 0x4000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

/** A Mach-O-aware mutation of one seed (deterministic for a given `rand`). */
export function mutateMachO(seeds: readonly Uint8Array[], rand: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  let b = Uint8Array.from(seeds[pick(seeds.length)]!);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds && b.length > 0; r++) {
    // Most structure lives in the first few KB (headers, load commands); aim there more often.
    const hot = pick(3) !== 0 ? Math.min(b.length, 4096) : b.length;
    const at = pick(hot);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    switch (pick(6)) {
      case 0:
        b[at] = b[at]! ^ (1 << pick(8));
        break;
      case 1:
      case 2: {
        const p = at & ~3;
        if (p + 4 <= b.length) dv.setUint32(p, EDGE32[pick(EDGE32.length)]! + (pick(4) === 0 ? dv.getUint32(p, true) : 0), pick(2) === 0);
        break;
      }
      case 3:
        b = b.slice(0, at);
        break;
      case 4:
        b[at] = pick(256);
        break;
      default: {
        const other = seeds[pick(seeds.length)]!;
        const len = Math.min(1 + pick(256), other.length);
        const from = pick(Math.max(other.length - len, 1));
        b.set(other.subarray(from, from + Math.min(len, b.length - at)), at);
      }
    }
  }
  return b;
}
