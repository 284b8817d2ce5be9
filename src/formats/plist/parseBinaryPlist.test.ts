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
