/**
 * The bundled KPI symbol sets against the xnu export lists they are generated from, and the
 * embedded `__symbolsets` plist shape.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OSKextVersionGetString, dict } from "../../libkern/index.ts";
import {
  bundledKernelSymbolSets, decodeFrontCoded, kernelSymbolSetExports, kernelSymbolSetsFromPlist, kpiArchFamily, parseKpiExportEntry,
} from "./KernelSymbolSet.ts";
import { darwinKernelVersion } from "./readKernelSymbolSets.ts";

const EXPORTS = "scripts/xnu-exports";
const COMPONENT_OF: Record<string, string> = {
  "com.apple.kpi.bsd": "BSDKernel", "com.apple.kpi.iokit": "IOKit", "com.apple.kpi.libkern": "Libkern", "com.apple.kpi.dsep": "MACFramework",
  "com.apple.kpi.mach": "Mach", "com.apple.kpi.private": "Private", "com.apple.kpi.unsupported": "Unsupported",
};

/** An export list read the way kextsymboltool reads it, independently of the generator. */
function exportLines(file: string): string[] {
  if (!existsSync(`${EXPORTS}/${file}`)) return [];
  return readFileSync(`${EXPORTS}/${file}`, "utf8").split("\n").map((l) => l.replace(/\s+/g, "")).filter((l) => l !== "" && !l.startsWith("#"));
}

describe("bundled KPI symbol sets", () => {
  it("hold exactly the entries of xnu's <KPI>.exports + <KPI>.<arch>.exports + <KPI>.<arch>.MacOSX.exports", () => {
    for (const arch of ["x86_64", "arm64"] as const) {
      const sets = bundledKernelSymbolSets(arch);
      expect(sets.map((s) => s.bundleID).sort()).toEqual(Object.keys(COMPONENT_OF).sort());
      for (const set of sets) {
        const c = COMPONENT_OF[set.bundleID]!;
        const lines = new Set([...exportLines(`${c}.exports`), ...exportLines(`${c}.${arch}.exports`), ...exportLines(`${c}.${arch}.MacOSX.exports`)]);
        const names = [...lines].filter((l) => !l.endsWith("*")).map((l) => l.split(":")[0]!);
        expect([...set.exports].sort()).toEqual([...new Set(names)].sort());
        expect([...set.prefixes].sort()).toEqual([...lines].filter((l) => l.endsWith("*")).map((l) => l.slice(0, -1)).sort());
        for (const l of lines) if (l.includes(":")) expect(set.aliases.get(l.split(":")[0]!)).toBe(l.split(":")[1]);
      }
    }
  });

  it("are up to date with scripts/buildKpiSymbolSets.ts", () => {
    expect(() => execFileSync(process.execPath, ["--import", "tsx", "scripts/buildKpiSymbolSets.ts", "--check"], { stdio: "pipe" })).not.toThrow();
  });

  it("carry the System.kext plug-in versions of xnu-7195.101.1 (Darwin 20.4.0)", () => {
    const iokit = bundledKernelSymbolSets("arm64e").find((s) => s.bundleID === "com.apple.kpi.iokit")!;
    expect(OSKextVersionGetString(iokit.version)).toBe("20.4");
    expect(OSKextVersionGetString(iokit.compatibleVersion)).toBe("7.0");
    expect(iokit.path).toBe("(xnu-7195.101.1)/System.kext/PlugIns/IOKit.kext");
    const libkern = bundledKernelSymbolSets("x86_64").find((s) => s.bundleID === "com.apple.kpi.libkern")!;
    expect(OSKextVersionGetString(libkern.compatibleVersion)).toBe("8.0d0");
  });

  it("answer for the symbols drivers use, per architecture", () => {
    const kpi = (arch: string, id: string) => bundledKernelSymbolSets(arch).find((s) => s.bundleID === id)!;
    for (const arch of ["x86_64", "arm64"]) {
      expect(kernelSymbolSetExports(kpi(arch, "com.apple.kpi.iokit"), "_IOLog")).toBe(true);
      expect(kernelSymbolSetExports(kpi(arch, "com.apple.kpi.iokit"), "__ZN9IOService5startEPS_")).toBe(true);
      expect(kernelSymbolSetExports(kpi(arch, "com.apple.kpi.libkern"), "__ZNK8OSObject7releaseEv")).toBe(true);
      expect(kernelSymbolSetExports(kpi(arch, "com.apple.kpi.libkern"), "_IOLog")).toBe(false);
    }
    // IOLockSleep_darwin14 exists only in IOKit.x86_64.exports; `_hv_get*` is a prefix entry.
    expect(kpi("x86_64", "com.apple.kpi.iokit").exports.has("_IOLockSleep_darwin14")).toBe(true);
    expect(kpi("arm64", "com.apple.kpi.iokit").exports.has("_IOLockSleep_darwin14")).toBe(false);
    expect(kernelSymbolSetExports(kpi("x86_64", "com.apple.kpi.private"), "_hv_get_vmx_state")).toBe(true);
    expect(kpi("x86_64", "com.apple.kpi.iokit").aliases.get("_IOLockLock")).toBe("_lck_mtx_lock");
    expect(bundledKernelSymbolSets("i386")).toEqual([]);
    expect(kpiArchFamily("x86_64h")).toBe("x86_64");
  });

  it("decode front-coded lists and export entries", () => {
    expect(decodeFrontCoded("00_abc\n03d\n01x")).toEqual(["_abc", "_abd", "_x"]);
    expect(decodeFrontCoded("")).toEqual([]);
    expect(parseKpiExportEntry("_a:_b")).toEqual({ name: "_a", target: "_b", isPrefix: false });
    expect(parseKpiExportEntry("_hv_get*")).toEqual({ name: "_hv_get", isPrefix: true });
  });
});

describe("kernelSymbolSetsFromPlist", () => {
  it("reads a kernel's SymbolsSets plist", () => {
    const value = dict({
      SymbolsSets: [dict({
        CFBundleIdentifier: "com.apple.kpi.iokit", CFBundleVersion: "21.1.0", OSBundleCompatibleVersion: "7.0",
        Symbols: [dict({ SymbolName: "_IOLog" }), dict({ SymbolName: "_IOLockLock", AliasTarget: "_lck_mtx_lock" }), dict({ SymbolPrefix: "__ZN5IOCPU" })],
      })],
      WeakRefFallbackSymbol: dict({ SymbolName: "_gOSKextUnresolved" }),
    });
    const [set] = kernelSymbolSetsFromPlist(value, "/k")!;
    expect(set!.bundleID).toBe("com.apple.kpi.iokit");
    expect(OSKextVersionGetString(set!.version)).toBe("21.1");
    expect(set!.path).toBe("/k:com.apple.kpi.iokit");
    expect(kernelSymbolSetExports(set!, "__ZN5IOCPU5startEv")).toBe(true);
    expect(set!.aliases.get("_IOLockLock")).toBe("_lck_mtx_lock");
    expect(kernelSymbolSetsFromPlist(dict({ Other: true }), "/k")).toBeUndefined();
  });

  it("finds the Darwin Kernel Version banner", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(darwinKernelVersion(enc("xx\0Darwin Kernel Version 19.6.0: Thu Jun 18 20:49:00 PDT 2020; root:xnu-6153.141.1~1/RELEASE_X86_64\0"))).toBe("19.6.0");
    expect(darwinKernelVersion(enc("Darwin Kernel Version %s: nothing"))).toBeUndefined();
    expect(darwinKernelVersion(enc("no banner"))).toBeUndefined();
  });
});
