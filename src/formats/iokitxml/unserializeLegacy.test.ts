import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dict, num, osEqual, type OSValue } from "../../libkern/index.ts";
import { IOKitXMLSyntaxError, serializeKernelXML, serializeLegacy, unserializeLegacy, unserializeXML } from "./index.ts";
import { fuzzBytes, ioKitValue } from "../../../test/support/arbitraries.ts";

// The sample of xnu's libkern/c++/Tests/TestSerialization/test1.
const TEST1 = `
{ string\t= "this is a 'string' with spaces";
  string2\t= 'this is also a "string" with spaces';
  offset\t= 16384:32;
  true          = .true.;
  false         = .false.;
  data\t\t= <0123 4567 89abcdef>;
  array\t\t= (1:8, 2:16, 3:32, 4:64 );
  set\t\t= [ one, two, three, four ];
  emptydict\t= { }@1;
  emptyarray\t= ( )@2;
  emptyset\t= [ ]@3;
  emptydata\t= < >@4;
  emptydict2\t= @1;
  emptyarray2\t= @2;
  emptyset2\t= @3;
  emptydata2\t= @4;
  dict2\t\t= { string = asdfasdf; };
  dict3\t\t= { string = asdfasdf; };
}@0`;

// The sample of xnu's TestSerialization/test2 (the Mac Roman line is given here in UTF-8).
const TEST2 = ` <?xml version="1.0" encoding="UTF-8"?> 
 <!DOCTYPE plist SYSTEM "file://localhost/System/Library/DTDs/PropertyList.dtd"> 
 <plist version="1.0"> 
 <!DOCTYPE plist PUBLIC "-//Apple Computer//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd"> 
 <plist version="0.9"> 
 <dict> 
 <key>key true</key>\t<true/> 
 <key>key false</key>\t<false/> 
 <key>key d0</key>\t<data> </data> 
 <key>key d1</key>\t<data>AQ==</data> 
 <key>key d2</key>\t<data>ASM=</data> 
 <key>key d3</key>\t<data>ASNF</data> 
 <key>key d4</key>\t<data ID="1">ASNFZw==</data> 
 <key>key i0</key>\t<integer></integer> 
 <key>key i1</key>\t<integer>123456789</integer> 
 <key>key i2</key>\t<integer>-123456789</integer> 
 <key>key i3</key>\t<integer size="32" ID="2">0x12345678</integer> 
 <key>key s0</key>\t<string></string> 
 <key>key s1</key>\t<string>string 1</string> 
 <key>key s2</key>\t<string ID="3">string 2</string> 
 <key>key mr \u00a9</key>\t<string>mac roman copyright \u00a9</string> 
 <key>key &lt;&amp;&gt;</key>\t<string>&lt;&amp;&gt;</string> 
 <key>key D0</key>\t<dict ID="4"> 
                        </dict> 
 <key>key a0</key>\t<array> 
                        </array> 
 <key>key a1</key>\t<array ID="5"> 
                            <string>array string 1</string> 
                            <string>array string 2</string> 
                        </array> 
 <key>key r1</key>\t<ref IDREF="1"/> 
 <key>key r2</key>\t<ref IDREF="2"/> 
 <key>key r3</key>\t<ref IDREF="3"/> 
 <key>key r4</key>\t<ref IDREF="4"/> 
 <key>key r5</key>\t<ref IDREF="5"/> 
 <key>key e1</key>\t<array/> 
 <key>key e2</key>\t<dict/> 
 <key>key e4</key>\t<integer/> 
 <key>key e5</key>\t<string/> 
 <key>key e6</key>\t<data/> 
 <key>key S0</key>\t<set> 
                        </set> 
 <key>key S1</key>\t<set ID="6"> 
                             <string>set string 1</string> 
                             <string>set string 2</string> 
                         </set> 
 <key>key r6</key>\t<ref IDREF="6"/> 
 <key>key e3</key>\t<set/> 
 </dict> 
 </plist> 
`;

describe("xnu TestSerialization", () => {
  it("test1: legacy text -> value -> kernel XML -> OSUnserializeXML gives an equal value", () => {
    const d = unserializeLegacy(TEST1) as OSValue;
    const m = d as Map<string, OSValue>;
    expect(m.get("offset")).toEqual(num(16384, 32));
    expect(m.get("string")).toBe("this is a 'string' with spaces");
    expect(m.get("data")).toEqual(Uint8Array.of(0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef));
    expect(m.get("emptydict2")).toBe(m.get("emptydict"));
    expect(m.get("set")).toEqual(new Set(["one", "two", "three", "four"]));
    const xml = serializeKernelXML(d);
    const d2 = unserializeXML(xml);
    expect(osEqual(d, d2, { compareBits: true })).toBe(true);
  });

  it("test2: XML -> value -> kernel XML twice gives identical text and equal values", () => {
    const d = unserializeXML(TEST2) as Map<string, OSValue>;
    expect(d.get("key d0")).toEqual(new Uint8Array(0));
    expect(d.get("key i2")).toEqual(num(BigInt.asUintN(64, -123456789n), 64));
    expect(d.get("key r1")).toBe(d.get("key d4"));
    expect(d.get("key r6")).toBe(d.get("key S1"));
    expect(d.get("key <&>")).toBe("<&>");
    const s = serializeKernelXML(d);
    const d2 = unserializeXML(s);
    expect(serializeKernelXML(d2)).toBe(s);
    expect(osEqual(d, d2, { compareBits: true })).toBe(true);
  });
});

describe("unserializeLegacy()", () => {
  it("reads comments, quoted strings with backslashes, hex numbers and references", () => {
    const v = unserializeLegacy("# header\n( 'it\\'s', \"a\\\\b\", 0x1f:16, <ab\n# c\n cd>@7, @7 )") as OSValue[];
    expect(v.slice(0, 4)).toEqual(["it's", "ab", num(0x1f, 16), Uint8Array.of(0xab, 0xcd)]);
    expect(v[4]).toBe(v[3]);
  });

  it("returns undefined for empty input and ignores what follows the first object", () => {
    expect(unserializeLegacy("  # nothing\n")).toBeUndefined();
    expect(unserializeLegacy(".true. junk ((")).toBe(true);
  });

  it("rejects malformed input with a position", () => {
    const bad: Array<[string, RegExp]> = [
      ["16384", /Expected ':'/],
      ["( a, )", /Unexpected .\). at line 1:6/],
      ["( a b )", /Expected ',' or '\)'/],
      ["{ a = b }", /Expected ';'/],
      ["{ (a) = b; }", /key must be a string/],
      ["@3", /forward reference/],
      ["<0A>", /lowercase hex/],
      ["5:65", /size 65/],
      [".tru.", /Malformed boolean/],
      ["'abc", /Unterminated/],
      ["{ a = b;", /end of input inside dict/],
    ];
    for (const [text, re] of bad) {
      expect(() => unserializeLegacy(text), text).toThrow(IOKitXMLSyntaxError);
      expect(() => unserializeLegacy(text), text).toThrow(re);
    }
  });

  it("serializeLegacy() then unserializeLegacy() is the identity", () => {
    fc.assert(fc.property(ioKitValue({ noBackslash: true }), (v) => {
      expect(osEqual(unserializeLegacy(serializeLegacy(v)) as OSValue, v, { compareBits: true, compareOrder: true })).toBe(true);
    }), { numRuns: 300 });
  });

  it("serializeLegacy() marks shared objects with @N and refuses backslashes", () => {
    const shared = dict({});
    expect(serializeLegacy([shared, shared, "q\""])).toBe('( { }@0, @0, "q\\"" )');
    expect(() => serializeLegacy("a\\b")).toThrow(/backslash/);
  });

  it("random and mutated input raises only IOKitXMLSyntaxError", () => {
    const seed = new TextEncoder().encode(TEST1);
    fc.assert(fc.property(fuzzBytes(seed), (bytes) => {
      try { unserializeLegacy(bytes); } catch (e) { expect(e).toBeInstanceOf(IOKitXMLSyntaxError); }
    }), { numRuns: 1000 });
  });
});
