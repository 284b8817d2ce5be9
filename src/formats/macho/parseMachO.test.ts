import { readFileSync } from "node:fs";
import { basename } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corpusFiles } from "../../../test/support/corpus.ts";
import { ByteReader } from "./ByteReader.ts";
import { LC, MH_FILETYPE } from "./constants.ts";
import { MachOFormatError } from "./MachOFormatError.ts";
import { machOKind, openMachO, parseFatHeader, parseMachOImage, parseSlice } from "./parseMachO.ts";
import { readSymbols } from "./symbols.ts";
import { archFlagName, lipoArchName } from "./archNames.ts";
import { buildFatFile } from "./buildFatFile.ts";

/** A minimal thin image: header + the given load commands (each [cmd, body bytes]). */
function image(opts: { cpusubtype?: number; big?: boolean; is64?: boolean; cputype?: number; filetype?: number; cmds?: [number, number[]][]; ncmds?: number; sizeofcmds?: number; tail?: number } = {}): Uint8Array {
  const is64 = opts.is64 ?? true;
  const little = !(opts.big ?? false);
  const hdr = is64 ? 32 : 28;
  const cmds = opts.cmds ?? [];
  const body: number[] = [];
  for (const [cmd, raw] of cmds) {
    const data = [...raw];
    while ((8 + data.length) % (is64 ? 8 : 4) !== 0) data.push(0);
    const size = 8 + data.length;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, cmd >>> 0, little);
    new DataView(b.buffer).setUint32(4, size, little);
    body.push(...b, ...data);
  }
  const out = new Uint8Array(hdr + body.length + (opts.tail ?? 0));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, is64 ? 0xfeedfacf : 0xfeedface, little);
  dv.setUint32(4, opts.cputype ?? (is64 ? 0x01000007 : 7), little);
  dv.setUint32(8, opts.cpusubtype ?? 3, little);
  dv.setUint32(12, opts.filetype ?? MH_FILETYPE.MH_EXECUTE, little);
  dv.setUint32(16, opts.ncmds ?? cmds.length, little);
  dv.setUint32(20, opts.sizeofcmds ?? body.length, little);
  out.set(body, hdr);
  return out;
}

const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function expectFormatError(fn: () => unknown, message: RegExp, offset?: number): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MachOFormatError);
  expect(err).toBeInstanceOf(SyntaxError);
  expect((err as MachOFormatError).message).toMatch(message);
  if (offset !== undefined) expect((err as MachOFormatError).offset).toBe(offset);
}

describe("parseMachOImage", () => {
  it("reads little- and big-endian, 32- and 64-bit headers", () => {
    const le = parseMachOImage(image({ cmds: [[LC.LC_UUID, new Array(16).fill(0xab)]] }));
    expect(le.header.is64).toBe(true);
    expect(le.header.littleEndian).toBe(true);
    expect(le.loadCommands[0]?.kind).toBe("uuid");
    const be = parseMachOImage(image({ big: true, is64: false, cputype: 18 }));
    expect(be.header.littleEndian).toBe(false);
    expect(be.header.cputype).toBe(18);
    expect(be.header.size).toBe(28);
  });

  it("keeps unknown load commands raw", () => {
    const img = parseMachOImage(image({ cmds: [[0x7777, [1, 2, 3, 4, 5, 6, 7, 8]]] }));
    const lc = img.loadCommands[0]!;
    expect(lc.kind).toBe("raw");
    if (lc.kind === "raw") expect([...lc.data.slice(8)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("decodes dylib, rpath and build-version commands", () => {
    const name = [...new TextEncoder().encode("/usr/lib/libSystem.B.dylib"), 0, 0, 0, 0, 0, 0];
    const dylib = [...u32le(24), ...u32le(2), ...u32le(0x05470100), ...u32le(0x10000), ...name];
    const rpath = [...u32le(12), ...new TextEncoder().encode("@loader_path"), 0, 0, 0, 0];
    const build = [...u32le(1), ...u32le(0x0b0000), ...u32le(0x0c0300), ...u32le(1), ...u32le(3), ...u32le(0x03e80000)];
    const img = parseMachOImage(image({ cmds: [[LC.LC_LOAD_DYLIB, dylib], [LC.LC_RPATH, rpath], [LC.LC_BUILD_VERSION, build]] }));
    const [d, r, b] = img.loadCommands;
    expect(d?.kind === "dylib" && d.name).toBe("/usr/lib/libSystem.B.dylib");
    expect(img.dylibs.length).toBe(1);
    expect(r?.kind === "string" && r.value).toBe("@loader_path");
    expect(b?.kind === "buildVersion" && b.tools).toEqual([{ tool: 3, version: 0x03e80000 }]);
  });

  it("rejects truncated and inconsistent load commands with LLVM's wording and an offset", () => {
    expectFormatError(() => parseMachOImage(image({ ncmds: 1, sizeofcmds: 64 })), /load commands extend past the end of the file/, 20);
    expectFormatError(() => parseMachOImage(image({ ncmds: 4, sizeofcmds: 8, tail: 8 })), /load command 1 extends past the end all load commands/);
    expectFormatError(() => parseMachOImage(image({ cmds: [[LC.LC_UUID, [1, 2, 3, 4, 5, 6, 7, 8]]] })), /LC_UUID command 0 has incorrect cmdsize/, 32);
    expectFormatError(() => parseMachOImage(image({ cmds: [[LC.LC_SEGMENT_64, [0, 0, 0, 0, 0, 0, 0, 0]]] })), /LC_SEGMENT_64 cmdsize too small/, 32);
    expectFormatError(() => parseMachOImage(image({ cmds: [[LC.LC_RPATH, [...u32le(4), 0, 0, 0, 0]]] })), /path\.offset field too small/);
    expectFormatError(() => parseMachOImage(image({ cmds: [[LC.LC_SYMTAB, [...u32le(0), ...u32le(1000), ...u32le(0), ...u32le(0)]]] })), /nsyms field times sizeof/);
  });

  it("rejects an absurd ncmds before walking it", () => {
    const bytes = image({ ncmds: 0x7fffffff, sizeofcmds: 16, tail: 16 });
    expectFormatError(() => parseMachOImage(bytes), /load command 2 extends past the end all load commands/);
  });

  it("accepts a command whose body passes sizeofcmds but stays in the file, as LLVM does", () => {
    const bytes = image({ cmds: [[0xdeadbeef, [0, 0, 0, 0, 0, 0, 0, 0]]], sizeofcmds: 8 });
    expect(parseMachOImage(bytes).loadCommands[0]?.cmdsize).toBe(16);
  });
});

describe("fat files", () => {
  it("round-trips slices through buildFatFile and orders arm64 last", () => {
    const a = image({ cputype: 0x0100000c, cpusubtype: 0 });
    const b = image({ cputype: 0x01000007 });
    const fat = buildFatFile([{ cputype: 0x0100000c, cpusubtype: 0, align: 14, bytes: a }, { cputype: 0x01000007, cpusubtype: 3, align: 12, bytes: b }]);
    expect(machOKind(fat)).toBe("fat");
    const mf = openMachO(fat);
    expect(mf.slices.map((s) => s.archName)).toEqual(["x86_64", "arm64"]);
    expect(mf.slices[0]!.offset % 4096).toBe(0);
    expect(parseSlice(mf, 1).header.cputype).toBe(0x0100000c);
  });

  it("rejects zero architectures, overlapping headers and mismatched slices", () => {
    expectFormatError(() => parseFatHeader(new Uint8Array([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0])), /contains zero architecture types/, 4);
    const b = image();
    const fat = buildFatFile([{ cputype: 0x01000007, cpusubtype: 3, align: 12, bytes: b }]);
    new DataView(fat.buffer).setUint32(8, 7);
    expectFormatError(() => parseSlice(openMachO(fat), 0), /cputype does not match object file's mach header/);
    const past = buildFatFile([{ cputype: 0x01000007, cpusubtype: 3, align: 12, bytes: b }]);
    new DataView(past.buffer).setUint32(20, 0x100000);
    expectFormatError(() => openMachO(past), /extends past the end of the file/, 8);
  });

  it("names architectures as LLVM does", () => {
    expect(archFlagName(0x0100000c, 0x80000002)).toBe("arm64e");
    expect(archFlagName(18, 0)).toBe("ppc");
    expect(lipoArchName(18, 10)).toBe("unknown(18,10)");
    expect(archFlagName(12, 9)).toBe("armv7");
  });
});

describe("ByteReader", () => {
  it("decodes LEB128 and rejects overlong or truncated varints", () => {
    const r = new ByteReader(new Uint8Array([0xe5, 0x8e, 0x26, 0x7f, 0x80, 0x7f, 0xff]), true);
    expect(r.uleb(0)).toEqual({ value: 624485n, next: 3 });
    expect(r.sleb(3)).toEqual({ value: -1n, next: 4 });
    expect(r.sleb(4)).toEqual({ value: -128n, next: 6 });
    expectFormatError(() => r.uleb(6), /extends past end/, 7);
    const big = new ByteReader(new Uint8Array([...new Array(10).fill(0xff), 0x7f]), true);
    expectFormatError(() => big.uleb(0), /too big/);
  });
});

describe("corpus", () => {
  const files = [...corpusFiles("D_macho_npm"), ...corpusFiles("E_fixtures/macho")];
  it.each(files.map((f) => [basename(f), f]))("%s parses or fails with MachOFormatError", (_n, path) => {
    const bytes = new Uint8Array(readFileSync(path));
    const name = basename(path);
    const broken = /invalid|truncated|too-small|unaligned|NEGATIVE/.test(name);
    try {
      const mf = openMachO(bytes);
      for (let i = 0; i < mf.slices.length; i++) readSymbols(parseSlice(mf, i));
      expect(broken).toBe(false);
    } catch (e) {
      expect(e).toBeInstanceOf(MachOFormatError);
      expect(typeof (e as MachOFormatError).offset).toBe("number");
      expect(broken).toBe(true);
    }
  });
});

describe("robustness", () => {
  it("never throws anything but MachOFormatError on arbitrary or mutated input", () => {
    const seeds = [image({ cmds: [[LC.LC_UUID, new Array(16).fill(1)], [LC.LC_SYMTAB, [...u32le(0), ...u32le(0), ...u32le(0), ...u32le(0)]]] })];
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (junk, pick, edits) => {
      const base = pick % 2 === 0 ? junk : seeds[0]!.slice();
      for (const [at, v] of edits) if (base.length > 0) base[at % base.length] = v;
      try {
        const mf = openMachO(base);
        for (let i = 0; i < mf.slices.length; i++) readSymbols(parseSlice(mf, i));
      } catch (e) {
        if (!(e instanceof MachOFormatError)) throw e;
      }
    }), { numRuns: 2000 });
  });
});
