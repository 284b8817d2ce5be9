import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../../libkern/index.ts";
import { PlistFormatError, parseBinaryPlist } from "./index.ts";

/** Assembles a bplist00 from encoded objects (object i is objects[i]) with the given sizes. */
function bplist(objects: number[][], top = 0, refSize = 1, offSize = 2, count = objects.length, tableAt?: number): Uint8Array {
  const body: number[] = [..."bplist00"].map((c) => c.charCodeAt(0));
  const offsets: number[] = [];
  for (const o of objects) {
    offsets.push(body.length);
    body.push(...o);
  }
  const table = body.length;
  for (const off of offsets) for (let i = offSize - 1; i >= 0; i--) body.push(Math.floor(off / 256 ** i) % 256);
  const be64 = (v: number | bigint): number[] => {
    const out: number[] = [];
    let x = BigInt(v);
    for (let i = 0; i < 8; i++) {
      out.unshift(Number(x & 0xffn));
      x >>= 8n;
    }
    return out;
  };
  body.push(0, 0, 0, 0, 0, 0, offSize, refSize, ...be64(count), ...be64(top), ...be64(tableAt ?? table));
  return new Uint8Array(body);
}

function error(bytes: Uint8Array): PlistFormatError {
  try {
    parseBinaryPlist(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(PlistFormatError);
    expect(e).toBeInstanceOf(SyntaxError);
    expect((e as Error).message).toMatch(/at byte offset \d+$/);
    return e as PlistFormatError;
  }
  throw new Error("expected a PlistFormatError");
}

const ascii = (s: string): number[] => [0x50 | s.length, ...[...s].map((c) => c.charCodeAt(0))];

describe("parseBinaryPlist()", () => {
  it("reads integers of every width with CF's signedness", () => {
    const v = parseBinaryPlist(bplist([
      [0xa6, 1, 2, 3, 4, 5, 6],
      [0x10, 0xff],
      [0x11, 0xff, 0xff],
      [0x12, 0x80, 0, 0, 0],
      [0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x14, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ])) as OSNumber[];
    expect(v.map((n) => n.value)).toEqual([255n, 65535n, 2n ** 31n, -1n, 2n ** 64n - 1n, 2n ** 127n - 1n]);
    expect(v.map((n) => n.bits)).toEqual([64, 64, 64, 64, 64, 128]);
  });

  it("reads reals, dates, data, strings, UIDs, sets and dictionaries", () => {
    const v = parseBinaryPlist(bplist([
      [0xd7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
      ...["r4", "r8", "date", "data", "u16", "uid", "set"].map(ascii),
      [0x22, 0x3f, 0xc0, 0, 0],
      [0x23, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0],
      [0x33, 0x40, 0x4e, 0, 0, 0, 0, 0, 0],
      [0x43, 1, 2, 3],
      [0x63, 0xd8, 0x3d, 0xde, 0x00, 0x00, 0x41],
      [0x81, 0x12, 0x34],
      [0xc2, 15, 16],
      [0x09],
      [0x08],
    ])) as Map<string, OSValue>;
    expect([...v.keys()]).toEqual(["r4", "r8", "date", "data", "u16", "uid", "set"]);
    expect(v.get("r4")).toEqual(new OSReal(1.5, 32));
    expect(v.get("r8")).toEqual(new OSReal(1));
    expect(v.get("date")).toEqual(new OSDate(60));
    expect(v.get("data")).toEqual(new Uint8Array([1, 2, 3]));
    expect(v.get("u16")).toBe("\u{1F600}A");
    expect(v.get("uid")).toEqual(new OSUID(0x1234));
    expect(v.get("set")).toEqual(new Set([true, false]));
  });

  it("reads long lengths and shares repeated objects", () => {
    const long = "x".repeat(300);
    const v = parseBinaryPlist(bplist([[0xa2, 1, 1], [0x5f, 0x11, 0x01, 0x2c, ...[...long].map((c) => c.charCodeAt(0))]])) as string[];
    expect(v).toEqual([long, long]);
  });

  it("decodes strings on both sides of the bulk-decoding threshold", () => {
    const long = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(0x20 + (i % 95))).join("");
    const len = (n: number): number[] => [0x11, n >> 8, n & 0xff];
    // 3,000 UTF-16 units with a surrogate pair straddling every 1,024-unit boundary, and a lone one.
    const units = Array.from({ length: 3000 }, (_, i) => (i % 1024 === 1023 ? 0xd83d : i % 1024 === 0 && i > 0 ? 0xde00 : 0x4e00 + i));
    units[2999] = 0xdc00;
    const utf16 = units.flatMap((u) => [u >> 8, u & 0xff]);
    const cafe = [0x63, 0x61, 0x66, 0xc3, 0xa9]; // "café" in UTF-8, inside an "ASCII" string
    const v = parseBinaryPlist(bplist([
      [0xa5, 1, 2, 3, 4, 5],
      [0x5f, ...len(long.length), ...[...long].map((c) => c.charCodeAt(0))],
      [0x6f, ...len(units.length), ...utf16],
      [0x55, ...cafe],
      [0x5f, ...len(2000), ...Array.from({ length: 1995 }, () => 0x61), ...cafe],
      [0x50],
    ], 0, 1, 2)) as string[];
    expect(v[0]).toBe(long);
    const u16 = v[1] as string;
    expect(Array.from({ length: u16.length }, (_, i) => u16.charCodeAt(i))).toEqual(units);
    expect([...u16].length).toBe(3000 - 2); // the pairs split across chunks joined into code points
    expect(v[2]).toBe("café");
    expect(v[3]).toBe(`${"a".repeat(1995)}café`);
    expect(v[4]).toBe("");
  });

  it("gives data its own bytes, also when the input is a Node Buffer inside a larger pool", () => {
    const file = bplist([[0xa2, 1, 1], [0x43, 7, 8, 9]]);
    const big = Buffer.alloc(file.length + 100);
    big.set(file, 37);
    const input = big.subarray(37, 37 + file.length); // Buffer#slice and #subarray are views, not copies
    const v = parseBinaryPlist(input) as Uint8Array[];
    expect(v[0]).toEqual(new Uint8Array([7, 8, 9]));
    expect(v[1]).toBe(v[0]); // a shared reference reads to the same value, as in CF
    input.fill(0); // the caller reusing its buffer does not change the value read
    expect(v[0]).toEqual(new Uint8Array([7, 8, 9]));
  });

  it("reads 10,000 levels of nesting without recursion", () => {
    const depth = 10_000;
    const objects: number[][] = [];
    for (let i = 0; i < depth - 1; i++) objects.push([0xa1, (i + 1) >> 8, (i + 1) & 0xff]);
    objects.push([0xa0]);
    let v = parseBinaryPlist(bplist(objects, 0, 2, 4));
    let n = 0;
    while (Array.isArray(v) && v.length > 0) {
      v = v[0] as OSValue;
      n++;
    }
    expect(n).toBe(depth - 1);
  });

  it("refuses malformed files with the byte offset", () => {
    const good = bplist([[0xa1, 1], ascii("ok")]);
    expect(parseBinaryPlist(good)).toEqual(["ok"]);
    expect(error(new TextEncoder().encode("bplist01xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")).offset).toBe(0);
    for (let cut = 8; cut < good.length; cut += 3) error(good.subarray(0, cut));
    expect(error(bplist([[0xa1, 0]])).message).toMatch(/cycle/);
    expect(error(bplist([[0xa1, 1], [0xa1, 0]])).message).toMatch(/cycle/);
    expect(error(bplist([[0xa1, 7]])).message).toMatch(/reference 7/);
    expect(error(bplist([[0xaf, 0x13, 0, 0, 0x01, 0, 0, 0, 0, 0]])).message).toMatch(/Array of \d+ bytes runs past/);
    expect(error(bplist([[0x4f, 0x13, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]])).message).toMatch(/Data/);
    expect(error(bplist([[0x00]])).message).toMatch(/Null/);
    expect(error(bplist([[0x75, 0]])).message).toMatch(/Unknown object marker 0x75/);
    expect(error(bplist([[0x15, 0]])).message).toMatch(/Integer of 32 bytes/);
    expect(error(bplist([[0xd1, 1, 1], [0x10, 1]])).message).toMatch(/key is not a string/);
    expect(error(bplist([[0x09]], 1)).message).toMatch(/Top object/);
    expect(error(bplist([[0x09]], 0, 1, 2, 2 ** 40)).message).toMatch(/Offset table/);
    expect(error(bplist([[0x09]], 0, 1, 2, 1, 2 ** 40)).message).toMatch(/Offset table/);
    expect(error(bplist([[0x09]], 0, 0)).message).toMatch(/reference size 0/);
    expect(error(bplist([[0x09]], 0, 1, 9)).message).toMatch(/offset size 9/);
    const outside = bplist([[0x09]]);
    outside[outside.length - 33] = 0xff; // the only offset-table entry
    expect(error(outside).message).toMatch(/outside the object area/);
  });
});
