import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addKext, kextInfo, kpiInfo, scopedTempDir } from "../../test/support/kextFixtures.ts";
import { haveTool } from "../../test/support/machoFixtures.ts";
import { MemoryBundleSource } from "./BundleSource.ts";
import { findLinkDependencies, isSearchableLibrary, libraryExports, readKextSymbols } from "./findLinkDependencies.ts";
import { readKext } from "./readKext.ts";
import type { OSKext } from "./OSKext.ts";

const tempDir = scopedTempDir();

async function kexts(ids: readonly string[]): Promise<OSKext[]> {
  const src = new MemoryBundleSource();
  const out: OSKext[] = [];
  for (const id of ids) {
    addKext(src, `/L/${id}.kext`, { ...kpiInfo(id, "1.0"), CFBundleExecutable: "x" });
    out.push(await readKext(src, `/L/${id}.kext`));
  }
  return out;
}

describe("findLinkDependencies", () => {
  it("puts every symbol in exactly one bucket and returns exactly the libraries that define one", async () => {
    const libs = await kexts(["com.b", "com.a", "com.c"]);
    const sym = fc.constantFrom("_s1", "_s2", "_s3", "_s4", "_s5");
    await fc.assert(fc.property(fc.array(sym), fc.array(fc.array(sym), { minLength: 3, maxLength: 3 }), (refs, defs) => {
      const r = findLinkDependencies(refs, libs.map((k, i) => ({ kext: k, exports: new Set(defs[i]) })));
      const unique = [...new Set(refs)].sort();
      const buckets = [...r.undefinedSymbols, ...r.onedefSymbols.keys(), ...r.multdefSymbols.keys()].sort();
      expect(buckets).toEqual(unique);
      for (const s of unique) {
        const definers = libs.filter((_, i) => defs[i]!.includes(s));
        if (definers.length === 1) expect(r.onedefSymbols.get(s)).toBe(definers[0]);
        if (definers.length > 1) expect(new Set(r.multdefSymbols.get(s))).toEqual(new Set(definers));
      }
      const used = libs.filter((_, i) => defs[i]!.some((s) => unique.includes(s)));
      expect(r.libraries.map((k) => k.bundleID)).toEqual(used.map((k) => k.bundleID).sort());
    }));
  });

  it("searches libraries with executables, not the kext itself, and unsupported KPIs only when asked", async () => {
    const [iokit, unsupported, kernel, self] = await kexts(["com.apple.kpi.iokit", "com.apple.kpi.unsupported", "com.apple.kernel.iokit", "com.example.me"]);
    expect(isSearchableLibrary(iokit!, self!)).toBe(true);
    expect(isSearchableLibrary(self!, self!)).toBe(false);
    expect(isSearchableLibrary(unsupported!, self!)).toBe(false);
    expect(isSearchableLibrary(unsupported!, self!, { unsupported: true })).toBe(true);
    expect(isSearchableLibrary(kernel!, self!)).toBe(false);
    expect(isSearchableLibrary(kernel!, self!, { nonKPI: true })).toBe(true);
    expect(isSearchableLibrary(iokit!, self!, { nonKPI: true })).toBe(false);
    const src = new MemoryBundleSource();
    addKext(src, "/L/NotLib.kext", kextInfo({ CFBundleIdentifier: "com.example.notlib" }));
    expect(isSearchableLibrary(await readKext(src, "/L/NotLib.kext"), self!)).toBe(false);
  });
});

describe("libraryExports", () => {
  it("counts undefined entries as exports only for interface kexts (KPI symbol sets)", async () => {
    const src = new MemoryBundleSource();
    addKext(src, "/L/KPI.kext", { ...kpiInfo("com.apple.kpi.iokit", "1.0"), CFBundleExecutable: "x" });
    addKext(src, "/L/Lib.kext", kextInfo({ CFBundleIdentifier: "com.example.lib", OSBundleCompatibleVersion: "1.0" }));
    const symbols = { arch: "x86_64", undefinedSymbols: ["_IOLog"], definedSymbols: new Set(["_own"]) };
    expect([...libraryExports(await readKext(src, "/L/KPI.kext"), symbols)].sort()).toEqual(["_IOLog", "_own"]);
    expect([...libraryExports(await readKext(src, "/L/Lib.kext"), symbols)]).toEqual(["_own"]);
  });
});

// Port of IOKitUser tests/OSKext-tests.c (OSKextCopySymbolReferences).
const toolchain = ["clang-16", "ld64.lld-16"].every(haveTool);
describe.skipIf(!toolchain)("readKextSymbols (OSKext-tests)", () => {
  function build(source: string): Uint8Array {
    const dir = tempDir("iokit-oskext-");
    writeFileSync(join(dir, "k.c"), source);
    execFileSync("clang-16", ["-target", "x86_64-apple-macos11", "-c", "k.c", "-o", "k.o"], { cwd: dir });
    execFileSync("ld64.lld-16", ["-arch", "x86_64", "-platform_version", "macos", "11.0", "11.0", "-undefined", "dynamic_lookup",
      "-fixup_chains", "-bundle", "k.o", "-o", "k"], { cwd: dir });
    const bytes = readFileSync(join(dir, "k"));
    bytes.writeUInt32LE(0xb, 12);
    return new Uint8Array(bytes);
  }

  it("a kext with no undefined symbols references nothing", () => {
    const [slice] = readKextSymbols(build("int kmod_info = 0;\nint com_example_start(void) { return kmod_info; }\n"));
    expect(slice!.arch).toBe("x86_64");
    expect(slice!.undefinedSymbols).toEqual([]);
    expect(slice!.definedSymbols.has("_com_example_start")).toBe(true);
  });

  it("a kext with ten undefined symbols references exactly _do_nothing_1 … _do_nothing_10", () => {
    const n = Array.from({ length: 10 }, (_, i) => i + 1);
    const source = `${n.map((i) => `void do_nothing_${i}(void);`).join("\n")}\nvoid com_example_go(void) { ${n.map((i) => `do_nothing_${i}();`).join(" ")} }\n`;
    const [slice] = readKextSymbols(build(source));
    expect([...slice!.undefinedSymbols].sort()).toEqual(n.map((i) => `_do_nothing_${i}`).sort());
  });
});
