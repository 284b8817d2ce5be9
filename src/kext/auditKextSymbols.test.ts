/** The kext symbol audit on clang-16/ld64.lld-16 fixtures (prefixes, architectures, debug symbols). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { machOFixtures } from "../../test/support/machoFixtures.ts";
import { openMachO, parseSlice } from "../formats/index.ts";
import { auditKextSymbols, symbolPrefixes } from "./auditKextSymbols.ts";

const fx = machOFixtures();
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fx!.dir, name)));

describe.skipIf(fx === undefined)("auditKextSymbols", () => {
  it("flags unprefixed globals (C and C++), missing architectures and debug symbols", () => {
    const audit = auditKextSymbols(load("demo_arm64.kext"), { bundleId: "com.example.driver", requiredArchitectures: ["arm64", "x86_64"], release: true });
    expect(audit.architectures).toEqual(["arm64"]);
    const unprefixed = audit.diagnostics.filter((d) => d.kind === "unprefixed-global").map((d) => d.symbol);
    expect(unprefixed).toContain("_counter");
    expect(unprefixed).toContain("__Z17unprefixed_globalv");
    expect(unprefixed).not.toContain("_com_example_driver_start");
    expect(unprefixed).not.toContain("__ZN11com_example6Driver5startEi");
    expect(unprefixed).not.toContain("_kmod_info");
    expect(unprefixed).not.toContain("_private_ext");
    expect(audit.diagnostics.some((d) => d.kind === "missing-architecture" && d.arch === "x86_64")).toBe(true);
    expect(audit.diagnostics.find((d) => d.kind === "debug-symbols")?.count).toBeGreaterThan(0);
  });

  it("finds __DWARF in an object built with -g and reports a clean image as clean", () => {
    const obj = auditKextSymbols(load("a_fat.o"), { bundleId: "com.example", release: true });
    // a_i386.o is built without -g.
    expect(obj.diagnostics.filter((d) => d.kind === "dwarf-segment").map((d) => d.arch).sort()).toEqual(["arm64", "x86_64"]);
    const clean = auditKextSymbols(openMachO(load("b_arm64.o")), { bundleId: "com.example.driver", exempt: ["__Z17unprefixed_globalv"] });
    expect(clean.diagnostics).toEqual([]);
  });

  it("derives prefixes from the bundle id and reports malformed input as data", () => {
    expect(symbolPrefixes("com.example.driver.Foo")).toEqual(["com_example", "com_example_driver", "com_example_driver_Foo"]);
    expect(auditKextSymbols(new Uint8Array([1, 2, 3]), { bundleId: "com.x" }).diagnostics[0]?.kind).toBe("malformed");
    const fat = openMachO(load("a_fat.o"));
    expect(fat.slices.map((sl) => sl.archName)).toEqual(["x86_64", "i386", "arm64"]);
    expect(parseSlice(fat, 1).header.cputype).toBe(7);
  });
});
