import { describe, expect, it } from "vitest";
import { fuzz } from "./fuzz.ts";
import { FUZZ_TARGETS } from "./fuzzTargets.ts";

describe("fuzz smoke run", () => {
  it.each(FUZZ_TARGETS.map((t) => [t.target.name, t] as const))("%s: mutated inputs raise only typed errors", (_name, target) => {
    const r = fuzz(target, 400, 7);
    expect(r.findings.map((f) => String(f.error))).toEqual([]);
    expect(r.rejected).toBeGreaterThan(0);
  });
});
