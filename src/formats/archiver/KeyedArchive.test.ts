import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OSDate, OSUID, dict, num, osEqual, real, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { ioKitValue } from "../../../test/support/arbitraries.ts";
import { readFileSync } from "node:fs";
import { corpusFiles } from "../../../test/support/corpus.ts";
import { parseBinaryPlist } from "../plist/index.ts";
import { KeyedArchive, KeyedArchiveError, archive, unarchive } from "./index.ts";

const uid = (n: number) => new OSUID(n);
const cls = (name: string, ...chain: string[]) => dict({ $classname: name, $classes: [name, ...chain, "NSObject"] });
const envelope = (objects: OSValue[], root = 1) =>
  dict({ $version: num(100000), $archiver: "NSKeyedArchiver", $top: dict({ root: uid(root) }), $objects: objects });

describe("unarchive()", () => {
  it("decodes Foundation classes and inline values", () => {
    const objects: OSValue[] = [
      "$null",
      dict({ "NS.keys": [uid(2), uid(3), uid(4), uid(5), uid(6)], "NS.objects": [uid(7), uid(8), uid(9), uid(11), uid(12)], $class: uid(10) }),
      "s", "d", "n", "date", "set",
      dict({ "NS.string": "mutable", $class: uid(14) }),
      dict({ "NS.data": Uint8Array.of(1, 2), $class: uid(15) }),
      num(42),
      cls("NSMutableDictionary", "NSDictionary"),
      dict({ "NS.time": real(1.5), $class: uid(16) }),
      dict({ "NS.objects": [uid(2), uid(3)], $class: uid(17) }),
      "nil",
      cls("NSMutableString", "NSString"),
      cls("NSMutableData", "NSData"),
      cls("NSDate"),
      cls("NSSet"),
    ];
    const v = unarchive(envelope(objects));
    expect(osEqual(v, dict({ s: "mutable", d: Uint8Array.of(1, 2), n: num(42), date: new OSDate(1.5), set: new Set(["s", "d"]) }), { compareOrder: true })).toBe(true);
  });

  it("decodes custom classes as dictionaries with $classname, omitting nil fields", () => {
    const objects: OSValue[] = ["$null", dict({ name: uid(2), gone: uid(0), count: num(3), $class: uid(3) }), "x", cls("MyThing")];
    expect(unarchive(envelope(objects))).toEqual(dict({ $classname: "MyThing", name: "x", count: num(3) }));
  });

  it("keeps shared objects shared", () => {
    const objects: OSValue[] = ["$null", dict({ "NS.objects": [uid(2), uid(2)], $class: uid(3) }), dict({ "NS.objects": [], $class: uid(3) }), cls("NSArray")];
    const v = unarchive(envelope(objects)) as OSValue[];
    expect(v[0]).toBe(v[1]);
  });

  it("refuses cycles, bad references, non-string keys and nil members with the object index", () => {
    const cyc: OSValue[] = ["$null", dict({ "NS.objects": [uid(2)], $class: uid(3) }), dict({ "NS.objects": [uid(1)], $class: uid(3) }), cls("NSArray")];
    expect(() => unarchive(envelope(cyc))).toThrow(/cycle/);
    const bad: OSValue[] = ["$null", dict({ "NS.objects": [uid(99)], $class: uid(2) }), cls("NSArray")];
    expect(() => unarchive(envelope(bad))).toThrow(KeyedArchiveError);
    expect(() => unarchive(envelope(bad))).toThrow(/CF\$UID 99 is outside/);
    const key: OSValue[] = ["$null", dict({ "NS.keys": [uid(3)], "NS.objects": [uid(3)], $class: uid(2) }), cls("NSDictionary"), num(1)];
    expect(() => unarchive(envelope(key))).toThrow(/key 0 is a integer/);
    const nil: OSValue[] = ["$null", dict({ "NS.objects": [uid(0)], $class: uid(2) }), cls("NSArray")];
    expect(() => unarchive(envelope(nil))).toThrow(/NS.objects\[0\] is nil/);
    expect(() => unarchive(dict({ a: "b" }))).toThrow(/no \$archiver/);
    expect(() => new KeyedArchive(envelope(["$null"])).decode(uid(0))).toThrow(/nil/);
  });

  it("handles deep nesting without recursion", () => {
    let v: OSValue = [];
    for (let i = 0; i < 20_000; i++) v = [v];
    const back = unarchive(archive(v));
    let depth = 0;
    for (let x = back; Array.isArray(x) && x.length > 0; x = x[0] as OSValue) depth++;
    expect(depth).toBe(20_000);
  });
});

describe("archive()", () => {
  it("lays out $objects like NSKeyedArchiver: $null first, uniqued strings, class descriptions", () => {
    const a = archive(dict({ k: "v", l: ["v"] }));
    const objects = a.get("$objects") as OSValue[];
    expect(objects[0]).toBe("$null");
    expect(objects.filter((o) => o === "v")).toHaveLength(1);
    expect(a.get("$archiver")).toBe("NSKeyedArchiver");
    expect(a.get("$top")).toEqual(dict({ root: uid(1) }));
  });

  it("archive() then unarchive() is the identity on plain values", () => {
    const value = fc.oneof(ioKitValue(), fc.double({ noNaN: true }).map((d) => new OSDate(d)));
    fc.assert(fc.property(value, (v) => {
      expect(osEqual(unarchive(archive(v)), v, { compareOrder: true, compareBits: true })).toBe(true);
    }), { numRuns: 300 });
  });

  it("archives a dictionary with $classname as an object of that class", () => {
    const a = archive(dict({ $classname: "RexThing", $classes: ["RexThing", "NSObject"], flag: true, n: num(2), s: "x" }));
    const archiveView = new KeyedArchive(a);
    const root = archiveView.top.get("root") as OSValue;
    expect(archiveView.className(root)).toBe("RexThing");
    expect(archiveView.fields(root).get("flag")).toBe(true);
    expect(archiveView.fields(root).get("s")).toBeInstanceOf(OSUID);
    expect(unarchive(a)).toEqual(dict({ $classname: "RexThing", flag: true, n: num(2), s: "x" }));
  });

  it("refuses cycles and UIDs", () => {
    const loop: OSValue[] = [];
    loop.push(loop);
    expect(() => archive(loop)).toThrow(/cycle/);
    expect(() => archive(uid(1))).toThrow(/CF\$UID/);
  });
});

describe("unarchive() on hostile archives", () => {
  it("raises only KeyedArchiveError for random object graphs", () => {
    const ref = fc.nat(12).map((n) => uid(n));
    const className = fc.constantFrom("NSArray", "NSSet", "NSDictionary", "NSMutableString", "NSData", "NSDate", "Custom");
    const object: fc.Arbitrary<OSValue> = fc.oneof(
      fc.string({ maxLength: 3 }), ref, fc.constant(num(1)),
      className.map((c) => cls(c)),
      fc.record({ keys: fc.array(ref, { maxLength: 3 }), objs: fc.array(ref, { maxLength: 3 }), c: ref, extra: fc.oneof(ref, fc.constant(real(1))) })
        .map(({ keys, objs, c, extra }) => dict({ "NS.keys": keys, "NS.objects": objs, "NS.string": extra, "NS.time": extra, $class: c })),
    );
    fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 12 }), fc.nat(12), (objects, root) => {
      try { unarchive(envelope(["$null", ...objects], root)); } catch (e) { expect(e).toBeInstanceOf(KeyedArchiveError); }
    }), { numRuns: 2000 });
  });
});

describe("keyed archives in the corpus", () => {
  const files = corpusFiles("E_fixtures/plist", (p) => p.endsWith("NSKeyedArchiver.plist"));
  it.skipIf(files.length === 0)("decodes rust-plist's NSMutableIndexSet archive into its fields", () => {
    for (const f of files) {
      // $top has no "root", so every $top entry is decoded.
      const v = (unarchive(parseBinaryPlist(readFileSync(f))) as OSDictionary).get("foundItems") as OSDictionary;
      expect(v.get("$classname")).toBe("NSMutableIndexSet");
      expect(v.get("NSRangeCount")).toEqual(num(42));
      expect(v.get("NSRangeData")).toBeInstanceOf(Uint8Array);
    }
  });
});
