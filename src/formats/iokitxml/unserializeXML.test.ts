import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fuzzBytes } from "../../../test/support/arbitraries.ts";
import { dict, num, osEqual, type OSValue } from "../../libkern/index.ts";
import { IOKitXMLSyntaxError, serializeKernelXML, tryUnserializeXML, unserializeXML } from "./index.ts";

const fails = (xml: string, re: RegExp): void => {
  const r = tryUnserializeXML(xml);
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.error).toBeInstanceOf(SyntaxError);
    expect(r.error.message).toMatch(re);
  }
};

describe("unserializeXML()", () => {
  it("reads every tag, the empty-element forms and ignores <plist>, <?xml?>, <!DOCTYPE> and comments", () => {
    const v = unserializeXML(`<?xml version="1.0"?>\n<!DOCTYPE plist PUBLIC "x" "y">\n<plist version="1.0"><!-- c - d -->
      <dict><key>s</key><string>a &lt;&amp;&gt; b</string><key>i</key><integer size="16">0x1f</integer>
      <key>t</key><true/><key>f</key><false/><key>d</key><data>AQID</data>
      <key>a</key><array><set><string/></set></array>
      <key>e1</key><dict/><key>e2</key><array/><key>e3</key><set/><key>e4</key><string/><key>e5</key><data/><key>e6</key><integer/>
      </dict></plist>`);
    expect(osEqual(v, dict({
      s: "a <&> b", i: num(0x1f, 16), t: true, f: false, d: Uint8Array.of(1, 2, 3), a: [new Set([""])],
      e1: new Map(), e2: [], e3: new Set(), e4: "", e5: new Uint8Array(0), e6: num(0, 64),
    }), { compareBits: true, compareOrder: true })).toBe(true);
  });

  it("integers: default size 64, size read with strtoul base 0, decimal with '-', lowercase hex only", () => {
    expect(unserializeXML("<integer>42</integer>")).toEqual(num(42, 64));
    expect(unserializeXML('<integer size="0x20">7</integer>')).toEqual(num(7, 32));
    expect(unserializeXML('<integer size="010">511</integer>')).toEqual(num(0xff, 8));
    expect(unserializeXML('<integer size="32">-1</integer>')).toEqual(num(0xffffffffn, 32));
    expect(unserializeXML("<integer>0xffffffffffffffff</integer>")).toEqual(num(2n ** 64n - 1n, 64));
    fails("<integer>0xAB</integer>", /Expected <\/integer> but found 'A'.*lowercase hex/);
    fails("<integer>0x-1</integer>", /Expected <\/integer>/);
    fails("<integer> 5</integer>", /Expected <\/integer>/);
    fails('<integer size="0">1</integer>', /size 0 is outside/);
  });

  it("data: base64 skipping foreign characters, or lowercase hex with format=\"hex\"", () => {
    expect(unserializeXML("<data>AQ\n I=\t</data>")).toEqual(Uint8Array.of(1, 2));
    expect(unserializeXML('<data format="hex">00 ff\n10</data>')).toEqual(Uint8Array.of(0, 0xff, 0x10));
    // The kernel drops everything on a bad hex digit right before '<' (odd count, trailing space).
    expect(unserializeXML('<data format="hex">abc</data>')).toEqual(new Uint8Array(0));
    fails('<data format="hex">AB</data>', /Expected <\/data>/);
  });

  it("decodes only &lt; &gt; &amp;", () => {
    fails("<string>&quot;</string>", /Unknown entity/);
    fails("<string>&#65;</string>", /Unknown entity/);
  });

  it("records ID on any object and substitutes IDREF whatever the tag name", () => {
    const v = unserializeXML('<array><string ID="1">x</string><dict ID="2"/><foo IDREF="1"/><reference IDREF="2"/><dict IDREF="0x2"/></array>') as OSValue[];
    expect(v.slice(0, 3)).toEqual(["x", new Map(), "x"]);
    expect(v[3]).toBe(v[1]);
    expect(v[4]).toBe(v[1]);
  });

  it("rejects what the kernel rejects", () => {
    fails("", /end of buffer/);
    fails("<dict><key/><true/></dict>", /Empty <key\/>/);
    fails('<array><true ID="1"/><x IDREF="1"/></array>', /forward reference/);
    fails('<array ID="1"><array IDREF="1"/></array>', /forward reference/);
    fails('<string IDREF="1">x</string>', /only allowed on an empty element/);
    fails('<string IDX="1">x</string>', /Unknown attribute "IDX"/);
    fails("<dict><key>a</key><true/><key>a</key><false/></dict>", /Duplicate dictionary key "a"/);
    fails("<dict><true/></dict>", /Expected <key>/);
    fails("<dict><key>a</key></dict>", /Missing value for key "a"/);
    fails("<array></dict>", /Unexpected <\/dict>/);
    fails("<real>1.0</real>", /Unknown tag <real>/);
    fails("<true></true>", /empty element/);
    fails("<array>\r\n</array>", /Expected '<' but found byte 0x0d/);
    fails("<array>", /not closed/);
    fails("<string>abc", /Unterminated <string>/);
    fails("<array x y/>", /Expected '='/);
  });

  it("enforces name, value and attribute-count limits", () => {
    fails(`<${"s".repeat(30)}/>`, /Unknown tag/);
    fails(`<${"s".repeat(31)}/>`, /Tag name longer than 30/);
    fails(`<string ${"a".repeat(31)}="1"/>`, /Attribute name longer than 30/);
    fails(`<string a="${"1".repeat(31)}"/>`, /Value of attribute "a" longer than 30/);
    const attrs = (n: number) => Array.from({ length: n }, (_, i) => `a${i}="x"`).join(" ");
    expect(unserializeXML(`<string ${attrs(31)}/>`)).toBe("");
    fails(`<string ${attrs(32)}/>`, /More than 31 attributes/);
  });

  it("enforces xnu's object and reference limits with clear errors", () => {
    const many = (n: number) => `<array>${"<true/>".repeat(n)}</array>`;
    expect((unserializeXML(many(131070)) as OSValue[]).length).toBe(131070);
    fails(many(131071), /Maximum object count \(131071\)/);
    const refs = (n: number) => `<array><string ID="1">x</string>${'<r IDREF="1"/>'.repeat(n)}</array>`;
    expect((unserializeXML(refs(65535)) as OSValue[]).length).toBe(65536);
    fails(refs(65536), /Maximum object reference count \(65535\)/);
  });

  it("reports line:column and byte offset", () => {
    const r = tryUnserializeXML("<dict>\n  <key>a</key>\n  <bogus/>\n</dict>");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect([r.error.line, r.error.column, r.error.offset]).toEqual([3, 3, 24]);
    }
  });

  it("ignores everything after the first complete object and stops at NUL", () => {
    expect(unserializeXML("<true/> trailing <junk")).toBe(true);
    expect(unserializeXML("<string>a</string>\0<bad")).toBe("a");
  });

  it("nests deeply without recursion", () => {
    const depth = 100_000;
    const v = unserializeXML("<array>".repeat(depth) + "</array>".repeat(depth));
    let d = 0;
    for (let x = v; Array.isArray(x) && x.length > 0; x = x[0] as OSValue) d++;
    expect(d).toBe(depth - 1);
  });

  it("random and mutated input raises only IOKitXMLSyntaxError", () => {
    const seed = new TextEncoder().encode(serializeKernelXML(dict({ a: [num(5, 32), "x", Uint8Array.of(1)], b: true, c: new Set(["y"]) })));
    fc.assert(fc.property(fuzzBytes(seed, 80), (bytes) => {
      try { unserializeXML(bytes); } catch (e) { expect(e).toBeInstanceOf(IOKitXMLSyntaxError); }
    }), { numRuns: 1000 });
  });
});
