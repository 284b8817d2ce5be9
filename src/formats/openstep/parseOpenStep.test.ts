import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { corpusFiles } from "../../../test/support/corpus.ts";
import { fuzzBytes } from "../../../test/support/arbitraries.ts";
import { OSDate, num, osEqual, real, type OSValue } from "../../libkern/index.ts";
import { OpenStepSyntaxError, StringsFormatError, parseOpenStep, parseStrings, readStringsFile, tryParseOpenStep, writeOpenStep, writeStrings } from "./index.ts";

const dict = (o: Record<string, OSValue>) => new Map(Object.entries(o));

describe("parseOpenStep()", () => {
  it("reads dictionaries, arrays, quoted and unquoted strings and data", () => {
    const v = parseOpenStep(`{ a = b; "c d" = ( x, 'y', <0aFF 10> ); e = {}; f = (); }`);
    expect(osEqual(v, dict({ a: "b", "c d": ["x", "y", Uint8Array.of(0x0a, 0xff, 0x10)], e: new Map(), f: [] }), { compareOrder: true })).toBe(true);
  });

  it("has no numbers: 0.25 and -1337 stay strings, as in CF", () => {
    expect(parseOpenStep("( 0.25, -1337, YES )")).toEqual(["0.25", "-1337", "YES"]);
  });

  it("accepts a trailing comma in arrays and a bare key; entry in dictionaries", () => {
    expect(parseOpenStep("(a, b,)")).toEqual(["a", "b"]);
    expect(parseOpenStep("{ k; }")).toEqual(dict({ k: "k" }));
  });

  it("decodes escapes: C escapes, octal as NeXTSTEP Latin, \\U with up to four hex digits", () => {
    expect(parseOpenStep(String.raw`"a\tb\n\"q\"\\ \101\341 \U00e9\U263A\Uzz \x"`)).toBe("a\tb\n\"q\"\\ A\u00c6 \u00e9\u263a\u0000zz x");
    // three octal digits at most: \0101 is \010 followed by "1"
    expect(parseOpenStep(String.raw`"\0101"`)).toBe("\u00081");
  });

  it("skips // and /* */ comments, but a lone / starts an unquoted string", () => {
    expect(parseOpenStep("/* c */ { a = /* x */ b; // line\n c = /d; }")).toEqual(dict({ a: "b", c: "/d" }));
  });

  it("treats an empty or whitespace-only file as an empty dictionary", () => {
    expect(parseOpenStep("  \n// nothing\n")).toEqual(new Map());
  });

  it("re-reads a string followed by more text as a .strings file", () => {
    expect(parseOpenStep(`"k" = "v";\nbare;`)).toEqual(dict({ k: "v", bare: "bare" }));
  });

  it("keeps the first position and the last value for duplicate keys", () => {
    const v = parseOpenStep("{ a = 1; b = 2; a = 3; }") as Map<string, OSValue>;
    expect([...v]).toEqual([["a", "3"], ["b", "2"]]);
  });

  it("reports line:column for errors", () => {
    const r = tryParseOpenStep("{\n  a = b;\n  c = d\n}");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(SyntaxError);
      expect(r.error.line).toBe(4);
      expect(r.error.column).toBe(1);
      expect(r.error.message).toMatch(/Missing ';'.*"c".*line 4:1/);
    }
    expect(() => parseOpenStep("{ a = <abc>; }")).toThrow(/uneven/);
    expect(() => parseOpenStep("{ a = <zz>; }")).toThrow(/invalid hex/);
    expect(() => parseOpenStep('( "abc')).toThrow(/Unterminated quoted string at line 1:3/);
    expect(() => parseOpenStep("( a b )")).toThrow(/terminating '\)'/);
    expect(() => parseOpenStep("{ a = b; } x")).toThrow(/Junk after plist/);
    expect(() => parseOpenStep("{ a = ; }")).toThrow(/Unexpected character ';'/);
  });

  it("rejects GNUstep typed values like CF, and reads them with { gnustep: true }", () => {
    expect(() => parseOpenStep("( <*I5> )")).toThrow(/GNUstep.*not accepted by CoreFoundation/);
    const v = parseOpenStep("( <*I-5>, <*R1.5>, <*BY>, <*BN>, <*D2001-01-01 01:00:00 +0100> )", { gnustep: true });
    expect(osEqual(v, [num(-5), real(1.5), true, false, new OSDate(0)])).toBe(true);
    expect(() => parseOpenStep("( <*Q1> )", { gnustep: true })).toThrow(/Unknown GNUstep/);
  });

  it("stops deep nesting with a typed error instead of overflowing the stack", () => {
    expect(() => parseOpenStep("(".repeat(100_000))).toThrow(OpenStepSyntaxError);
    expect(() => parseOpenStep("(".repeat(100_000))).toThrow(/nesting deeper than 512/);
  });

  it("decodes UTF-16 with BOM and UTF-8 with or without BOM", () => {
    const utf16 = writeStrings(new Map([["k", "v\u00e9"]]));
    expect(utf16[0]).toBe(0xff);
    expect(parseStrings(utf16)).toEqual(new Map([["k", "v\u00e9"]]));
    expect(parseStrings(writeStrings(new Map([["k", "\u263a"]]), { encoding: "utf-16be" }))).toEqual(new Map([["k", "\u263a"]]));
    expect(parseStrings(Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode('"a" = "b";')))).toEqual(new Map([["a", "b"]]));
    expect(() => parseStrings(Uint8Array.of(0x22, 0xff, 0x22))).toThrow(OpenStepSyntaxError);
  });

  it("parseStrings() rejects non-string values and junk", () => {
    expect(() => parseStrings('"a" = ( b );')).toThrow(/"a" in strings file is not a string at line 1:7/);
    expect(() => parseStrings('"a" = "b"; }')).toThrow(/Unexpected character '}'/);
    expect(parseStrings("{ a = b; }")).toEqual(new Map([["a", "b"]]));
  });
});

describe("OpenStep corpus fixtures", () => {
  const files = corpusFiles("E_fixtures/plist", (p) => /ascii-|\.ostep$|\.strings$/.test(p));
  it.skipIf(files.length === 0)("parses every OpenStep and .strings fixture as CF would", () => {
    for (const f of files) {
      const v = parseOpenStep(readFileSync(f));
      expect(v).toBeInstanceOf(Map);
      if (f.endsWith("o1.ostep")) {
        const m = v as Map<string, OSValue>;
        expect(m.get("test")).toEqual(["1", "1"]);
        expect(((m.get("foo") as OSValue[])[0] as OSValue[])[0]).toBe("-1337");
      }
      if (f.endsWith("ascii-sample.plist")) {
        const m = v as Map<string, OSValue>;
        expect([...m.keys()]).toEqual(["KeyName1", "AnotherKeyName", "Something", "Key4", "KeyFive"]);
        expect(m.get("Key4")).toBe("0.10");
      }
      if (f.endsWith(".strings")) {
        const s = parseStrings(readFileSync(f));
        expect(s.get("BAR")).toBe("Foo");
        expect(s.get("ENTRY7")).toBe("j\u0119zyk polski");
        expect(s.size).toBe(12);
      }
    }
  });
});

const osString = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !/[\ud800-\udfff]/.test(s));
const openStepValue = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" },
    osString,
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.array(fc.tuple(osString, tie("v")), { maxLength: 4 }).map((e) => new Map(e))),
})).v as fc.Arbitrary<OSValue>;

describe("OpenStep properties", () => {
  it("writeOpenStep() then parseOpenStep() is the identity for containers", () => {
    fc.assert(fc.property(fc.array(openStepValue, { maxLength: 4 }), (v) => {
      expect(osEqual(parseOpenStep(writeOpenStep(v)), v, { compareOrder: true })).toBe(true);
    }));
  });

  it("writeStrings() then parseStrings() is the identity", () => {
    fc.assert(fc.property(fc.array(fc.tuple(osString, osString), { maxLength: 6 }), (e) => {
      const m = new Map(e);
      expect(parseStrings(writeStrings(m))).toEqual(m);
      expect(parseStrings(writeStrings(m, { encoding: "utf-8" }))).toEqual(m);
    }));
  });

  it("random and mutated input raises only OpenStepSyntaxError", () => {
    const seed = new TextEncoder().encode('{ a = ( b, "c\\n", <0a0b> ); "d" = { e = f; }; }');
    fc.assert(fc.property(fuzzBytes(seed), (bytes) => {
      try { parseOpenStep(bytes); } catch (e) { expect(e).toBeInstanceOf(OpenStepSyntaxError); }
    }), { numRuns: 500 });
  });
});

describe("readStringsFile()", () => {
  it("reads text, XML-plist and binary-plist .strings files", () => {
    expect(readStringsFile(writeStrings(new Map([["a", "b"]])))).toEqual(new Map([["a", "b"]]));
    const xml = new TextEncoder().encode('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>a</key><string>b</string></dict></plist>');
    expect(readStringsFile(xml)).toEqual(new Map([["a", "b"]]));
    // bplist00 holding { a = b } (built by hand: dict, two ASCII strings, offset table, trailer).
    const bplist = Uint8Array.from([
      ...new TextEncoder().encode("bplist00"), 0xd1, 0x01, 0x02, 0x51, 0x61, 0x51, 0x62, 0x08, 0x0b, 0x0d,
      0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0f,
    ]);
    expect(readStringsFile(bplist)).toEqual(new Map([["a", "b"]]));
    const bad = new TextEncoder().encode("<plist><dict><key>a</key><integer>1</integer></dict></plist>");
    expect(() => readStringsFile(bad)).toThrow(StringsFormatError);
  });
});
