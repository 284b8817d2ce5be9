import { describe, expect, it } from "vitest";
import { num, type OSValue } from "../../libkern/index.ts";
import type { IORegistrySnapshot } from "./IORegistrySnapshot.ts";
import { formatIORegText, type IORegFormatOptions } from "./formatIORegText.ts";
import { importIORegText } from "./parseIORegText.ts";
import { IORegSyntaxError } from "./IORegSyntaxError.ts";

// Written by hand from the tree-art rules of iokit-spec §2.3, not produced by our renderer.
const DUMP = [
  "+-o Root  <class IORegistryEntry, id 0x100000100, retain 26>",
  "  | {",
  '  |   "IORegistryPlanes" = {"IOService"="IOService"}',
  "  | }",
  "  | ",
  "  +-o J313AP  <class IOPlatformExpertDevice, id 0x100000220, registered, matched, active, busy 0 (110369 ms), retain 32>",
  "    | {",
  '    |   "model" = <"MacBookAir10,1">',
  "    | }",
  "    | ",
  "    +-o options  <class IODTNVRAM, id 0x10000010d, registered, matched, active, busy 0 (11 ms), retain 12>",
  "    | | {",
  '    | |   "a" = 1',
  "    | | }",
  "    | | ",
  "    | +-o child  <class Foo, id 0x10000010e, !registered, !matched, active, busy 0, retain 5>",
  "    |     {",
  '    |       "b" = "x"',
  "    |     }",
  "    |     ",
  "    +-o last@1f,3  <class IOPCIDevice, id 0x100000300, registered, matched, inactive, busy 2 (0 ms), retain 7>",
  "        {",
  '          "c" = (1,2)',
  "        }",
  "        ",
  "",
].join("\n");

const nodeLines = (text: string): string[] => text.split("\n").filter((l) => l.includes("+-o "));
const render = (o: IORegFormatOptions): string => {
  const { snapshot } = importIORegText(DUMP);
  return formatIORegText(snapshot, { style: snapshot.textStyle, ...o });
};

describe("importIORegText + formatIORegText", () => {
  it("reproduces an ioreg -l listing byte for byte", () => {
    const { snapshot, problem } = importIORegText(DUMP);
    expect(problem).toBeUndefined();
    expect(snapshot.entries.map((e) => e.className)).toEqual(["IORegistryEntry", "IOPlatformExpertDevice", "IODTNVRAM", "Foo", "IOPCIDevice"]);
    expect(snapshot.entries[4]?.planeLocations.IOService).toBe("1f,3");
    expect(snapshot.entries[4]?.service).toEqual({ state: 0x7, busy: 2, busyTimeNs: 1n });
    expect(snapshot.entries[2]?.properties.get("a")).toEqual(num(1));
    expect(render({ list: true })).toBe(DUMP);
  });

  it("prints only node lines without -l, and honours -d", () => {
    expect(render({}).split("\n").filter(Boolean)).toEqual(nodeLines(DUMP));
    expect(render({ depth: 2 })).toBe(`${nodeLines(DUMP).slice(0, 2).join("\n")}\n`);
  });

  it("shows property blocks for -c, -k and -n matches only", () => {
    expect(render({ className: "IODTNVRAM" })).toContain('    | |   "a" = 1\n');
    expect(render({ className: "IODTNVRAM" })).not.toContain('"c" =');
    expect(render({ key: "c" })).toContain('          "c" = (1,2)\n');
    expect(render({ name: "last@1f,3" })).toContain('"c" = (1,2)');
    expect(render({ name: "last" })).toContain('"c" = (1,2)');
    expect(render({ name: "last@1f" })).not.toContain('"c" =');
  });

  it("prints -r subtrees from depth 0 and -t ancestors", () => {
    expect(render({ root: true, name: "options" })).toBe([
      "+-o options  <class IODTNVRAM, id 0x10000010d, registered, matched, active, busy 0 (11 ms), retain 12>",
      "  | {",
      '  |   "a" = 1',
      "  | }",
      "  | ",
      "  +-o child  <class Foo, id 0x10000010e, !registered, !matched, active, busy 0, retain 5>",
      "",
      "",
    ].join("\n"));
    expect(render({ root: true, tree: true, name: "child" })).toBe([
      "+-o Root  <class IORegistryEntry, id 0x100000100, retain 26>",
      "  +-o J313AP  <class IOPlatformExpertDevice, id 0x100000220, registered, matched, active, busy 0 (110369 ms), retain 32>",
      "    +-o options  <class IODTNVRAM, id 0x10000010d, registered, matched, active, busy 0 (11 ms), retain 12>",
      "      +-o child  <class Foo, id 0x10000010e, !registered, !matched, active, busy 0, retain 5>",
      "          {",
      '            "b" = "x"',
      "          }",
      "          ",
      "",
      "",
    ].join("\n"));
  });

  it("clips to -w with $ and turns newlines into spaces", () => {
    const out = render({ width: 20, list: true }).split("\n");
    expect(out[0]).toBe("+-o Root  <class IO$");
    expect(out.every((l) => l.length <= 20)).toBe(true);
    expect(out[1]).toBe("  | {");
    const multi = importIORegText(DUMP.replace('"b" = "x"', '"b" = "x\ny"')).snapshot;
    expect(formatIORegText(multi, { list: true })).toContain('"b" = "x\ny"\n');
    expect(formatIORegText(multi, { list: true, width: 200 })).toContain('"b" = "x y"\n');
  });

  it("prints hex with -x and the class chain with -i", () => {
    expect(render({ hex: true, list: true })).toContain('    | |   "a" = 0x1\n');
    expect(render({ hex: true, list: true })).toContain('"model" = <4d6163426f6f6b41697231302c3100>');
    const chain = importIORegText("+-o Root  <class IORegistryEntry, id 0x100000100, retain 3>\n  +-o X  <class IORegistryEntry:IOService:IOPCIDevice, id 0x100000101, registered, matched, active, busy 0, retain 2>\n");
    expect(chain.snapshot.entries[1]?.superclasses).toEqual(["IOService", "IORegistryEntry"]);
    expect(formatIORegText(chain.snapshot, { inheritance: true })).toContain("<class IORegistryEntry:IOService:IOPCIDevice, id");
  });
});

describe("importIORegText on other generations and damaged input", () => {
  it("reads 10.4 dumps (retain count, no ids, IOService: header) and prints them back the same way", () => {
    const old = "IOService:\n+-o Root  <class IORegistryEntry, retain count 13>\n  +-o ACPI  <class IOACPIPlatformDevice, registered, matched, active, busy 0, retain count 8>\n";
    const { snapshot } = importIORegText(old);
    expect(snapshot.textStyle).toMatchObject({ ids: false, retainCount: true, planeHeader: true });
    expect(snapshot.entries.map((e) => e.id)).toEqual([0x100000100n, 0x100000101n]);
    expect(`IOService:\n${formatIORegText(snapshot, { style: snapshot.textStyle })}`).toBe(old);
  });

  it("accepts CRLF and a BOM, keeps unknown value syntax verbatim, and reports damage by line", () => {
    const text = `\ufeff${DUMP.replace('"a" = 1', '"a" = <--->').replace(/\n/g, "\r\n")}`;
    const { snapshot, problem } = importIORegText(text);
    expect(problem).toBeUndefined();
    expect(snapshot.entries[2]?.properties.get("a")).toBe("<--->");
    expect(formatIORegText(snapshot, { list: true })).toBe(DUMP.replace('"a" = 1', '"a" = <--->'));
    const cut = DUMP.split("\n").slice(0, 13).join("\n");
    const partial = importIORegText(cut);
    expect(partial.problem).toEqual({ line: 13, message: "input ends inside a property block" });
    expect(partial.snapshot.entries).toHaveLength(3);
    expect(() => importIORegText(cut, { strict: true })).toThrow(IORegSyntaxError);
    const garbled = importIORegText(DUMP.replace("+-o child", "~~~ child"));
    expect(garbled.problem?.line).toBe(16);
  });

  it("makes one entry with two parents of an entry printed twice", () => {
    const twice = [
      "+-o Root  <class IORegistryEntry, id 0x100000100, retain 3>",
      "  +-o A  <class IOService, id 0x100000101, registered, matched, active, busy 0, retain 2>",
      "  | +-o S  <class IOService, id 0x100000103, registered, matched, active, busy 0, retain 2>",
      "  +-o B  <class IOService, id 0x100000102, registered, matched, active, busy 0, retain 2>",
      "    +-o S  <class IOService, id 0x100000103, registered, matched, active, busy 0, retain 2>",
      "",
    ].join("\n");
    const { snapshot } = importIORegText(twice);
    expect(snapshot.entries).toHaveLength(4);
    expect(formatIORegText(snapshot, {})).toBe(twice);
  });

  it("never throws on random bytes unless strict", () => {
    for (let seed = 1; seed < 200; seed++) {
      const bytes = new Uint8Array(200).map((_, i) => (seed * 7919 + i * 104729) % 256);
      expect(() => importIORegText(bytes)).not.toThrow();
      try {
        importIORegText(bytes, { strict: true });
      } catch (e) {
        expect(e).toBeInstanceOf(IORegSyntaxError);
      }
    }
  });
});

describe("formatIORegText -f", () => {
  const hexBytes = (h: string): Uint8Array => new Uint8Array(h.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
  const plane = "IODeviceTree";
  const snapshot: IORegistrySnapshot = {
    planes: [plane],
    entries: [
      { id: 0x100000100n, className: "IORegistryEntry", planeNames: { [plane]: "Root" }, planeLocations: {}, properties: new Map(), children: { [plane]: [1] }, retain: 3 },
      { id: 0x100000101n, className: "IOService", planeNames: { [plane]: "pci" }, planeLocations: { [plane]: "0" }, properties: new Map(), children: { [plane]: [2] }, retain: 4 },
      {
        id: 0x100000102n, className: "IOService", planeNames: { [plane]: "dev" }, planeLocations: { [plane]: "1" }, children: {}, retain: 5,
        properties: new Map<string, OSValue>([
          ["reg", hexBytes("1008008200000000000000a00000000000100000")],
          ["interrupts", hexBytes("1100000001000000")],
          ["blob", hexBytes("000102030405060708")],
          ["short", hexBytes("0001")],
          ["n", num(5)],
        ]),
      },
    ],
  };

  it("decodes PCI addresses under a pci parent, interrupts, and hex-dumps other data", () => {
    const out = formatIORegText(snapshot, { plane, list: true, format: true }).split("\n");
    const pad = "        ";
    expect(out.slice(out.indexOf(`${pad}  "reg" = `) + 1, out.indexOf(`${pad}  "reg" = `) + 5)).toEqual([
      `${pad}    00: phys.hi: 82000810 phys.mid: 00000000 phys.lo: a0000000`,
      `${pad}        size.hi: 00000000 size.lo: 00001000`,
      `${pad}        bus: 0 dev: 1 func: 0 reg: 16`,
      `${pad}        type: Mem flags: abs`,
    ]);
    expect(out).toContain(`${pad}    00: specifier: 00000011 (vector: 11) sense: 00000001 (level)`);
    expect(out).toContain(`${pad}    00000000: 00 01 02 03 04 05 06 07 08${"   ".repeat(23)} .........`);
    expect(out).toContain(`${pad}  "short" = <0001>`);
    expect(out).toContain(`${pad}  "n" = 5`);
  });
});

describe("formatIORegText -b", () => {
  it("puts terminal sequences around names without counting them toward -w", () => {
    const { snapshot } = importIORegText(DUMP);
    const bold = { on: "\x1b[1m", off: "\x1b[0m" };
    const out = formatIORegText(snapshot, { style: snapshot.textStyle, bold, width: 12 }).split("\n");
    expect(out[0]).toBe("+-o \x1b[1mRoot\x1b[0m  <$");
    expect(out[1]).toBe("  +-o \x1b[1mJ313A\x1b[0m$");
    expect(out[2]).toBe("    +-o \x1b[1mopt\x1b[0m$");
  });
});
