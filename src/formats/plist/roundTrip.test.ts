/**
 * Property tests: every typed tree survives write→read in both formats, and depth costs heap,
 * never stack, in readers and writers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plistValue } from "../../../test/support/plistArbitrary.ts";
import { typedText } from "../../../test/support/typedPlist.ts";
import { OSNumber, type OSValue } from "../../libkern/index.ts";
import { parseBinaryPlist, parseXMLPlist, writeBinaryPlist, writeJSONPlist, writeXMLPlist } from "./index.ts";

describe("plist write→read identity", () => {
  it("holds for XML", () => {
    fc.assert(
      fc.property(plistValue({ xml: true }), (v) => {
        expect(typedText(parseXMLPlist(writeXMLPlist(v, { sortKeys: false })))).toBe(typedText(v));
      }),
      { numRuns: 300 },
    );
  });

  it("holds for binary, sets included", () => {
    fc.assert(
      fc.property(plistValue(), (v) => {
        expect(typedText(parseBinaryPlist(writeBinaryPlist(v)))).toBe(typedText(v));
      }),
      { numRuns: 300 },
    );
  });

  it("holds 10,000 levels deep in both formats", () => {
    const depth = 10_000;
    let deep: OSValue = new OSNumber(1);
    for (let i = 0; i < depth; i++) deep = i % 2 === 0 ? [deep] : new Map([["k", deep]]);
    const text = typedText(deep);
    expect(typedText(parseBinaryPlist(writeBinaryPlist(deep)))).toBe(text);
    // CF indents one tab per level, so this document is ~125 MB; writing it proves the point
    // (the XML reader's depth test reads 100,000 levels without indentation).
    expect(writeXMLPlist(deep).endsWith("</plist>\n")).toBe(true);
    expect(writeJSONPlist(deep).length).toBeGreaterThan(depth);
  });
});
