import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { haveTool, machOFixtures, oracle } from "../../../test/support/machoFixtures.ts";
import { readChainedFixups, walkChainedFixups } from "./chainedFixups.ts";
import { primaryCodeDirectory, readCodeSignature, verifyPageHashes, type CodeHasher } from "./codeSignature.ts";
import { readDyldInfo, readExports } from "./dyldInfo.ts";
import { MachOFormatError } from "./MachOFormatError.ts";
import { openMachO, parseMachOImage, parseSlice } from "./parseMachO.ts";

const fx = machOFixtures();
const HAVE = fx !== undefined && haveTool("llvm-objdump-16");
const hasher: CodeHasher = (alg, data) => new Uint8Array(createHash(alg).update(data).digest());
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fx!.dir, name)));
const objdump = (args: string[], name: string): string[] => oracle("llvm-objdump-16", ["--macho", ...args, name], fx!.dir).stdout.split("\n");

describe.skipIf(!HAVE)("linkedit tables agree with llvm-objdump-16", () => {
  it.each(["libdemo_arm64.dylib", "libdemo_x86_64.dylib", "demo_arm64.bundle"])("exports trie of %s", (name) => {
    const image = parseMachOImage(load(name));
    const ours = readExports(image).map((e) => `0x${e.address.toString(16).toUpperCase().padStart(8, "0")}  ${e.name}${e.flags & 4 ? " [weak_def]" : ""}`);
    const theirs = objdump(["--exports-trie"], name).filter((l) => l.startsWith("0x"));
    expect(ours).toEqual(theirs);
    expect(ours.length).toBeGreaterThan(3);
  });

  it("rebase, bind and lazy-bind opcodes of an x86_64 dylib", () => {
    const image = parseMachOImage(load("libdemo_x86_64.dylib"));
    const info = readDyldInfo(image);
    const lines = objdump(["--rebase", "--bind", "--lazy-bind"], "libdemo_x86_64.dylib");
    const addrs = (l: string[]): string[] => l.map((x) => x.match(/0x[0-9A-F]{8}/)?.[0]).filter((x): x is string => x !== undefined);
    const i = lines.indexOf("Bind table:");
    const j = lines.indexOf("Lazy bind table:");
    const hex = (v: bigint): string => `0x${v.toString(16).toUpperCase().padStart(8, "0")}`;
    expect(info.rebases.map((r) => hex(r.address))).toEqual(addrs(lines.slice(0, i)));
    expect(info.binds.map((b) => `${hex(b.address)} ${b.symbolName}`)).toEqual(lines.slice(i + 2, j).filter((l) => l !== "").map((l) => `${l.match(/0x[0-9A-F]{8}/)![0]} ${l.split(/\s+/).pop()}`));
    expect(info.lazyBinds.map((b) => b.symbolName)).toEqual(lines.slice(j + 2).filter((l) => l !== "").map((l) => l.split(/\s+/).pop()));
  });

  it("chained fixups: imports and every fixup in the chains", () => {
    const image = parseMachOImage(load("libdemo_arm64.dylib"));
    const cf = readChainedFixups(image)!;
    const imports = objdump(["--chained-fixups"], "libdemo_arm64.dylib").filter((l) => l.includes("name_offset")).map((l) => l.match(/\((.*)\)/)![1]);
    expect(cf.imports.map((i) => i.name)).toEqual(imports);
    expect(cf.segments.filter((s) => s !== undefined).map((s) => s!.pointerFormat)).toEqual([2]);
    const fixups = walkChainedFixups(image, cf);
    const dyld = objdump(["--dyld-info"], "libdemo_arm64.dylib").filter((l) => / (bind|rebase) /.test(l));
    expect(fixups.length).toBe(dyld.length);
    for (const [k, f] of fixups.entries()) {
      const seg = image.segments[f.segmentIndex]!;
      const addr = `0x${(seg.vmaddr + f.offset).toString(16).toUpperCase()}`;
      expect(dyld[k]).toContain(` ${addr} `);
      if (f.kind === "bind") expect(dyld[k]).toContain(cf.imports[f.ordinal]!.name);
      else expect(dyld[k]!.trim().endsWith(`0x${f.target.toString(16).toUpperCase()}`)).toBe(true);
    }
  });
});

describe.skipIf(fx === undefined)("code signature", () => {
  it("verifies every page of a linker-signed image", () => {
    const image = parseMachOImage(load("libdemo_arm64.dylib"));
    const sig = readCodeSignature(image)!;
    const cd = primaryCodeDirectory(sig)!;
    expect(cd.identifier).toBe("libdemo_arm64.dylib");
    expect(cd.flags & 0x20002).toBe(0x20002);
    expect(cd.hashType).toBe(2);
    const report = verifyPageHashes(image, sig, cd, hasher);
    expect(report.mismatched).toEqual([]);
    expect(report.pages).toBe(cd.nCodeSlots);
    expect(report.cdhash).toMatch(/^[0-9a-f]{40}$/);
  });

  it("names exactly the pages that were modified", () => {
    const bytes = load("libdemo_arm64.dylib");
    bytes[3 * 4096 + 17] ^= 0xff;
    const image = parseMachOImage(bytes);
    const sig = readCodeSignature(image)!;
    expect(verifyPageHashes(image, sig, primaryCodeDirectory(sig)!, hasher).mismatched).toEqual([3]);
    const kext = parseMachOImage(load("demo_arm64.kext"));
    const ksig = readCodeSignature(kext)!;
    expect(verifyPageHashes(kext, ksig, primaryCodeDirectory(ksig)!, hasher).mismatched).toEqual([0]);
  });

  it("rejects a SuperBlob whose blob index points outside it", () => {
    const bytes = load("libdemo_arm64.dylib");
    const image = parseMachOImage(bytes);
    const sigOff = readCodeSignature(image)!.offset;
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(sigOff + 16, 0x7fffffff);
    expect(() => readCodeSignature(parseMachOImage(bytes))).toThrow(MachOFormatError);
  });
});

describe.skipIf(!HAVE)("relocations agree with llvm-otool-16 -r", () => {
  it.each(["a_x86_64.o", "a_arm64.o", "a_i386.o", "b_x86_64.o"])("%s", async (name) => {
    const { readSectionRelocations } = await import("./relocations.ts");
    const image = parseMachOImage(load(name));
    const ours: string[] = [];
    for (const s of image.sections) {
      for (const r of readSectionRelocations(image, s)) {
        const addr = (r.scattered ? r.address : r.address >>> 0).toString(16).padStart(8, "0");
        ours.push(r.scattered
          ? `${addr} ${Number(r.pcrel)} ${r.length} n/a ${r.type} 1 0x${r.value.toString(16).padStart(8, "0")}`
          : `${addr} ${Number(r.pcrel)} ${r.length} ${Number(r.extern)} ${r.type} 0 ${r.symbolnum}`);
      }
    }
    const theirs = oracle("llvm-otool-16", ["-r", name], fx!.dir).stdout.split("\n").filter((l) => /^[0-9a-f]{8} /.test(l)).map((l) => l.trim().split(/\s+/).join(" "));
    expect(ours).toEqual(theirs);
    expect(ours.length).toBeGreaterThan(3);
  });
});

describe("MH_FILESET", () => {
  it("decodes LC_FILESET_ENTRY of a kernel collection header", () => {
    const id = new TextEncoder().encode("com.apple.kernel\0\0\0\0\0\0\0\0");
    const cmdsize = 32 + id.length;
    const b = new Uint8Array(32 + cmdsize);
    const dv = new DataView(b.buffer);
    [0xfeedfacf, 0x0100000c, 0x80000002, 0xc, 1, cmdsize, 0, 0].forEach((v, i) => dv.setUint32(i * 4, v, true));
    dv.setUint32(32, 0x80000035, true);
    dv.setUint32(36, cmdsize, true);
    dv.setBigUint64(40, 0xfffffe0007004000n, true);
    dv.setBigUint64(48, 0x4000n, true);
    dv.setUint32(56, 32, true);
    b.set(id, 64);
    const image = parseMachOImage(b);
    expect(image.header.filetype).toBe(0xc);
    const e = image.loadCommands[0]!;
    expect(e.kind).toBe("filesetEntry");
    if (e.kind === "filesetEntry") {
      expect(e.entryId).toBe("com.apple.kernel");
      expect(e.vmaddr).toBe(0xfffffe0007004000n);
      expect(e.fileoff).toBe(0x4000n);
    }
  });
});
