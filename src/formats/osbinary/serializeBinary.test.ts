import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dict, num, osEqual, real, OSDate, type OSValue } from "../../libkern/index.ts";
import { fuzzBytes, ioKitValue } from "../../../test/support/arbitraries.ts";
import { OSBinarySyntaxError, realFromBits, serializeBinary, unserializeBinary } from "./index.ts";

const words = (b: Uint8Array): number[] => Array.from({ length: b.length / 4 }, (_, i) => new DataView(b.buffer, b.byteOffset).getUint32(i * 4, true));
const bytesOf = (...w: number[]): Uint8Array => {
  const b = new Uint8Array(w.length * 4);
  w.forEach((x, i) => new DataView(b.buffer).setUint32(i * 4, x >>> 0, true));
  return b;
};

describe("serializeBinary()", () => {
  it("writes the signature, typed 32-bit entries and end bits on last elements", () => {
    expect(words(serializeBinary(dict({ a: true, b: num(5, 16) })))).toEqual([
      0xd3,
      0x81000002, // dictionary of 2, the root (end bit)
      0x08000002, 0x61, // symbol "a\0"
      0x0b000001, // true
      0x08000002, 0x62, // symbol "b\0"
      0x84000010, 5, 0, // 16-bit number, last value (end bit)
    ]);
  });

  it("writes strings without NUL, data padded, and repeats as object references", () => {
    const d = Uint8Array.of(1, 2, 3, 4, 5);
    expect(words(serializeBinary([d, "xy", d, true, true]))).toEqual([
      0xd3, 0x82000005,
      0x0a000005, 0x04030201, 0x05,
      0x09000002, 0x7978,
      0x0c000001, // reference to object 1 (the data)
      0x0b000001,
      0x8c000003, // the second true is a reference to the first
    ]);
  });

  it("shares equal dictionary keys as one symbol, like OSSymbol", () => {
    const w = words(serializeBinary([dict({ k: "1" }), dict({ k: "2" })]));
    expect(w).toContain(0x0c000002); // second "k" refers to object 2 (the first symbol)
  });

  it("refuses dates, 128-bit integers and cycles", () => {
    expect(() => serializeBinary(new OSDate(0))).toThrow(TypeError);
    expect(() => serializeBinary(num(1, 128))).toThrow(/128-bit/);
    const loop: OSValue[] = [];
    loop.push(loop);
    expect(() => serializeBinary(loop)).toThrow(/cycle/);
  });
});

describe("unserializeBinary()", () => {
  it("round-trips a double OSNumber through its bit pattern (xnu OSCollectionTest)", () => {
    for (const x of [1234.5678, -0.1, Number.MAX_VALUE, Number.NaN]) {
      const back = unserializeBinary(serializeBinary(real(x)));
      expect(back).toEqual(num(back instanceof Object ? (back as { value: bigint }).value : 0n, 64));
      expect(Object.is(realFromBits(back as ReturnType<typeof num>).value, x)).toBe(true);
    }
    expect(realFromBits(unserializeBinary(serializeBinary(real(1.5, 32))) as ReturnType<typeof num>)).toEqual(real(1.5, 32));
  });

  it("write -> read is the identity (widths and order included)", () => {
    fc.assert(fc.property(ioKitValue(), (v) => {
      expect(osEqual(unserializeBinary(serializeBinary(v)), v, { compareBits: true, compareOrder: true })).toBe(true);
    }), { numRuns: 400 });
  });

  it("preserves sharing through object references", () => {
    const shared = dict({ x: num(1, 8) });
    const back = unserializeBinary(serializeBinary([shared, [shared]])) as OSValue[];
    expect((back[1] as OSValue[])[0]).toBe(back[0]);
  });

  it("closes several collections at once when nested last elements end", () => {
    const v = [[[num(1, 8)]], num(2, 8)];
    expect(osEqual(unserializeBinary(serializeBinary(v)), v)).toBe(true);
    const tail = dict({ a: [dict({ b: [] })] });
    expect(osEqual(unserializeBinary(serializeBinary(tail)), tail, { compareOrder: true })).toBe(true);
  });

  it("ignores bytes after the final end bit and reads the indexed variant", () => {
    expect(unserializeBinary(bytesOf(0xd3, 0x8b000001, 0xdeadbeef))).toBe(true);
    // Indexed: collections carry a length word after their key.
    expect(unserializeBinary(bytesOf(0x000002d4, 0x82000001, 3, 0x8b000000))).toEqual([false]);
  });

  it("skips a dictionary value that refers to the dictionary itself, as the kernel does", () => {
    const v = unserializeBinary(bytesOf(0xd3, 0x81000002, 0x08000002, 0x61, 0x0c000000, 0x08000002, 0x62, 0x8b000001));
    expect(v).toEqual(dict({ b: true }));
  });

  it("rejects malformed input with the entry's offset", () => {
    const bad: Array<[Uint8Array, RegExp]> = [
      [Uint8Array.of(0x3c, 0x3f, 0, 0), /signature/],
      [bytesOf(0xd3, 0x02000001), /Truncated/],
      [bytesOf(0xd3, 0x84000007, 1, 0), /width 7/],
      [bytesOf(0xd3, 0x84000040, 1), /Truncated/],
      [bytesOf(0xd3, 0x88000002, 0x6161), /not NUL-terminated/],
      [bytesOf(0xd3, 0x88000000), /Empty symbol/],
      [bytesOf(0xd3, 0x8c000000), /Reference to object 0/],
      [bytesOf(0xd3, 0x85000000), /Unknown entry type 0x05/],
      [bytesOf(0xd3, 0x81000001, 0x0b000001, 0x8b000001), /key is not a symbol/],
      [bytesOf(0xd3, 0x0b000001, 0x8b000001), /second top-level/],
      [bytesOf(0xd3, 0x82000001, 0x8c000000), /still open/],
      [bytesOf(0xd3, 0x81000001, 0x88000002, 0x61), /without its value/],
    ];
    for (const [b, re] of bad) {
      expect(() => unserializeBinary(b), re.source).toThrow(OSBinarySyntaxError);
      expect(() => unserializeBinary(b), re.source).toThrow(re);
    }
    const deep = (n: number) => bytesOf(0xd3, ...Array.from({ length: n }, () => 0x82000001), 0x8b000001);
    expect(unserializeBinary(deep(63))).toBeDefined();
    expect(() => unserializeBinary(deep(64))).toThrow(/deeper than 63/);
  });

  it("random and mutated input raises only OSBinarySyntaxError", () => {
    const seed = serializeBinary(dict({ a: [num(5, 32), "x", Uint8Array.of(1)], b: true, c: new Set(["y"]) }));
    const prefixed = fc.uint8Array({ maxLength: 64 }).map((b) => Uint8Array.of(0xd3, 0, 0, 0, ...b));
    fc.assert(fc.property(fc.oneof(fuzzBytes(seed), prefixed), (bytes) => {
      try { unserializeBinary(bytes); } catch (e) { expect(e).toBeInstanceOf(OSBinarySyntaxError); }
    }), { numRuns: 2000 });
  });
});
