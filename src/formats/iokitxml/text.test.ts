import { describe, expect, it } from "vitest";
import { strtoBase0 } from "./text.ts";

describe("strtoBase0()", () => {
  it("parses like C's strtol/strtoul with base 0", () => {
    expect(strtoBase0("42", true)).toBe(42n);
    expect(strtoBase0("  -17x", true)).toBe(-17n);
    expect(strtoBase0("0x1F", false)).toBe(31n);
    expect(strtoBase0("0x", false)).toBe(0n);
    expect(strtoBase0("017", false)).toBe(15n);
    expect(strtoBase0("09", false)).toBe(0n);
    expect(strtoBase0("abc", true)).toBe(0n);
    expect(strtoBase0("99999999999999999999999", true)).toBe(2n ** 63n - 1n);
    expect(strtoBase0("-99999999999999999999999", true)).toBe(-(2n ** 63n));
    expect(strtoBase0("-1", false)).toBe(2n ** 64n - 1n);
    expect(strtoBase0("99999999999999999999999", false)).toBe(2n ** 64n - 1n);
  });
});
