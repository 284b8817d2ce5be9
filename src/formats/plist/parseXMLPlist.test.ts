import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../../libkern/index.ts";
import { PlistSyntaxError, parseXMLPlist, XMLPlistParser } from "./index.ts";

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`;
const doc = (body: string): string => `${HEAD}${body}\n</plist>\n`;

function error(text: string): PlistSyntaxError {
  try {
    parseXMLPlist(text);
  } catch (e) {
    expect(e).toBeInstanceOf(PlistSyntaxError);
    expect(e).toBeInstanceOf(SyntaxError);
    return e as PlistSyntaxError;
  }
  throw new Error("expected a PlistSyntaxError");
}

describe("parseXMLPlist()", () => {
  it("reads every type with its exact value", () => {
    const v = parseXMLPlist(doc(`<dict>
	<key>u64</key><integer>18446744073709551615</integer>
	<key>min</key><integer>-9223372036854775808</integer>
	<key>hex</key><integer>0xFF</integer>
	<key>big</key><integer>340282366920938463463374607431768211455</integer>
	<key>r</key><real>1.0</real>
	<key>s</key><string> a &amp; &lt;b&gt; &#x1F600;&#65; <![CDATA[<&>]]> </string>
	<key>d</key><data>
	AAEC
	Aw==
	</data>
	<key>date</key><date>2001-01-01T00:01:00Z</date>
	<key>t</key><true/><key>f</key><false/>
	<key>a</key><array/><key>e</key><dict/>
	<key>uid</key><dict><key>CF$UID</key><integer>7</integer></dict>
</dict>`)) as Map<string, OSValue>;
    expect([...v.keys()]).toEqual(["u64", "min", "hex", "big", "r", "s", "d", "date", "t", "f", "a", "e", "uid"]);
    expect((v.get("u64") as OSNumber).value).toBe(2n ** 64n - 1n);
    expect((v.get("min") as OSNumber).value).toBe(-(2n ** 63n));
    expect((v.get("hex") as OSNumber).value).toBe(255n);
    expect(v.get("big")).toEqual(new OSNumber(2n ** 128n - 1n, 128));
    expect(v.get("r")).toEqual(new OSReal(1));
    expect(v.get("s")).toBe(" a & <b> \u{1F600}A <&> ");
    expect(v.get("d")).toEqual(new Uint8Array([0, 1, 2, 3]));
    expect(v.get("date")).toEqual(new OSDate(60));
    expect(v.get("t")).toBe(true);
    expect(v.get("f")).toBe(false);
    expect(v.get("a")).toEqual([]);
    expect(v.get("e")).toEqual(new Map());
    expect(v.get("uid")).toEqual(new OSUID(7));
  });

  it("accepts the real spellings CF accepts", () => {
    const v = parseXMLPlist(doc("<array><real>nan</real><real>+infinity</real><real>-inf</real><real>-0.0</real><real>1e3</real></array>")) as OSReal[];
    expect(Number.isNaN(v[0]?.value)).toBe(true);
    expect(v.slice(1).map((r) => r.value)).toEqual([Infinity, -Infinity, -0, 1000]);
  });

  it("keeps a repeated key's first position and its last value", () => {
    const v = parseXMLPlist(doc("<dict><key>a</key><string>1</string><key>b</key><string>2</string><key>a</key><string>3</string></dict>"));
    expect([...(v as Map<string, OSValue>)]).toEqual([["a", "3"], ["b", "2"]]);
  });

  it("keeps string content exactly and ignores whitespace between elements", () => {
    expect(parseXMLPlist(doc("<array>\n\t<string>\n\t x\r\n</string>\n</array>"))).toEqual(["\n\t x\n"]);
    expect(parseXMLPlist("<string/>")).toBe("");
  });

  it("reads bytes, with or without a BOM, and UTF-16", () => {
    const text = doc("<string>é</string>");
    expect(parseXMLPlist(new TextEncoder().encode(`\uFEFF${text}`))).toBe("é");
    const u16 = new Uint8Array(2 + text.length * 2);
    u16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) u16[2 + 2 * i] = text.charCodeAt(i);
    expect(parseXMLPlist(u16)).toBe("é");
  });

  it("decodes large byte input in chunks without splitting characters", () => {
    const long = "é\u{1F600}".repeat(400_000); // > 1 MB of UTF-8, characters straddle chunk ends
    expect(parseXMLPlist(new TextEncoder().encode(doc(`<string>${long}</string>`)))).toBe(long);
    const bad = new TextEncoder().encode(doc("<string>ok</string>"));
    bad[bad.length - 20] = 0xff;
    expect(() => parseXMLPlist(bad)).toThrow(/^Encountered invalid UTF-8 text at line 4, column 10$/);
  });

  it("keeps U+FEFF and U+FFFD inside the text, wherever the 64 KiB decoding chunks fall", () => {
    for (const pad of [0, 1, 2, 3]) {
      const text = `<plist><string>${"a".repeat(65536 - 15 - pad)}\uFEFF\uFFFD\u00E9</string></plist>`;
      expect(parseXMLPlist(new TextEncoder().encode(text))).toBe(text.slice(15, -17));
    }
  });

  it("reads 100,000 levels of nesting without recursion", () => {
    const depth = 100_000;
    let v = parseXMLPlist(`<plist>${"<array>".repeat(depth)}${"</array>".repeat(depth)}</plist>`);
    let n = 0;
    while (Array.isArray(v) && v.length > 0) {
      v = v[0] as OSValue;
      n++;
    }
    expect(n).toBe(depth - 1);
  });

  it("refuses DTD entity declarations before expanding anything", () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><plist><string>&b;</string></plist>`;
    expect(error(lol).message).toMatch(/entit/i);
    expect(error("<plist><string>&nope;</string></plist>").message).toMatch(/undefined entity/);
  });

  it("reports malformed plists with line and column", () => {
    const e = error(`<plist>\n<dict>\n  <key>a</key>\n  <foo/>\n</dict></plist>`);
    expect(e.message).toMatch(/unknown tag <foo>/);
    expect(e.line).toBe(4);
    expect(e.message).toContain(`line 4, column ${e.column}`);
    expect(error("<plist><dict><key>a</key></dict></plist>").message).toMatch(/Value missing for key "a"/);
    expect(error("<plist><dict><string>x</string></dict></plist>").message).toMatch(/non-key/);
    expect(error("<plist><integer>12a</integer></plist>").message).toMatch(/misformatted integer/);
    expect(error("<plist><integer/></plist>").message).toMatch(/misformatted integer/);
    expect(error("<plist><real>one</real></plist>").message).toMatch(/misformatted real/);
    expect(error("<plist><date>2020-13-01T00:00:00Z</date></plist>").message).toMatch(/date/);
    expect(error("<plist><data>AB!=</data></plist>").message).toMatch(/data/);
    expect(error("<plist><string>a<b/></string></plist>").message).toMatch(/inside <string>/);
    expect(error("<plist><string/><string/></plist>").message).toMatch(/second value/);
    expect(error("<plist></plist>").message).toMatch(/empty <plist>/);
    expect(error("<plist>\n  oops<true/></plist>").line).toBe(2);
    expect(error("<plist><dict>").message).toMatch(/malformed XML/);
    expect(error("").message).toMatch(/malformed XML/);
    expect(error("<key>a</key>").message).toMatch(/outside a <dict>/);
  });

  it("parses incrementally, chunk by chunk", () => {
    const text = doc("<dict><key>k</key><array><integer>1</integer><string>two</string></array></dict>");
    const p = new XMLPlistParser();
    for (let i = 0; i < text.length; i += 7) p.write(text.slice(i, i + 7));
    expect(p.close()).toEqual(new Map([["k", [new OSNumber(1), "two"]]]));
  });

  it("reads every decimal integer exactly, short ones (fast path) and long ones alike", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), fc.boolean(), (v, pad) => {
        const text = pad ? ` ${v} ` : String(v);
        const n = parseXMLPlist(`<integer>${text}</integer>`);
        expect(n).toBeInstanceOf(OSNumber);
        expect((n as OSNumber).value).toBe(v);
        expect((n as OSNumber).bits).toBe(v >= -(2n ** 63n) && v < 2n ** 64n ? 64 : 128);
      }),
    );
    expect(() => parseXMLPlist("<integer>-</integer>")).toThrow(PlistSyntaxError);
    expect(() => parseXMLPlist("<integer>12a</integer>")).toThrow(PlistSyntaxError);
  });
});
