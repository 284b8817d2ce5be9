import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OSDynamicCast, OSObject, withReleased } from "./OSObject.ts";
import { OSMetaClass } from "./OSMetaClass.ts";

class TestBase extends OSObject {}
OSMetaClass.define(TestBase, "TestObjBase");
class TestLeaf extends TestBase {
  freed = 0;
  protected override free(): void {
    this.freed++;
  }
}
OSMetaClass.define(TestLeaf, "TestObjLeaf");
class TestOther extends TestBase {}
OSMetaClass.define(TestOther, "TestObjOther");

const count = (name: string): number => OSMetaClass.getMetaClassWithName(name)?.getInstanceCount() ?? NaN;

describe("OSObject reference counts", () => {
  it("starts at 1 and frees at 1→0, then holds the 0xFFFF sentinel", () => {
    const o = new TestLeaf();
    expect(o.getRetainCount()).toBe(1);
    o.retain();
    expect(o.getRetainCount()).toBe(2);
    o.release();
    expect(o.freed).toBe(0);
    o.release();
    expect(o.freed).toBe(1);
    expect(o.getRetainCount()).toBe(0xffff);
    expect(o.isFreed).toBe(true);
    o.release();
    o.retain();
    expect(o.freed).toBe(1);
    expect(o.getRetainCount()).toBe(0xffff);
  });

  it("pegs at 0xFFFE and then ignores retain and release", () => {
    const o = new TestLeaf();
    for (let i = 1; i < 0xfffe; i++) o.retain();
    expect(o.getRetainCount()).toBe(0xfffe);
    o.retain();
    o.release();
    expect(o.getRetainCount()).toBe(0xfffe);
    expect(o.freed).toBe(0);
  });

  it("counts collection retains in the high half and refuses to release below them", () => {
    const o = new TestLeaf();
    o.retainForCollection();
    expect(o.getRetainCount()).toBe(2);
    expect(o.getCollectionRetainCount()).toBe(1);
    o.release();
    expect(() => o.release()).toThrow("A kext releasing a(n) TestObjLeaf has corrupted the registry.");
    o.releaseFromCollection();
    expect(o.isFreed).toBe(true);
  });

  it("balanced retain/release sequences return to the starting count", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 200 }), (ops) => {
        const o = new TestLeaf();
        let depth = 0;
        for (const up of ops) {
          if (up) {
            o.retain();
            depth++;
          } else if (depth > 0) {
            o.release();
            depth--;
          }
          expect(o.getRetainCount()).toBe(1 + depth);
        }
        for (; depth > 0; depth--) o.release();
        expect(o.getRetainCount()).toBe(1);
        o.release();
        expect(o.isFreed).toBe(true);
      }),
    );
  });

  it("releases at the end of a using scope", () => {
    const before = count("TestObjLeaf");
    {
      using o = new TestLeaf();
      expect(count("TestObjLeaf")).toBe(before + 1);
      expect(o.getRetainCount()).toBe(1);
    }
    expect(count("TestObjLeaf")).toBe(before);
    expect(withReleased(new TestLeaf(), (o) => o.getClassName())).toBe("TestObjLeaf");
    expect(count("TestObjLeaf")).toBe(before);
  });
});

describe("OSMetaClass", () => {
  it("counts only the most-derived class; superclasses get +1 per non-empty subclass", () => {
    // The object pegged above leaks on purpose, so take baselines rather than assume zero.
    const base0 = count("TestObjBase");
    const leaf0 = count("TestObjLeaf");
    expect(leaf0).toBeGreaterThan(0);
    const leaves = Array.from({ length: 5 }, () => new TestLeaf());
    expect(count("TestObjLeaf")).toBe(leaf0 + 5);
    expect(count("TestObjBase")).toBe(base0);
    const other = new TestOther();
    expect(count("TestObjBase")).toBe(base0 + 1);
    const plain = new TestBase();
    expect(count("TestObjBase")).toBe(base0 + 2);
    for (const l of leaves) l.release();
    expect(count("TestObjLeaf")).toBe(leaf0);
    other.release();
    expect(count("TestObjBase")).toBe(base0 + 1);
    plain.release();
    expect(count("TestObjBase")).toBe(base0);
  });

  it("a superclass's count moves only on a subclass's 0→1 and 1→0", () => {
    class Mid extends OSObject {}
    OSMetaClass.define(Mid, "TestPropMid");
    class Leaf extends Mid {}
    OSMetaClass.define(Leaf, "TestPropLeaf");
    const objectBase = count("OSObject");
    const a = new Leaf();
    expect([count("TestPropLeaf"), count("TestPropMid")]).toEqual([1, 1]);
    const b = new Leaf();
    expect([count("TestPropLeaf"), count("TestPropMid")]).toEqual([2, 1]);
    expect(count("OSObject")).toBe(objectBase + 1);
    a.release();
    b.release();
    expect([count("TestPropLeaf"), count("TestPropMid"), count("OSObject")]).toEqual([0, 0, objectBase]);
  });

  it("finds classes by name, casts by conformance and allocates by name", () => {
    const meta = OSMetaClass.getMetaClassWithName("TestObjLeaf");
    expect(meta?.superClass?.className).toBe("TestObjBase");
    expect(meta?.ancestry()).toEqual(["OSObject", "TestObjBase", "TestObjLeaf"]);
    const o = OSMetaClass.allocClassWithName("TestObjLeaf");
    expect(o).toBeInstanceOf(TestLeaf);
    const leaf = o as TestLeaf;
    expect(leaf.metaCast("TestObjBase")).toBe(true);
    expect(leaf.metaCast("TestObjOther")).toBe(false);
    expect(OSDynamicCast(TestBase, leaf)).toBe(leaf);
    expect(OSDynamicCast(TestOther, leaf)).toBeNull();
    expect(OSDynamicCast(TestOther, "not an object")).toBeNull();
    expect(OSMetaClass.allocClassWithName("NoSuchClass")).toBeUndefined();
    leaf.release();
  });

  it("refuses a duplicate class name and unloads a kext's classes only without instances", () => {
    class A extends OSObject {}
    class B extends OSObject {}
    OSMetaClass.define(A, "TestDupA", { kmodName: "com.example.dup" });
    expect(() => OSMetaClass.define(B, "TestDupA")).toThrow(/duplicate/);
    const a = new A();
    expect(() => OSMetaClass.removeClasses("com.example.dup")).toThrow(/have instances: TestDupA/);
    a.release();
    expect(OSMetaClass.removeClasses("com.example.dup")).toEqual(["TestDupA"]);
    expect(OSMetaClass.getMetaClassWithName("TestDupA")).toBeUndefined();
  });

  it("logs a count below zero instead of throwing", () => {
    const lines: string[] = [];
    OSMetaClass.setLogSink((l) => lines.push(l));
    class C extends OSObject {}
    const meta = OSMetaClass.define(C, "TestBadRetain");
    meta.instanceDestructed();
    expect(lines).toEqual(["OSMetaClass: Class TestBadRetain - bad retain (-1)"]);
    OSMetaClass.setLogSink(() => {});
  });

  it("serializes the class dictionary with 32-bit counts", () => {
    const d = OSMetaClass.serializeClassDictionary();
    const v = d.get("OSObject");
    expect(v).toBeDefined();
    expect((v as { bits: number }).bits).toBe(32);
  });
});
