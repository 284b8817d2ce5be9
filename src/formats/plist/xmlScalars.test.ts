import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OSNumber, OSReal } from "../../libkern/index.ts";
import { BytePool, decodeBase64, encodeBase64 } from "./base64.ts";
import { StringTable } from "./StringTable.ts";
import { parseXMLInteger, parseXMLIntegerAt, parseXMLReal, parseXMLRealAt } from "./xmlScalars.ts";

/** Text from a small alphabet, so the fast paths and their fallbacks both get exercised. */
const textOf = (chars: string, maxLength = 24): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(""));
const framed = <T>(text: fc.Arbitrary<string>, f: (s: string, start: number, end: number) => T, g: (s: string) => T): fc.IPropertyWithHooks<[string, string, string]> =>
  fc.property(text, textOf("<0123 x9", 4), textOf("<0123 x9", 4), (t, pre, post) => {
    expect(f(pre + t + post, pre.length, pre.length + t.length)).toEqual(g(t));
  });
const intOf = (n: OSNumber | undefined): unknown => (n === undefined ? undefined : [n.value, n.bits]);
const realOf = (r: OSReal | undefined): unknown => (r === undefined ? undefined : [Object.is(r.value, -0) ? "-0" : r.value, r.bits]);

describe("range readers agree with the text readers", () => {
  it("parseXMLIntegerAt() reads a range as parseXMLInteger() reads its slice", () => {
    const same = (s: string, a: number, b: number): unknown => intOf(parseXMLIntegerAt(s, a, b));
    fc.assert(framed(textOf("0123456789-+ xXaF"), same, (t) => intOf(parseXMLInteger(t))), { numRuns: 3000 });
    const big = fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }).map(String);
    fc.assert(framed(big, same, (t) => intOf(parseXMLInteger(t))), { numRuns: 2000 });
  });

  it("parseXMLRealAt() reads a range as parseXMLReal() reads its slice", () => {
    const same = (s: string, a: number, b: number): unknown => realOf(parseXMLRealAt(s, a, b));
    fc.assert(framed(textOf("0123456789.eE+- nafiNI", 16), same, (t) => realOf(parseXMLReal(t))), { numRuns: 3000 });
    const doubles = fc.double().map(String);
    fc.assert(framed(doubles, same, (t) => realOf(parseXMLReal(t))), { numRuns: 2000 });
  });
});

describe("decodeBase64() on a range, into a pool", () => {
  it("gives the bytes encoded, in views that do not share bytes", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 9000 }), { minLength: 1, maxLength: 8 }), (blobs) => {
        const pool = new BytePool();
        const out = blobs.map((b) => {
          const text = ` <\n\t${encodeBase64(b).replace(/(.{7})/g, "$1\n\t")}\n> `;
          const d = decodeBase64(text, 2, text.length - 2, pool);
          expect(d).toEqual(b);
          expect(decodeBase64(text.slice(2, -2))).toEqual(b);
          return d as Uint8Array;
        });
        out.forEach((d) => d.fill(0xa5));
        out.forEach((d) => expect(d.every((x) => x === 0xa5)).toBe(true));
        expect(out.reduce((n, d) => n + d.length, 0)).toBe(blobs.reduce((n, b) => n + b.length, 0));
      }),
      { numRuns: 200 },
    );
  });

  it("sizes a blob larger than the scratch space exactly", () => {
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7919) & 0xff);
    const text = encodeBase64(bytes).replace(/(.{76})/g, "$1\n");
    const d = decodeBase64(text, 0, text.length, new BytePool()) as Uint8Array;
    expect(d).toEqual(bytes);
    expect(d.buffer.byteLength).toBe(bytes.length);
    expect(decodeBase64(`${text}*`)).toBeUndefined();
  });

  it("refuses what the whole-text decoder refuses", () => {
    fc.assert(
      fc.property(textOf("AQz+/= \n*", 40), (t) => {
        expect(decodeBase64(`<${t}>`, 1, t.length + 1, new BytePool())).toEqual(decodeBase64(t));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("StringTable", () => {
  it("returns text equal to the range, whatever the order and collisions", () => {
    fc.assert(
      fc.property(fc.array(textOf("ab", 20), { maxLength: 300 }), (words) => {
        const table = new StringTable();
        const text = words.join("|");
        let at = 0;
        for (const w of words) {
          expect(table.intern(text, at, at + w.length)).toBe(w);
          at += w.length + 1;
        }
      }),
    );
  });
});
