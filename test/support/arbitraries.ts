/**
 * fast-check generators shared by the codec tests: values the I/O Kit dialects can carry, and
 * fuzz inputs (random bytes, and a valid sample with a few bytes overwritten).
 */
import fc from "fast-check";
import { num, type OSValue } from "../../src/libkern/index.ts";

/** Strings, booleans, sized unsigned integers, data, arrays, dictionaries and sets (no reals, dates or UIDs). */
export function ioKitValue(options: { noBackslash?: boolean } = {}): fc.Arbitrary<OSValue> {
  const str = fc.string({ unit: "grapheme", maxLength: 10 })
    .filter((s) => !s.includes("\0") && !(options.noBackslash && s.includes("\\")));
  const integer = fc.constantFrom(8, 16, 32, 64).chain((bits) =>
    fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n }).map((v) => num(v, bits)));
  const leaf = fc.oneof(str, fc.boolean(), integer, fc.uint8Array({ maxLength: 12 }));
  return fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("v"), { maxLength: 4 }),
      fc.array(fc.tuple(str, tie("v")), { maxLength: 4 }).map((e) => new Map(e)),
      fc.array(tie("v"), { maxLength: 3 }).map((a) => new Set(a))),
  })).v as fc.Arbitrary<OSValue>;
}

/** Random bytes, or `seed` with up to six bytes overwritten: inputs a parser must reject cleanly. */
export function fuzzBytes(seed: Uint8Array, maxRandom = 64): fc.Arbitrary<Uint8Array> {
  const mutated = fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 })
    .map((muts) => {
      const b = seed.slice();
      for (const [i, x] of muts) b[i] = x;
      return b;
    });
  return fc.oneof(fc.uint8Array({ maxLength: maxRandom }), mutated);
}
