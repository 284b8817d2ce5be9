import { describe, expect, it } from "vitest";
import { dict, num, OSDate, OSUID, real, type OSValue } from "../../libkern/index.ts";
import { formatCFReal, PlistTypeError, writeXMLPlist } from "./index.ts";

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`;

describe("writeXMLPlist()", () => {
  it("writes CF's layout: header, tabs, sorted keys, empty containers, escapes", () => {
    const v = dict({ b: [num(1), true, false, [], new Map()], a: "x & <y> \"z\"", c: new OSUID(3) });
    expect(writeXMLPlist(v)).toBe(`${HEAD}<dict>
\t<key>a</key>
\t<string>x &amp; &lt;y&gt; "z"</string>
\t<key>b</key>
\t<array>
\t\t<integer>1</integer>
\t\t<true/>
\t\t<false/>
\t\t<array/>
\t\t<dict/>
\t</array>
\t<key>c</key>
\t<dict>
\t\t<key>CF$UID</key>
\t\t<integer>3</integer>
\t</dict>
</dict>
</plist>
`);
    expect(writeXMLPlist(dict({ b: "1", a: "2" }), { sortKeys: false }).indexOf("<key>b</key>")).toBeLessThan(
      writeXMLPlist(dict({ b: "1", a: "2" }), { sortKeys: false }).indexOf("<key>a</key>"),
    );
  });

  it("wraps data at 76 − 8 × indent characters, indenting at most 8 tabs", () => {
    const bytes = new Uint8Array(200).map((_, i) => i);
    let v: OSValue = bytes;
    for (let depth = 0; depth <= 10; depth++) {
      const lines = writeXMLPlist(v).split("\n");
      const open = lines.findIndex((l) => l.endsWith("<data>"));
      expect(lines[open]).toBe(`${"\t".repeat(depth)}<data>`);
      const body = lines.slice(open + 1, lines.findIndex((l) => l.endsWith("</data>")));
      const tabs = Math.min(depth, 8);
      const width = 76 - 8 * tabs;
      for (const [i, line] of body.entries()) {
        expect(line.startsWith("\t".repeat(tabs)) && line[tabs] !== "\t").toBe(true);
        if (i < body.length - 1) expect(line.length - tabs).toBe(width);
      }
      expect(body.map((l) => l.slice(tabs)).join("")).toBe(Buffer.from(bytes).toString("base64"));
      v = [v];
    }
    expect(writeXMLPlist(new Uint8Array(0))).toBe(`${HEAD}<data>\n</data>\n</plist>\n`);
  });

  it("writes dates to the whole second, rounding down", () => {
    const xml = (t: number): string => writeXMLPlist(new OSDate(t));
    expect(xml(0)).toContain("<date>2001-01-01T00:00:00Z</date>");
    expect(xml(-0.5)).toContain("<date>2000-12-31T23:59:59Z</date>");
    expect(xml(599627045.9)).toContain("<date>2020-01-02T03:04:05Z</date>");
  });

  it("writes reals as CF formats them", () => {
    expect([0.1, 1, -0, 0, NaN, Infinity, -Infinity, 1e20, 1.5e-7].map(formatCFReal)).toEqual([
      "0.10000000000000001", "1", "0.0", "0.0", "nan", "+infinity", "-infinity", "1e+20", "1.4999999999999999e-07",
    ]);
    expect(writeXMLPlist(real(1))).toContain("<real>1</real>");
    expect(writeXMLPlist(real(1.100000023841858, 32))).toContain("<real>1.1000000238418579</real>");
  });

  it("writes integers exactly", () => {
    expect(writeXMLPlist([num(2n ** 64n - 1n), num(-(2n ** 63n))])).toContain("<integer>18446744073709551615</integer>\n\t<integer>-9223372036854775808</integer>");
  });

  it("refuses sets and cycles, naming the key path", () => {
    expect(() => writeXMLPlist(dict({ a: [new Set<OSValue>()] }))).toThrow(/set.*a\.0/);
    const loop: OSValue[] = [];
    loop.push(dict({ x: loop }));
    expect(() => writeXMLPlist(loop)).toThrow(PlistTypeError);
    const shared = [num(1)];
    expect(writeXMLPlist([shared, shared]).match(/<integer>1<\/integer>/g)).toHaveLength(2);
  });
});
