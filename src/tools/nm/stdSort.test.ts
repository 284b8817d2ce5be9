import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stdSort, stdSortFast } from "./stdSort.ts";

describe("stdSort", () => {
  it("sorts like Array.prototype.sort by key for any input, including the heapsort fallback", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (xs) => {
      const a = [...xs];
      stdSort(a, (x, y) => x < y);
      expect(a).toEqual([...xs].sort((x, y) => x - y));
    }), { numRuns: 300 });
    // Adversarial input for median-of-three: a sawtooth that drives the depth limit down.
    const saw = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? i : 5000 - i));
    const copy = [...saw];
    stdSort(copy, (x, y) => x < y);
    expect(copy).toEqual([...saw].sort((x, y) => x - y));
  });

  it("stdSortFast gives exactly stdSort's order, ties included", () => {
    fc.assert(fc.property(fc.array(fc.record({ k: fc.integer({ min: 0, max: 20 }), id: fc.nat() }), { maxLength: 200 }), (xs) => {
      const a = [...xs];
      const b = [...xs];
      stdSort(a, (x, y) => x.k < y.k);
      stdSortFast(b, (x, y) => x.k < y.k);
      expect(b).toEqual(a);
    }), { numRuns: 300 });
  });

  it("is a permutation of its input when keys tie (it is not stable)", () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ k: i % 3, id: i }));
    const a = [...items];
    stdSort(a, (x, y) => x.k < y.k);
    expect(a.map((x) => x.k)).toEqual([...items].map((x) => x.k).sort());
    expect(new Set(a.map((x) => x.id)).size).toBe(100);
  });
});
