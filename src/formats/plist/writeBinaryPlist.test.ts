import { describe, expect, it } from "vitest";
import { dict, num, OSDate, OSUID, real, type OSValue } from "../../libkern/index.ts";
import { parseBinaryPlist, PlistTypeError, writeBinaryPlist } from "./index.ts";

function trailer(b: Uint8Array): { offsetSize: number; refSize: number; count: number; table: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const t = b.length - 32;
  return { offsetSize: b[t + 6] as number, refSize: b[t + 7] as number, count: Number(v.getBigUint64(t + 8)), table: Number(v.getBigUint64(t + 24)) };
}

/** The marker and payload of the object at index i. */
function objectAt(b: Uint8Array, i: number): Uint8Array {
  const { offsetSize, table } = trailer(b);
  let off = 0;
  for (let k = 0; k < offsetSize; k++) off = off * 256 + (b[table + i * offsetSize + k] as number);
  return b.subarray(off);
}

describe("writeBinaryPlist()", () => {
  it("encodes integers by CF's rules", () => {
    const cases: [bigint, number[]][] = [
      [0n, [0x10, 0]],
      [255n, [0x10, 0xff]],
      [256n, [0x11, 1, 0]],
      [65536n, [0x12, 0, 1, 0, 0]],
      [2n ** 32n, [0x13, 0, 0, 0, 1, 0, 0, 0, 0]],
      [-1n, [0x13, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
      [2n ** 64n - 1n, [0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ];
    for (const [v, bytes] of cases) expect([...objectAt(writeBinaryPlist(num(v)), 0).subarray(0, bytes.length)]).toEqual(bytes);
    expect(() => writeBinaryPlist(num(2n ** 127n))).toThrow(PlistTypeError);
  });

  it("keeps real widths, writes dates, UIDs by size, ASCII and UTF-16 strings", () => {
    expect(objectAt(writeBinaryPlist(real(1.5, 32)), 0)[0]).toBe(0x22);
    expect(objectAt(writeBinaryPlist(real(1.5)), 0)[0]).toBe(0x23);
    expect(objectAt(writeBinaryPlist(new OSDate(1)), 0)[0]).toBe(0x33);
    expect([...objectAt(writeBinaryPlist(new OSUID(0x1234)), 0).subarray(0, 3)]).toEqual([0x81, 0x12, 0x34]);
    expect([...objectAt(writeBinaryPlist("ab"), 0).subarray(0, 3)]).toEqual([0x52, 0x61, 0x62]);
    expect([...objectAt(writeBinaryPlist("\u{1F600}"), 0).subarray(0, 5)]).toEqual([0x62, 0xd8, 0x3d, 0xde, 0x00]);
    expect([...objectAt(writeBinaryPlist("x".repeat(20)), 0).subarray(0, 3)]).toEqual([0x5f, 0x10, 20]);
  });

  it("writes equal scalars once and keeps integers and reals apart", () => {
    const b = writeBinaryPlist([dict({ k: "v" }), dict({ k: "v" }), num(1), real(1), num(1), new Uint8Array([1]), new Uint8Array([1])]);
    // array, 2 dicts, "k", "v", 1, 1.0, data
    expect(trailer(b).count).toBe(8);
    const v = parseBinaryPlist(b) as OSValue[];
    expect(v[2]).toEqual(num(1));
    expect(v[3]).toEqual(real(1));
  });

  it("uses the fewest bytes for references and offsets", () => {
    expect(trailer(writeBinaryPlist(["a"])).refSize).toBe(1);
    const many = Array.from({ length: 300 }, (_, i) => `s${i}`);
    expect(trailer(writeBinaryPlist(many)).refSize).toBe(2);
    const big = writeBinaryPlist([new Uint8Array(70_000)]);
    expect(trailer(big).offsetSize).toBe(3);
    expect(parseBinaryPlist(big)).toEqual([new Uint8Array(70_000)]);
  });

  it("refuses a container inside itself", () => {
    const loop: OSValue[] = [];
    loop.push(loop);
    expect(() => writeBinaryPlist(loop)).toThrow(/contains itself/);
  });
});
