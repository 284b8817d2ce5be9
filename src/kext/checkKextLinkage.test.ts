import { describe, expect, it } from "vitest";
import { checkKextLinkage } from "./checkKextLinkage.ts";
import type { LinkLibraryKext } from "./findLinkDependencies.ts";

const lib = (bundleID: string): LinkLibraryKext => ({ bundleID, path: `/L/${bundleID}.kext`, version: 1n, compatibleVersion: 1n });
const iokit = lib("com.apple.kpi.iokit");
const libkern = lib("com.apple.kpi.libkern");

describe("checkKextLinkage", () => {
  const declared = [
    { kext: iokit, exports: new Set(["_IOLog", "_kmod_info"]) },
    { kext: libkern, exports: new Set<string>(), prefixes: ["__ZN8OSObject"] },
  ];

  it("resolves undefined symbols by name and by prefix against the declared libraries only", () => {
    const r = checkKextLinkage({ arch: "x86_64", undefinedSymbols: ["_IOLog", "__ZN8OSObject4initEv", "_bsd_only"], definedSymbols: new Set() }, declared);
    expect(r.unresolved).toEqual(["_bsd_only"]);
    expect(r.duplicates.size).toBe(0);
    expect(checkKextLinkage({ arch: "x86_64", undefinedSymbols: ["_IOLog"], definedSymbols: new Set() }, []).unresolved).toEqual(["_IOLog"]);
  });

  it("reports exported symbols a declared library also exports, except the kext's own glue", () => {
    const r = checkKextLinkage({
      arch: "x86_64", undefinedSymbols: [], definedSymbols: new Set(["_kmod_info", "__ZN8OSObject4freeEv", "_IOLog", "_com_x_own"]),
    }, declared);
    expect([...r.duplicates]).toEqual([["_IOLog", [iokit]], ["__ZN8OSObject4freeEv", [libkern]]]);
  });
});
