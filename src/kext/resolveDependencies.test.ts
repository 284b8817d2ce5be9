import { describe, expect, it } from "vitest";
import { addKext, kextInfo, kpiInfo, type PlainPlist } from "../../test/support/kextFixtures.ts";
import { DependencyResolver, KextSet, MemoryBundleSource, readKextsInFolder } from "./index.ts";
import * as M from "./kextDiagnosticMessages.ts";

async function setOf(kexts: Record<string, { [key: string]: PlainPlist }>): Promise<KextSet> {
  const src = new MemoryBundleSource().addDir("/R");
  for (const [name, info] of Object.entries(kexts)) addKext(src, `/R/${name}.kext`, info);
  return new KextSet(await readKextsInFolder(src, "/R"));
}
const byID = (set: KextSet, id: string) => set.withIdentifier(id)[0]!;
const lib = (id: string, version: string, compat: string, libs: Record<string, string> = { "com.apple.kpi.libkern": "9.0" }) =>
  kextInfo({ CFBundleIdentifier: id, CFBundleExecutable: id.split(".").pop()!, CFBundleVersion: version, OSBundleCompatibleVersion: compat, OSBundleLibraries: libs, IOKitPersonalities: undefined });

describe("DependencyResolver", () => {
  it("resolves libraries and orders the load list libraries-first", async () => {
    const set = await setOf({
      libkern: kpiInfo("com.apple.kpi.libkern", "18.7.0"),
      Lilu: lib("as.vit9696.Lilu", "1.3.7", "1.2.0"),
      Plugin: kextInfo({ CFBundleIdentifier: "as.vit9696.Plugin", CFBundleExecutable: "Plugin", OSBundleLibraries: { "as.vit9696.Lilu": "1.2.0", "com.apple.kpi.libkern": "12.0" } }),
    });
    const r = new DependencyResolver(set);
    const plugin = byID(set, "as.vit9696.Plugin");
    expect(r.resolve(plugin).ok).toBe(true);
    expect(r.loadList(plugin).map((k) => k.bundleID)).toEqual(["com.apple.kpi.libkern", "as.vit9696.Lilu", "as.vit9696.Plugin"]);
  });
  it("enforces the compatible-version lower bound and picks the highest compatible version", async () => {
    const set = await setOf({
      libkern: kpiInfo("com.apple.kpi.libkern", "18.7.0"),
      Old: lib("com.example.Lib", "1.5", "1.0"),
      New: lib("com.example.Lib", "3.0", "2.0"),
      A: kextInfo({ CFBundleIdentifier: "com.example.A", CFBundleExecutable: "A", OSBundleLibraries: { "com.example.Lib": "1.2", "com.apple.kpi.libkern": "9.0" } }),
      B: kextInfo({ CFBundleIdentifier: "com.example.B", CFBundleExecutable: "B", OSBundleLibraries: { "com.example.Lib": "0.9", "com.apple.kpi.libkern": "9.0" } }),
    });
    const r = new DependencyResolver(set);
    expect(r.resolve(byID(set, "com.example.A")).edges[0]?.target?.path).toBe("/R/Old.kext");
    const b = r.resolve(byID(set, "com.example.B"));
    expect(b.ok).toBe(false);
    expect(b.diagnostics).toContainEqual(expect.objectContaining({ message: M.kOSKextDependencyNoCompatibleVersion, subject: "com.example.Lib" }));
  });
  it("reports missing libraries, non-libraries and indirect failures in Apple's form", async () => {
    const set = await setOf({
      libkern: kpiInfo("com.apple.kpi.libkern", "18.7.0"),
      NotLib: kextInfo({ CFBundleIdentifier: "com.example.NotLib", CFBundleExecutable: "NotLib" }),
      Mid: lib("com.example.Mid", "1.0", "1.0", { "com.example.Gone": "1.0", "com.apple.kpi.libkern": "9.0" }),
      Top: kextInfo({ CFBundleIdentifier: "com.example.Top", CFBundleExecutable: "Top", OSBundleLibraries: { "com.example.Mid": "1.0", "com.example.NotLib": "1.0", "com.apple.kpi.libkern": "9.0" } }),
    });
    const r = new DependencyResolver(set);
    const top = r.resolve(byID(set, "com.example.Top"));
    expect(top.diagnostics.map((d) => [d.message, d.subject])).toEqual([
      [M.kOSKextDependencyIndirectDependencyUnresolvable, "com.example.Mid"],
      [M.kOSKextDependencyCompatibleVersionUndeclared, "com.example.NotLib"],
    ]);
    expect(r.resolve(byID(set, "com.example.Mid")).diagnostics[0]).toMatchObject({ category: "dependencies", message: M.kOSKextDependencyUnavailable, subject: "com.example.Gone", path: "/R/Mid.kext" });
    expect(r.loadList(byID(set, "com.example.Top"))).toEqual([]);
  });
  it("detects cycles without recursing", async () => {
    const set = await setOf({
      libkern: kpiInfo("com.apple.kpi.libkern", "18.7.0"),
      A: lib("com.example.A", "1.0", "1.0", { "com.example.B": "1.0", "com.apple.kpi.libkern": "9.0" }),
      B: lib("com.example.B", "1.0", "1.0", { "com.example.A": "1.0", "com.apple.kpi.libkern": "9.0" }),
    });
    const a = new DependencyResolver(set).resolve(byID(set, "com.example.A"));
    expect(a.ok).toBe(false);
    expect(a.diagnostics.map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringMatching(/circular|Indirect/)]));
  });
  it("handles a 3000-kext chain iteratively", async () => {
    const kexts: Record<string, { [key: string]: PlainPlist }> = { libkern: kpiInfo("com.apple.kpi.libkern", "18.7.0") };
    for (let i = 0; i < 3000; i++) {
      kexts[`K${i}`] = lib(`com.example.K${i}`, "1.0", "1.0", i === 0 ? { "com.apple.kpi.libkern": "9.0" } : { [`com.example.K${i - 1}`]: "1.0", "com.apple.kpi.libkern": "9.0" });
    }
    const set = await setOf(kexts);
    const r = new DependencyResolver(set);
    expect(r.resolve(byID(set, "com.example.K2999")).ok).toBe(true);
    expect(r.loadList(byID(set, "com.example.K2999"))).toHaveLength(3001);
  });
  it("applies the LP64 rules on com.apple.kernel* and com.apple.kpi.private", async () => {
    const set = await setOf({
      libkern: kpiInfo("com.apple.kpi.libkern", "18.7.0"),
      priv: kpiInfo("com.apple.kpi.private", "18.7.0"),
      Old: kextInfo({ CFBundleIdentifier: "com.example.Old", CFBundleExecutable: "Old", OSBundleLibraries: { "com.apple.kernel.libkern": "6.0" } }),
      Priv: kextInfo({ CFBundleIdentifier: "com.example.Priv", CFBundleExecutable: "Priv", OSBundleLibraries: { "com.apple.kpi.private": "9.0", "com.apple.kpi.libkern": "9.0" } }),
    });
    const r = new DependencyResolver(set);
    expect(r.resolve(byID(set, "com.example.Old")).diagnostics.map((d) => d.message)).toContain(M.kOSKextDiagnosticDeclaresNonKPIDependenciesKey);
    expect(r.resolve(byID(set, "com.example.Priv")).diagnostics.map((d) => d.message)).toEqual([M.kOSKextDiagnosticNonAppleKextDeclaresPrivateKPIDependencyKey]);
  });
});

describe("DependencyResolver properties", () => {
  it("on random library graphs: a kext resolves iff every edge resolves, and load lists put libraries first", async () => {
    const { default: fc } = await import("fast-check");
    const graphArb = fc.integer({ min: 2, max: 12 }).chain((n) => fc.tuple(
      fc.constant(n),
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
      fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    ));
    await fc.assert(fc.asyncProperty(graphArb, async ([n, rawEdges, isLibrary]) => {
      const kexts: Record<string, { [key: string]: PlainPlist }> = { libkern: kpiInfo("com.apple.kpi.libkern", "18.7.0") };
      for (let i = 0; i < n; i++) {
        const libs: Record<string, string> = { "com.apple.kpi.libkern": "9.0" };
        for (const [a, b] of rawEdges) if (a === i) libs[`com.example.P${b}`] = "1.0";
        kexts[`P${i}`] = lib(`com.example.P${i}`, "1.0", isLibrary[i] ? "1.0" : "0", libs);
        if (!isLibrary[i]) delete kexts[`P${i}`]!.OSBundleCompatibleVersion;
      }
      const set = await setOf(kexts);
      const r = new DependencyResolver(set);
      for (const k of set.all()) {
        const res = r.resolve(k);
        if (res.ok) {
          expect(res.edges.every((e) => e.failure === undefined)).toBe(true);
          const order = r.loadList(k);
          expect(order[order.length - 1]).toBe(k);
          for (const x of order) for (const e of r.resolve(x).edges) expect(order.indexOf(e.target!)).toBeLessThan(order.indexOf(x));
        } else {
          expect(res.diagnostics.length).toBeGreaterThan(0);
          expect(r.loadList(k)).toEqual([]);
        }
      }
    }), { numRuns: 40 });
  });
});
