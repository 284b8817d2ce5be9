import { describe, expect, it } from "vitest";
import { dict, num } from "../../libkern/index.ts";
import { IOCatalogue, defaultFamilies } from "./IOCatalogue.ts";
import { matchPassive } from "./matchPassive.ts";
import { matchService } from "./matchService.ts";
import { nameMatching, propertyMatching, registryEntryIDMatching, resourceMatching, serviceMatching } from "../service/index.ts";
import { nub, personality } from "./testNubs.ts";

const opts = { arch: "x86_64" as const, families: defaultFamilies() };

describe("the runtime's matching dictionaries against the engine (xnu Tests.cpp OSCollectionTest, spec §1.2)", () => {
  it("resourceMatching gives two string entries", () => {
    const t = resourceMatching("hello");
    expect([...t]).toEqual([["IOProviderClass", "IOResources"], ["IOResourceMatch", "hello"]]);
  });

  it("propertyMatching replaces rather than merges IOPropertyMatch", () => {
    const t = propertyMatching("a", num(1));
    propertyMatching("b", num(2), t);
    expect(t.get("IOPropertyMatch")).toEqual(dict({ b: num(2) }));
  });

  it("the helpers match what they describe", () => {
    const res = nub("IOResources", { hello: "IOService" });
    expect(matchPassive(resourceMatching("hello"), res, opts).matched).toBe(true);
    expect(matchPassive(resourceMatching("bye"), res, opts).matched).toBe(false);
    const pci = nub("IOPCIDevice", { a: 1 }, { name: "GFX0", registryEntryID: 0x100000200n });
    expect(matchPassive(new Map([...serviceMatching("IOPCIDevice"), ...nameMatching("GFX0")]), pci, opts).matched).toBe(true);
    expect(matchPassive(registryEntryIDMatching(0x100000200n), pci, opts).matched).toBe(true);
    expect(matchPassive(propertyMatching("a", num(1)), pci, opts).matched).toBe(true);
  });
});

describe("xnu tests/iokit/io_catalog_send_data.m", () => {
  it("a personality whose kext does not define IOClass produces no driver", () => {
    const c = new IOCatalogue();
    const r = c.addDrivers([personality({
      IOProviderClass: "IOResources", IOClass: "IOReportHub", IOUserClientClass: "IOSurfaceRootUserClient", IOMatchCategory: "fooBar",
    })]);
    expect(r.aborted).toBeUndefined();
    expect(r.added.length).toBe(1);
    // The runtime's probe hook stands for "allocate IOClass": the class is unknown, so nothing is made.
    const known = new Set(["IOService"]);
    const run = matchService(c, nub("IOResources"), { probe: (d, _n, s) => (known.has(d.personality.ioClass ?? "") ? { score: s } : undefined) });
    expect(run.winners.get("fooBar")).toBeUndefined();
    expect(run.candidates[0]?.outcome).toBe("probe-failed");
  });
});
