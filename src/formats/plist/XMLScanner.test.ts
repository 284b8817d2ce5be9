import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dict, num, OSDate, real, type OSValue } from "../../libkern/index.ts";
import { PlistSyntaxError, parseXMLPlist, writeXMLPlist, XMLPlistParser } from "./index.ts";
import { LineCounter, XML_TOKEN, XMLScanner } from "./XMLScanner.ts";

/** The error parseXMLPlist throws for `text`. */
function failure(text: string): PlistSyntaxError {
  try {
    parseXMLPlist(text);
  } catch (e) {
    expect(e).toBeInstanceOf(PlistSyntaxError);
    return e as PlistSyntaxError;
  }
  throw new Error(`expected a PlistSyntaxError for ${JSON.stringify(text)}`);
}

/** Reads `text` written in the given chunk lengths (cycled), through the incremental parser. */
function chunked(text: string, sizes: readonly number[]): OSValue {
  const p = new XMLPlistParser();
  for (let at = 0, k = 0; at < text.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length] as number);
    p.write(text.slice(at, at + n));
    at += n;
  }
  return p.close();
}

function chunkedFailure(text: string, sizes: readonly number[]): PlistSyntaxError {
  try {
    chunked(text, sizes);
  } catch (e) {
    expect(e).toBeInstanceOf(PlistSyntaxError);
    return e as PlistSyntaxError;
  }
  throw new Error("expected a PlistSyntaxError");
}

const TRICKY = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd" [
  <!-- a comment with ] and > and <!ENTITY inside --> <?pi ] > ?> <!ATTLIST plist version CDATA "1.0 ]>">
]>\r
<plist version='1>0' other="x">\r
<dict>
  <!-- a -- b --->
  <key>a&amp;b&#x1F600;&#65;&lt;&gt;&quot;&apos;</key>
  <string>x<![CDATA[<&>]]b]]]]>y<!-- split -->z&#13;\r\nq\rr</string>
  <key>n</key><integer> 42 </integer>
  <key>e</key><string/>
  <?target inside the dict?>
  <key>c</key><string>\u0001 control ]]> text</string>
</dict>
</plist>
`;

describe("XMLScanner through the plist reader", () => {
  it("decodes entities, character references, CDATA and comments, and normalizes line ends", () => {
    const v = parseXMLPlist(TRICKY) as Map<string, OSValue>;
    expect([...v.keys()]).toEqual([`a&b\u{1F600}A<>"'`, "n", "e", "c"]);
    expect(v.get(`a&b\u{1F600}A<>"'`)).toBe("x<&>]]b]]yz\r\nq\nr");
    expect(v.get("n")).toEqual(num(42));
    expect(v.get("e")).toBe("");
    expect(v.get("c")).toBe("\u0001 control ]]> text");
  });

  it("reads the same value whatever the chunk boundaries, entities and markup split anywhere", () => {
    const whole = parseXMLPlist(TRICKY);
    for (let cut = 0; cut <= TRICKY.length; cut++) {
      const p = new XMLPlistParser();
      p.write(TRICKY.slice(0, cut));
      p.write(TRICKY.slice(cut));
      expect(p.close()).toEqual(whole);
    }
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), (sizes) => {
      expect(chunked(TRICKY, sizes)).toEqual(whole);
    }));
  });

  it("reads large documents in any chunking, including chunks long enough to bridge", () => {
    const big = new Map<string, OSValue>();
    for (let i = 0; i < 400; i++) {
      big.set(`key ${i} & <more>`, dict({ s: `value number ${i} `.repeat(i % 7), n: num(i * 977), r: real(i / 3), d: new OSDate(i), b: new Uint8Array(i % 40) }));
    }
    const text = writeXMLPlist(big);
    const whole = parseXMLPlist(text);
    expect(whole).toEqual(big);
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 6 }), (sizes) => {
      expect(chunked(text, sizes)).toEqual(whole);
    }), { numRuns: 15 });
  });

  it("accepts what Core Foundation accepts beyond strict XML", () => {
    expect(parseXMLPlist("<plist><string>a<!-- x -- y -->b</string></plist>")).toBe("ab");
    expect(parseXMLPlist("<plist version=\"1.0\" foo='a>b'><true/></plist>")).toBe(true);
    expect(parseXMLPlist("<plist><string>\u0008</string></plist>")).toBe("\u0008");
    expect(parseXMLPlist("<plist>\n<?xml version='1.0'?><false/></plist>")).toBe(false);
    expect(parseXMLPlist("<plist><array></array ></plist>")).toEqual([]);
  });

  it("ignores whitespace written as character references between elements, and rejects other text there", () => {
    expect(parseXMLPlist("<plist>&#32;&#x9;<true/>&#10;</plist>")).toBe(true);
    const e = failure("<plist>\n  &#65;<true/></plist>");
    expect(e.message).toMatch(/unexpected character "&" outside a value element/);
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(failure("<plist> <![CDATA[x]]><true/></plist>").message).toMatch(/unexpected CDATA outside/);
  });

  it("names unterminated constructs at their start, with line and column", () => {
    const cases: [string, RegExp, number, number][] = [
      ["<plist>\n  <true/>\n  <!-- oops\n</plist>", /unterminated comment/, 3, 3],
      ["<plist>\n<string><![CDATA[abc]]</string></plist>", /unterminated CDATA section/, 2, 9],
      ["<plist>\n\t<?pi never ends", /unterminated processing instruction/, 2, 2],
      ["<!DOCTYPE plist [\n<!ELEMENT a \"]>\"", /unterminated DOCTYPE/, 1, 1],
      ["<plist>\n <dict\n", /unterminated <dict> tag/, 2, 2],
      ["<plist>\n<dict a=\"b>\n", /unterminated attribute value in <dict>/, 2, 9],
      ["<plist><true/></plist", /unterminated <\/plist> tag/, 1, 15],
      ["<plist>\n<array>\n", /malformed XML: the document ends before <\/array>/, 3, 1],
      ["<plist><true/>\n</plist>\n<", /malformed XML: the document ends inside a tag/, 3, 1],
    ];
    for (const [text, message, line, column] of cases) {
      const e = failure(text);
      expect(e.message).toMatch(message);
      expect([e.line, e.column]).toEqual([line, column]);
      // The incremental reader, fed a character at a time, reports the same place.
      const c = chunkedFailure(text, [1]);
      expect([c.message, c.line, c.column]).toEqual([e.message, e.line, e.column]);
    }
  });

  it("positions malformed references and mismatched tags", () => {
    const cases: [string, RegExp, number, number][] = [
      ["<plist>\n<string>a &nope; b</string></plist>", /undefined entity &nope;/, 2, 11],
      ["<plist><string>a & b</string></plist>", /'&' that starts no entity reference/, 1, 18],
      ["<plist><string>&#0;</string></plist>", /invalid character reference "&#0;"/, 1, 16],
      ["<plist><string>&#x110000;</string></plist>", /invalid character reference/, 1, 16],
      ["<plist><string>&#xD800;</string></plist>", /invalid character reference/, 1, 16],
      ["<plist><string>&#12a;</string></plist>", /invalid character reference/, 1, 16],
      ["<plist>\n<array></dict></plist>", /end tag <\/dict> does not match <array>/, 2, 8],
      ["<true/></plist>", /end tag <\/plist> without a start tag/, 1, 8],
      ["<plist><true/></plist><plist/>", /element <plist> after the root element/, 1, 23],
      ["<plist>< true/></plist>", /'<' that starts no tag/, 1, 8],
      ["<plist><dict <key/></plist>", /'<' inside the <dict> tag/, 1, 14],
      ["<plist><!ELEMENT></plist>", /'<!' that starts no comment, CDATA section or DOCTYPE/, 1, 8],
      ["<true/><!DOCTYPE plist>", /DOCTYPE after the root element/, 1, 8],
      ["<!DOCTYPE plist [\n  <!entity a 'b'>\n]><plist/>", /DTD entity declarations/, 2, 3],
      ["", /malformed XML: the document holds no element/, 1, 1],
    ];
    for (const [text, message, line, column] of cases) {
      const e = failure(text);
      expect(e.message).toMatch(message);
      expect([e.line, e.column]).toEqual([line, column]);
      const c = chunkedFailure(text, [3, 1, 2]);
      expect([c.message, c.line, c.column]).toEqual([e.message, e.line, e.column]);
    }
  });

  it("counts CR LF, CR and LF as one line end each, and characters (not code units) as columns", () => {
    expect([failure("<plist>\r\n\r<foo/>").line, failure("<plist>\r\n\r<foo/>").column]).toEqual([3, 1]);
    const e = failure("\uFEFF<plist><string>\u{1F600}\u{1F600}&bad;</string></plist>");
    expect([e.line, e.column]).toEqual([1, 18]);
    const lines = new LineCounter();
    lines.advance("a\r\nb\rc\nd\u{1F600}e", 0, 11);
    expect([lines.line, lines.column]).toEqual([4, 4]);
  });

  it("reports integer and other leaf errors at the start of the leaf's content, also when split", () => {
    const text = "<plist>\n<array>\n  <integer>1<!-- c -->2x</integer>\n</array></plist>";
    const e = failure(text);
    expect(e.message).toMatch(/misformatted integer "12x"/);
    expect([e.line, e.column]).toEqual([3, 12]);
    for (const size of [1, 2, 5]) {
      const c = chunkedFailure(text, [size]);
      expect([c.line, c.column]).toEqual([3, 12]);
    }
  });

  it("hands back registered element names as the very strings, and tokens in order", () => {
    const names = ["dict", "key"];
    const sc = new XMLScanner({ names });
    sc.write("<dict> <key>k</key><other a='1'/> </dict>");
    sc.close();
    const seen: string[] = [];
    for (let t = sc.next(); t !== XML_TOKEN.end; t = sc.next()) {
      if (t === XML_TOKEN.open) seen.push(`<${sc.name}${sc.selfClosing ? "/" : ""}>#${sc.nameIndex}`);
      else if (t === XML_TOKEN.close) seen.push(`</${sc.name}>`);
      else if (t === XML_TOKEN.text) seen.push(JSON.stringify(sc.text()));
    }
    expect(seen).toEqual(["<dict>#0", "<key>#1", '"k"', "</key>", "<other/>#2", "</dict>"]);
  });
});
