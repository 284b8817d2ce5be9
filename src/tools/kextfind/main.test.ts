import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kextInfo, kpiInfo, tempDir, writeKext } from "../../../test/support/kextFixtures.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";
import { parseKextQuery, versionMatches } from "./kextQuery.ts";
import { OSKextParseVersionString as v } from "../../libkern/index.ts";

function repo(): string {
  const dir = tempDir();
  writeKext(join(dir, "Libkern.kext"), kpiInfo("com.apple.kpi.libkern", "18.7.0"));
  writeKext(join(dir, "IOKit.kext"), kpiInfo("com.apple.kpi.iokit", "18.7.0"));
  writeKext(join(dir, "Lilu.kext"), kextInfo({ CFBundleIdentifier: "as.vit9696.Lilu", CFBundleExecutable: "Lilu", CFBundleVersion: "1.3.7", OSBundleCompatibleVersion: "1.2.0", OSBundleRequired: "Root", IOKitPersonalities: { Lilu: { CFBundleIdentifier: "as.vit9696.Lilu", IOClass: "Lilu", IOProviderClass: "IOResources", IOMatchCategory: "Lilu" } } }));
  writeKext(join(dir, "Plugin.kext"), kextInfo({ CFBundleIdentifier: "as.vit9696.Plugin", CFBundleExecutable: "Plugin", OSBundleLibraries: { "as.vit9696.Lilu": "1.2.0", "com.apple.kpi.libkern": "12.0" } }));
  writeKext(join(dir, "Broken.kext"), kextInfo({ CFBundleIdentifier: "com.example.Broken", CFBundleExecutable: "Broken", OSBundleLibraries: { "com.example.Gone": "1.0" } }));
  return dir;
}

async function kextfind(...argv: string[]) {
  const io = captureIO();
  const status = await main(argv, io);
  return { status, out: io.out(), err: io.err() };
}

describe("kextfind", () => {
  it("prints matching kexts by default, with Apple's path styles", async () => {
    const dir = repo();
    expect((await kextfind(dir, "-bundle-id", "as.vit9696.Lilu")).out).toBe(`${join(dir, "Lilu.kext")}\n`);
    expect((await kextfind(dir, "-no-paths", "-library", "-not", "-kernel-resource")).out).toBe("Lilu.kext\n");
    expect((await kextfind(dir, "-relative-paths", "-bundle-id", "plugin", "-s", "-i")).out).toBe("Plugin.kext\n");
    expect((await kextfind(dir, "-nul", "-no-paths", "-root", "-not", "-kernel-resource")).out).toBe("Lilu.kext\0");
  });
  it("combines predicates with -or, -not and parentheses", async () => {
    const dir = repo();
    const r = await kextfind(dir, "-no-paths", "(", "-bundle-id", "as.vit9696.Lilu", "-or", "-bundle-id", "com.example.Broken", ")", "!", "-library");
    expect(r.out).toBe("Broken.kext\n");
    expect((await kextfind(dir, "-no-paths", "-dependencies-missing")).out).toBe("Broken.kext\n");
    expect((await kextfind(dir, "-no-paths", "-kernel-version", "18.7.0", "-version", "ge1.3", "-version", "le1.3.7", "-not", "-kernel-resource")).out).toBe("Lilu.kext\n");
  });
  it("prints properties, match properties and dependencies", async () => {
    const dir = repo();
    const r = await kextfind(dir, "-bundle-id", "as.vit9696.Lilu", "-print-property", "CFBundleVersion", "-print-property", "IOKitPersonalities", "-print-match-property", "IOClass");
    expect(r.out).toBe('CFBundleVersion = "1.3.7"\nIOKitPersonalities = <dictionary of 1 items>\nLilu: IOClass = "Lilu"\n');
    const deps = await kextfind(dir, "-no-paths", "-bundle-id", "as.vit9696.Plugin", "-print-dependencies");
    expect(deps.out.split("\n").filter(Boolean).sort()).toEqual(["IOKit.kext", "Libkern.kext", "Lilu.kext"]);
    const dependents = await kextfind(dir, "-no-paths", "-bundle-id", "as.vit9696.Lilu", "-print-dependents");
    expect(dependents.out).toBe("Plugin.kext\n");
  });
  it("draws the library graph (-dot) and lists load order (-load-order)", async () => {
    const dir = repo();
    const dot = (await kextfind(dir, "-dot")).out;
    expect(dot).toMatch(/^digraph kexts \{/);
    expect(dot).toContain('label="com.example.Gone", shape=ellipse, color=red');
    expect(dot).toMatch(/k\d+ -> k\d+ \[label="1\.2\.0"\]/);
    const order = (await kextfind(dir, "-no-paths", "-load-order")).out.split("\n").filter(Boolean);
    expect(order.indexOf("Lilu.kext")).toBeLessThan(order.indexOf("Plugin.kext"));
    expect(order).not.toContain("Broken.kext");
  });
  it("rejects malformed queries with exit 64", async () => {
    const dir = repo();
    for (const q of [["-bogus"], ["(", "-library"], ["-bundle-id"], ["-library", ")"]]) {
      const r = await kextfind(dir, ...q);
      expect(r.status, q.join(" ")).toBe(64);
      expect(r.err.split("\n")[0]).toMatch(/^kextfind: /);
    }
    expect((await kextfind(join(dir, "nope"))).status).toBe(66);
  });
  it("has no trouble with deep nesting: bounded, typed error", () => {
    expect(() => parseKextQuery([...Array(5000).fill("!"), "-library"])).toThrow(/nested too deeply/);
  });
  it("implements -version's quirks: lt behaves as equality, a leading e is dropped", () => {
    expect(versionMatches(v("1.0"), "lt2.0")).toBe(false);
    expect(versionMatches(v("2.0"), "lt2.0")).toBe(true);
    expect(versionMatches(v("2.0"), "e2.0")).toBe(true);
    expect(versionMatches(v("1.5"), "1.0-2.0")).toBe(true);
    expect(versionMatches(v("2.1"), "1.0-2.0")).toBe(false);
    expect(versionMatches(v("2.1"), "ne2.0")).toBe(true);
  });
});
