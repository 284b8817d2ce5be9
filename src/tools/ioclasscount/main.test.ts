import { describe, expect, it } from "vitest";
import { dict, num } from "../../libkern/index.ts";
import { captureIO } from "../ToolIO.ts";
import { main, runIOClassCount } from "./main.ts";

const root = (classes: Record<string, number>) => new Map([["IOKitDiagnostics", dict({ Classes: dict(Object.fromEntries(Object.entries(classes).map(([k, v]) => [k, num(v, 32)]))) })]]);

describe("iokit ioclasscount", () => {
  it("prints every class sorted case-insensitively, one per line", async () => {
    const io = captureIO();
    expect(await runIOClassCount([], io, () => root({ OSString: 12, IOService: 3, appleThing: 1, Zeta: 0 }))).toBe(0);
    expect(io.out()).toBe("appleThing = 1\nIOService = 3\nOSString = 12\nZeta = 0\n");
  });

  it("prints the named classes on one line, unknown ones as <no such class>", async () => {
    const io = captureIO();
    await runIOClassCount(["IOService", "Nope", "OSString"], io, () => root({ OSString: 12, IOService: 3 }));
    expect(io.out()).toBe("IOService = 3, Nope = <no such class>, OSString = 12\n");
  });

  it("reports missing diagnostics with Apple's messages", async () => {
    const cases: Array<[ReturnType<typeof root> | undefined, string]> = [
      [undefined, "Error: Can't read registry root properties.\n"],
      [new Map(), "Error: Allocation information missing.\n"],
      [new Map([["IOKitDiagnostics", dict({})]]), "Error: Class information missing.\n"],
    ];
    for (const [props, message] of cases) {
      const io = captureIO();
      expect(await runIOClassCount([], io, () => props)).toBe(1);
      expect(io.err()).toBe(message);
      expect(io.out()).toBe("");
    }
  });

  it("reads the embedded kernel: one IOResources nub, IOService counted per live subclass", async () => {
    const io = captureIO();
    expect(await main(["IOResources", "IOUserResources", "IOPlatformExpertDevice", "IOService"], io)).toBe(0);
    // The embedded kernel made one of each nub class, the power root and whatever the bundled kexts
    // matched (the virtual Mac when the extensions are built); IOService counts its direct
    // subclasses with live instances, not the objects.
    expect(io.out()).toMatch(/^IOResources = 1, IOUserResources = 1, IOPlatformExpertDevice = 1, IOService = (\d+)\n$/);
    expect(Number(/IOService = (\d+)/.exec(io.out())?.[1])).toBeGreaterThanOrEqual(4);
  });

  it("lists every kernel class in the embedded kernel", async () => {
    const io = captureIO();
    await main([], io);
    const lines = io.out().trimEnd().split("\n");
    expect(lines.some((l) => /^IOWorkLoop = [1-9]\d*$/.test(l))).toBe(true);
    expect(lines).toContain("IORegistryEntry = 2");
    const names = lines.map((l) => l.split(" = ")[0] as string);
    expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));
  });
});
