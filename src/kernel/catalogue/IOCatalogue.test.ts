import { describe, expect, it } from "vitest";
import { dict, num } from "../../libkern/index.ts";
import { IOCatalogue } from "./IOCatalogue.ts";
import type { MatchNub } from "./MatchNub.ts";
import { matchService } from "./matchService.ts";
import { nub, personality } from "./testNubs.ts";

const p = (o: Record<string, number | string | boolean>) => personality({ CFBundleIdentifier: "com.example.k", IOClass: "Drv", ...o });

describe("IOCatalogue", () => {
  it("stores by IOProviderClass, drops personalities without one, skips exact duplicates, keeps supersets", () => {
    const c = new IOCatalogue();
    const r = c.addDrivers([p({ IOProviderClass: "IOPCIDevice" }), p({ IOProviderClass: "IOPCIDevice" }), p({ IOProviderClass: "IOPCIDevice", extra: 1 }), personality({ IOClass: "NoProvider" })]);
    expect(r.added.length).toBe(2);
    expect(c.size).toBe(2);
    expect(r.diagnostics.some((d) => d.key === "IOProviderClass" && d.code === "missing-key")).toBe(true);
    expect([...c.personalities()].every((x) => x.table.get("CFBundleIdentifierKernel") === "com.example.k")).toBe(true);
  });

  it("refuses a whole add with a non-dictionary element", () => {
    const c = new IOCatalogue();
    const r = c.addDrivers([p({ IOProviderClass: "IOService" }), "oops"]);
    expect(r.aborted).toBe("IOCatalogue::addDrivers() encountered non-dictionary; bailing.");
    expect(c.size).toBe(0);
  });

  it("findDrivers walks the class chain and sorts by descending u32-as-signed score, FIFO among equals", () => {
    const c = new IOCatalogue();
    c.addDrivers([
      p({ IOProviderClass: "IOService", IOClass: "Any", IOProbeScore: 5 }),
      p({ IOProviderClass: "IOPCIDevice", IOClass: "A", IOProbeScore: 5 }),
      p({ IOProviderClass: "IOAGPDevice", IOClass: "B", IOProbeScore: 5 }),
      p({ IOProviderClass: "IOPCIDevice", IOClass: "Neg" }),
      p({ IOProviderClass: "IOUSBDevice", IOClass: "Other" }),
    ]);
    c.addDrivers([personality({ IOProviderClass: "IOPCIDevice", IOClass: "NegU32", IOProbeScore: num(0xfffffc18n, 64) })]);
    const order = c.findDrivers(nub("IOAGPDevice")).map((x) => x.ioClass);
    expect(order).toEqual(["B", "A", "Any", "Neg", "NegU32"]);
    expect(c.findDrivers(nub("IOAGPDevice")).at(-1)?.score).toBe(-1000);
  });

  it("removeDrivers compares only the keys of the matching dictionary, and rematches", () => {
    const started: MatchNub[] = [];
    const n = nub("IOPCIDevice");
    const c = new IOCatalogue({ delegate: { registeredServices: () => [n], startMatching: (x) => started.push(x) } });
    c.addDrivers([p({ IOProviderClass: "IOPCIDevice", IOClass: "A" }), p({ IOProviderClass: "IOPCIDevice", IOClass: "B" })], false);
    expect(c.generation).toBe(1);
    const removed = c.removeDrivers(dict({ IOClass: "A" }));
    expect(removed.map((x) => x.ioClass)).toEqual(["A"]);
    expect(c.size).toBe(1);
    expect(started).toEqual([n]);
    expect(c.generation).toBe(2);
  });

  it("a wrong-typed key yields a diagnostic naming kext and key and does not break others", () => {
    const c = new IOCatalogue();
    const r = c.addDrivers([
      { table: p({ IOProviderClass: "IOPCIDevice", IOClass: "Bad", IOProbeScore: "high", IOPCIMatch: "vendor=0x8086" }), name: "BadOne" },
      p({ IOProviderClass: "IOPCIDevice", IOClass: "Good" }),
    ]);
    expect(r.diagnostics.map((d) => [d.bundle, d.personality, d.key, d.code])).toEqual([
      ["com.example.k", "BadOne", "IOProbeScore", "wrong-type"],
      ["com.example.k", "BadOne", "IOPCIMatch", "malformed-pci-match"],
    ]);
    const run = matchService(c, nub("IOPCIDevice"));
    expect(run.winners.get("IODefaultMatchCategory")?.personality.ioClass).toBe("Good");
    expect(c.diagnostics("com.example.k").length).toBe(2);
  });
});

describe("matchService", () => {
  it("one winner per category, exclusion against clients attached before the pass", () => {
    const c = new IOCatalogue();
    c.addDrivers([
      p({ IOProviderClass: "IOPCIDevice", IOClass: "Low", IOProbeScore: 1 }),
      p({ IOProviderClass: "IOPCIDevice", IOClass: "High", IOProbeScore: 100 }),
      p({ IOProviderClass: "IOPCIDevice", IOClass: "Side", IOMatchCategory: "side" }),
    ]);
    const n = nub("IOPCIDevice");
    const run = matchService(c, n);
    expect([...run.winners].map(([k, v]) => [k, v.personality.ioClass])).toEqual([["IODefaultMatchCategory", "High"], ["side", "Side"]]);
    expect(run.candidates.find((d) => d.personality.ioClass === "Low")?.outcome).toBe("lost");

    n.attachClient({ className: "High", matchCategory: "IODefaultMatchCategory", holdsCategory: true });
    const again = matchService(c, n);
    expect(again.candidates.filter((d) => d.outcome === "category-taken").map((d) => d.personality.ioClass)).toEqual(["High", "Low"]);
    expect([...again.winners.keys()]).toEqual(["side"]);
  });

  it("probe may fail or change the score; start failure passes the category on", () => {
    const c = new IOCatalogue();
    c.addDrivers([
      p({ IOProviderClass: "IOService", IOClass: "A", IOProbeScore: 300 }),
      p({ IOProviderClass: "IOService", IOClass: "B", IOProbeScore: 200 }),
      p({ IOProviderClass: "IOService", IOClass: "C", IOProbeScore: 100 }),
      p({ IOProviderClass: "IOService", IOClass: "D", IOProbeScore: 50 }),
    ]);
    const run = matchService(c, nub("IOService"), {
      probe: (d, _n, s) => (d.personality.ioClass === "A" ? undefined : { score: d.personality.ioClass === "C" ? 1000 : s }),
      start: (d) => d.personality.ioClass !== "C",
    });
    const o = Object.fromEntries(run.candidates.map((d) => [d.personality.ioClass, [d.outcome, d.scoreAfterProbe]]));
    expect(o).toEqual({ A: ["probe-failed", undefined], B: ["started", 200], C: ["start-failed", 1000], D: ["lost", 50] });
  });

  it("an IOResources personality without IOMatchCategory blocks other default-category drivers", () => {
    const c = new IOCatalogue();
    c.addDrivers([
      p({ IOProviderClass: "IOResources", IOClass: "Greedy", IOResourceMatch: "IOKit" }),
      p({ IOProviderClass: "IOResources", IOClass: "Polite", IOResourceMatch: "IOKit" }),
      p({ IOProviderClass: "IOResources", IOClass: "Private", IOMatchCategory: "Private", IOResourceMatch: "IOKit" }),
    ]);
    const res = nub("IOResources", { IOKit: "IOService" });
    const run = matchService(c, res);
    expect([...run.winners.values()].map((d) => d.personality.ioClass)).toEqual(["Greedy", "Private"]);
    expect(run.candidates.find((d) => d.personality.ioClass === "Polite")?.note).toContain("Greedy");
  });

  it("a driver waits at start for the resources it names", () => {
    const c = new IOCatalogue();
    c.addDrivers([p({ IOProviderClass: "IOPCIDevice", IOClass: "NeedsBSD", IOResourceMatch: "IOBSD" })]);
    const res = nub("IOResources", {});
    const run = matchService(c, nub("IOPCIDevice", {}, { resources: res }));
    expect(run.candidates[0]?.outcome).toBe("waiting-resource");
    expect(run.winners.size).toBe(0);
  });

  it("names unexpanded Xcode build settings and keeps the explicit default category quiet", () => {
    const c = new IOCatalogue();
    const r = c.addDrivers([personality({ IOClass: "$(PRODUCT_NAME:rfc1034identifier)", IOProviderClass: "IOPCIDevice", IOMatchCategory: "IODefaultMatchCategory", CFBundleIdentifier: "$(PRODUCT_BUNDLE_IDENTIFIER)" })]);
    expect(r.diagnostics.map((d) => [d.key, d.code])).toEqual([["IOClass", "unexpanded-build-setting"], ["CFBundleIdentifier", "unexpanded-build-setting"]]);
  });

  it("admit stops pass 1 at a stalled kext load and refuses skipped candidates", () => {
    const c = new IOCatalogue();
    c.addDrivers([
      p({ IOProviderClass: "IOService", IOClass: "Loaded", IOProbeScore: 300, IOMatchCategory: "a" }),
      p({ IOProviderClass: "IOService", IOClass: "Dext", IOProbeScore: 250, IOMatchCategory: "b" }),
      p({ IOProviderClass: "IOService", IOClass: "NotLoaded", IOProbeScore: 200, IOMatchCategory: "c" }),
      p({ IOProviderClass: "IOService", IOClass: "Later", IOProbeScore: 100, IOMatchCategory: "d" }),
    ]);
    const run = matchService(c, nub("IOService"), {
      admit: (d) => (d.personality.ioClass === "NotLoaded" ? "stall" : d.personality.ioClass === "Dext" ? "skip" : "ok"),
    });
    expect(run.candidates.map((d) => [d.personality.ioClass, d.outcome])).toEqual([["Loaded", "started"], ["Dext", "skipped"], ["NotLoaded", "stalled"]]);
    expect(run.stalledOn?.personality.ioClass).toBe("NotLoaded");
    expect([...run.winners.keys()]).toEqual(["a"]);
  });
});
