import { describe, expect, it } from "vitest";
import { importIORegText } from "../../formats/index.ts";
import { observedFactCounts } from "./appleClassHierarchy.ts";
import { OBSERVED_CONFORMANCES } from "./appleClassesObserved.ts";
import { ClassHierarchy } from "./ClassHierarchy.ts";
import { APPLE_CLASS_LINKS } from "./appleClasses.ts";
import { entryKeys, replayDump, type ReplayEntry } from "./replayDump.ts";
import { replayEntriesFromSnapshot } from "./replayEntries.ts";
import { driver, testDumpText, testMachine, testSnapshot } from "./testDump.ts";

const hierarchy = new ClassHierarchy(APPLE_CLASS_LINKS);

describe("replayDump", () => {
  it("reproduces what matching recorded and reports what it predicts beyond it", () => {
    const r = replayDump(replayEntriesFromSnapshot(testSnapshot(testMachine())), { hierarchy, dump: "test" });
    const rep = r.report;
    expect(rep.attachments).toBe(4);
    expect(rep.reproduced).toBe(4);
    expect(rep.missed).toEqual([]);
    // ETH1 has the same IDs as ETH0 but no driver: the replay predicts Enet there.
    expect(rep.spurious.map((a) => [r.nubs.get(a.provider)?.name, a.class])).toEqual([["ETH1", "Enet"]]);
    expect(rep.predicted.length).toBe(rep.reproduced + rep.spurious.length);
  });

  it("takes the USB family's contribution back out of the recorded IOProbeScore", () => {
    const r = replayDump(replayEntriesFromSnapshot(testSnapshot(testMachine())), { hierarchy });
    const hub = [...r.catalogue.personalities()].find((p) => p.ioClass === "USBHub");
    expect(hub?.score).toBe(0); // recorded 50000 = rule 50000 + personality 0
    const run = [...r.runs.values()].find((x) => x.nub.className === "IOUSBDevice");
    expect(run?.winners.get("IODefaultMatchCategory")?.scoreAfterMatch).toBe(50000);
  });

  it("reads the same machine through ioreg text", () => {
    const { snapshot } = importIORegText(testDumpText(testMachine()));
    const r = replayDump(replayEntriesFromSnapshot(snapshot), { hierarchy });
    expect(r.report.reproduced).toBe(4);
    expect(r.report.missed[0]?.provider ?? "").toBe("");
  });

  it("names providers by id, or by display path with #k for same-named siblings", () => {
    const leaf = (name: string): ReplayEntry => ({ name, className: "IOService", properties: new Map(), children: [], registered: true });
    const a = leaf("X");
    const b = leaf("X");
    const c = { ...leaf("Y"), location: "1" };
    const root: ReplayEntry = { name: "Root", className: "IORegistryEntry", properties: new Map(), children: [{ ...leaf("Mac"), children: [a, b, c] }] };
    const keys = entryKeys(root);
    expect([keys.get(a), keys.get(b), keys.get(c)]).toEqual(["/Mac/X#0", "/Mac/X#1", "/Mac/Y@1"]);
  });

  it("counts a driver that matched IOResources and moved under a device as matched on IOResources", () => {
    const m = testMachine();
    const mac = (m.children ?? [])[0];
    const pci0 = (mac?.children ?? [])[1];
    const eth0 = (pci0?.children ?? [])[0];
    (eth0?.children as unknown as unknown[]).push(driver("Stack", "IOResources", { IOMatchCategory: "Stack", IOResourceMatch: "IOBSD" }));
    const r = replayDump(replayEntriesFromSnapshot(testSnapshot(m)), { hierarchy });
    const stack = r.recorded.find((a) => a.class === "Stack");
    expect(r.nubs.get(stack?.provider ?? "")?.className).toBe("IOResources");
    expect(r.report.missed).toEqual([]);
  });
});

describe("personalities rebuilt from driver entries", () => {
  it("drop a family key the driver set on itself when it contradicts the provider it matched", () => {
    const machine = {
      name: "Root", cls: "IORegistryEntry", state: "none" as const,
      children: [{ name: "Mac", cls: "IOPlatformExpertDevice", children: [
        { name: "IOHIDInterface", cls: "IOHIDInterface", props: { LocationID: 0x14000000, Transport: "USB" }, children: [
          driver("Pad", "IOHIDInterface", { Transport: "USB", LocationID: 0 }),
        ] },
      ] }],
    };
    const r = replayDump(replayEntriesFromSnapshot(testSnapshot(machine)), { hierarchy });
    expect(r.report.reproduced).toBe(1);
    const pad = [...r.catalogue.personalities()].find((p) => p.ioClass === "Pad");
    expect(pad?.table.has("LocationID")).toBe(false);
    expect(pad?.table.get("Transport")).toBe("USB");
  });
});

describe("IOClassNameOverride", () => {
  it("an entry shown under its override name conforms to the real classes known behind it", () => {
    const machine = {
      name: "Root", cls: "IORegistryEntry", state: "none" as const,
      children: [{ name: "Mac", cls: "IOPlatformExpertDevice", children: [
        { name: "Camera", cls: "IOUSBDevice", props: { IOClassNameOverride: "IOUSBDevice", bDeviceClass: 239, bDeviceSubClass: 2, bDeviceProtocol: 1 }, children: [
          driver("Composite", "IOUSBHostDevice", { bDeviceClass: 239, bDeviceSubClass: 2, IOProbeScore: 50000 }),
        ] },
      ] }],
    };
    const entries = replayEntriesFromSnapshot(testSnapshot(machine));
    expect(replayDump(entries, { hierarchy }).report.reproduced).toBe(0);
    const overrides = new Map([["IOUSBDevice", ["IOUSBHostDevice"]]]);
    expect(replayDump(entries, { hierarchy, overrides }).report.reproduced).toBe(1);
  });
});

describe("class table", () => {
  it("leaves out exactly the facts whose only source is the replayed dump", () => {
    const digests = [...new Set(OBSERVED_CONFORMANCES.flatMap((f) => f[2]))];
    for (const d of digests) {
      const solo = OBSERVED_CONFORMANCES.filter((f) => f[2].length === 1 && f[2][0] === d).length;
      expect(observedFactCounts({ excludeDump: d }).excluded).toBe(solo);
    }
    expect(observedFactCounts().excluded).toBe(0);
  });

  it("keeps header chains authoritative and refuses cycles", () => {
    const h = new ClassHierarchy(APPLE_CLASS_LINKS);
    expect(h.conformsTo("IORootHubDevice", "IOService")).toBe(false);
    expect(h.conformsTo("IOUSBRootHubDevice", "IOUSBNub")).toBe(true);
    expect(h.addConformance("IOService", "IOUSBDevice")).toBe(false);
    expect(h.classChain("IOAGPDevice")).toEqual(["IOAGPDevice", "IOPCIDevice", "IOService", "IORegistryEntry", "OSObject"]);
  });
});
