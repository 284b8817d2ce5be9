import { describe, expect, it } from "vitest";
import { fuzz } from "./fuzz.ts";
import { machoFuzzTarget, mutateMachO } from "./fuzzMacho.ts";

describe("macho fuzz smoke", () => {
  it("1500 mutated Mach-O files raise only MachOFormatError, each quickly", () => {
    const r = fuzz({ target: machoFuzzTarget, mutate: mutateMachO }, 1500, 7);
    expect(r.findings.map((f) => String(f.error))).toEqual([]);
    expect(r.accepted + r.rejected).toBe(1500);
    expect(r.rejected).toBeGreaterThan(0);
  });
});
