import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dict, num, osEqual, real, OSDate, type OSValue } from "../../libkern/index.ts";
import { serializeIOCFXML, serializeKernelXML, unserializeXML } from "./index.ts";
import { ioKitValue } from "../../../test/support/arbitraries.ts";

describe("serializeKernelXML()", () => {
  it("numbers every non-boolean object in first-serialization order, with no wrapper or white space", () => {
    const v = dict({ name: "a<b&c>", n: num(31, 32), flag: true, list: [Uint8Array.of(1, 2, 3, 4), num(1n << 40n, 64)] });
    expect(serializeKernelXML(v)).toBe(
      '<dict ID="0"><key>name</key><string ID="1">a&lt;b&amp;c&gt;</string>' +
      '<key>n</key><integer size="32" ID="2">0x1f</integer><key>flag</key><true/>' +
      '<key>list</key><array ID="3"><data ID="4">AQIDBA==</data><integer size="64" ID="5">0x10000000000</integer></array></dict>');
  });

  it("writes a repeated object as <reference IDREF>, and masks integers to their width", () => {
    const shared = Uint8Array.of(0xff);
    const n = num(-1, 16);
    expect(serializeKernelXML([shared, n, shared, n])).toBe(
      '<array ID="0"><data ID="1">/w==</data><integer size="16" ID="2">0xffff</integer><reference IDREF="1"/><reference IDREF="2"/></array>');
  });

  it("writes empty containers and sets", () => {
    expect(serializeKernelXML([new Map(), [], new Set(), "", new Uint8Array(0)])).toBe(
      '<array ID="0"><dict ID="1"></dict><array ID="2"></array><set ID="3"></set><string ID="4"></string><data ID="5"></data></array>');
  });

  it("refuses what the kernel cannot express and cycles", () => {
    expect(() => serializeKernelXML(real(1.5))).toThrow(TypeError);
    expect(() => serializeKernelXML(new OSDate(0))).toThrow(/date/);
    expect(() => serializeKernelXML(num(1, 128))).toThrow(/128-bit/);
    expect(() => serializeKernelXML("a\0b")).toThrow(/NUL/);
    const loop: OSValue[] = [];
    loop.push(loop);
    expect(() => serializeKernelXML(loop)).toThrow(/cycle/);
  });
});

describe("serializeIOCFXML()", () => {
  it("gives IDs only to values seen more than once and writes repeats as <tag IDREF>", () => {
    const d = Uint8Array.of(1);
    const v = dict({ a: "x", b: "y", c: "x", d, e: d, f: num(5, 32), g: num(5, 32), h: num(5, 8) });
    expect(serializeIOCFXML(v)).toBe(
      '<dict><key>a</key><string ID="0">x</string><key>b</key><string>y</string><key>c</key><string IDREF="0"/>' +
      '<key>d</key><data ID="1">AQ==</data><key>e</key><data IDREF="1"/>' +
      '<key>f</key><integer ID="2" size="32">0x5</integer><key>g</key><integer IDREF="2"/><key>h</key><integer size="8">0x5</integer></dict>');
  });

  it("prints integers as 64-bit unsigned hex like LP64 %lx, whatever the size", () => {
    expect(serializeIOCFXML(num(-1, 32))).toBe('<integer size="32">0xffffffffffffffff</integer>');
    expect(unserializeXML(serializeIOCFXML(num(-1, 32)))).toEqual(num(0xffffffffn, 32));
  });

  it("does not count dictionary keys as occurrences", () => {
    expect(serializeIOCFXML(dict({ k: "k" }))).toBe("<dict><key>k</key><string>k</string></dict>");
  });

  it("converts integral reals to 64-bit integers and refuses the rest, as CFNumberGetValue does", () => {
    expect(serializeIOCFXML(real(3))).toBe('<integer size="64">0x3</integer>');
    expect(() => serializeIOCFXML(real(0.5))).toThrow(/only integral/);
    expect(serializeIOCFXML(num(5, 128))).toBe('<integer size="64">0x5</integer>');
    expect(() => serializeIOCFXML(num(2n ** 64n, 128))).toThrow(/at most 64 bits/);
  });
});

describe("kernel XML write -> OSUnserializeXML read", () => {
  it("is the identity for the kernel flavour (widths included)", () => {
    fc.assert(fc.property(ioKitValue(), (v) => {
      expect(osEqual(unserializeXML(serializeKernelXML(v)), v, { compareBits: true, compareOrder: true })).toBe(true);
    }), { numRuns: 300 });
  });

  it("is the identity for the IOCFSerialize flavour (widths included)", () => {
    fc.assert(fc.property(ioKitValue(), (v) => {
      expect(osEqual(unserializeXML(serializeIOCFXML(v)), v, { compareBits: true, compareOrder: true })).toBe(true);
    }), { numRuns: 300 });
  });

  it("preserves sharing: a referenced object comes back as the same object", () => {
    const shared = [num(1, 8)];
    const back = unserializeXML(serializeKernelXML([shared, shared])) as OSValue[];
    expect(back[0]).toBe(back[1]);
  });
});
