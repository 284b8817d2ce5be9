import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dict, kindOf, num, osEqual, OSDate, OSUID, real } from "./OSValue.ts";

describe("OSValue", () => {
  it("stores one normalized representation per integer, whether built from a number or a bigint", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (v) => {
        const a = num(v);
        expect(a.value).toBe(v);
        expect(a.toString()).toBe(v.toString());
        const safe = v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
        expect(typeof a.raw).toBe(safe ? "number" : "bigint");
        if (safe) {
          expect(num(Number(v))).toEqual(a);
          expect(a.toNumber()).toBe(Number(v));
        }
        expect(osEqual(a, num(v + 1n))).toBe(false);
        expect(a).not.toEqual(num(v + 1n));
      }),
    );
    expect(Object.is(num(-0).raw, 0)).toBe(true);
    expect(num(-0.7).value).toBe(0n);
    expect(() => num(Number.NaN)).toThrow(RangeError);
  });

  it("keeps integers and reals apart", () => {
    expect(kindOf(num(1))).toBe("integer");
    expect(kindOf(real(1))).toBe("real");
    expect(osEqual(num(1), real(1))).toBe(false);
  });

  it("holds the full unsigned 64-bit range exactly", () => {
    const max = num(2n ** 64n - 1n);
    expect(max.value).toBe(18446744073709551615n);
    expect(num(-1).unsigned()).toBe(18446744073709551615n);
  });

  it("compares dictionaries by content, and by order only when asked", () => {
    const a = dict({ x: num(1), y: "s" });
    const b = dict([["y", "s"], ["x", num(1)]]);
    expect(osEqual(a, b)).toBe(true);
    expect(osEqual(a, b, { compareOrder: true })).toBe(false);
  });

  it("compares data, sets, dates and UIDs by value", () => {
    expect(osEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(osEqual(new Set(["a", num(2)]), new Set([num(2), "a"]))).toBe(true);
    expect(osEqual(OSDate.fromUnixSeconds(978307200), new OSDate(0))).toBe(true);
    expect(osEqual(new OSUID(5), new OSUID(6))).toBe(false);
  });

  it("distinguishes -0 and +0 reals and bit widths on request", () => {
    expect(osEqual(real(-0), real(0))).toBe(false);
    expect(osEqual(num(5, 32), num(5, 64))).toBe(true);
    expect(osEqual(num(5, 32), num(5, 64), { compareBits: true })).toBe(false);
  });
});

describe("OSNumber 32-bit views", () => {
  it("uint32() and int32() equal the bigint reinterpretation for every magnitude", async () => {
    const fc = await import("fast-check");
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), (v) => {
        const n = num(v);
        expect(n.uint32()).toBe(Number(BigInt.asUintN(32, v)));
        expect(n.int32()).toBe(Number(BigInt.asIntN(32, v)));
      }),
      { numRuns: 2000 },
    );
    expect(num(0xffffffff).int32()).toBe(-1);
    expect(num(-1).uint32()).toBe(0xffffffff);
    expect(num(2n ** 53n + 5n).uint32()).toBe(5);
  });
});
