import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CtorDtorName, DemangleError, FunctionEncoding, NestedName, SpecialName, cxxfilt, demangle, describeSymbol,
  parseMangledName, tryParseMangledName,
} from "./index.ts";

const haveOracle = spawnSync("llvm-cxxfilt-16", ["--version"], { stdio: "ignore" }).status === 0;

function oracle(names: string[], args: string[] = ["-_"]): string[] {
  const r = spawnSync("llvm-cxxfilt-16", args, { input: names.join("\n") + "\n", encoding: "utf8" });
  return r.stdout.split("\n").slice(0, names.length);
}

/** Kext-relevant names: OSMetaClass machinery, vtables, pad slots, IOKit signatures. */
const KEXT_NAMES = [
  "__ZN9IOService10gMetaClassE", "__ZN9IOService10superClassE", "__ZN9IOService9metaClassE", "__ZTV9IOService",
  "__ZTVN9IOService9MetaClassE", "__ZN9IOService9MetaClassC1Ev", "__ZN9IOService9MetaClassC2Ev",
  "__ZNK9IOService9MetaClass5allocEv", "__ZNK9IOService12getMetaClassEv", "__ZN9IOService19_RESERVEDIOService0Ev",
  "__ZN9IOService5startEPS_", "__ZN9IOServiceC2EPK11OSMetaClass", "__ZN9IOServiceD0Ev", "__ZN9IOServiceD1Ev",
  "__ZN12IOUserClient14externalMethodEjP25IOExternalMethodArgumentsP24IOExternalMethodDispatchP8OSObjectPv",
  "__ZTI9IOService", "__ZTS9IOService", "__ZThn8_N4Left1fEi", "__ZTv0_n24_N4Left1fEi", "__ZGVZN3Foo3getEvE1x",
  "__ZN11OSMetaClassC2EPKcPKS_j", "__ZN15OSMetaClassBase12safeMetaCastEPKS_PK11OSMetaClass",
];

describe("demangle", () => {
  it.skipIf(!haveOracle)("prints the kext-relevant names exactly as llvm-cxxfilt-16 -_", () => {
    expect(KEXT_NAMES.map((n) => cxxfilt(n))).toEqual(oracle(KEXT_NAMES));
  });

  it.skipIf(!haveOracle)("handles std abbreviations, lambdas, ABI tags, packs, literals and expressions like the oracle", () => {
    const names = [
      "_ZNSsC1Ev", "_ZNSiD0Ev", "_ZNSaIcEC1Ev", "_Z1fSsSiSoSdSaSb", "_ZZ4mainENKUliE_clEi", "_ZZ4mainENKUliE0_clEi",
      "_ZN1AUt_E", "_Z1fIJicEEvDpT_", "_Z1fIJEEvDpT_", "_Z3fooILb1EEvv", "_Z3fooILln5EEvv", "_Z3fooILc65EEvv",
      "_Z1fIiEDTplfp_fp_ET_", "_ZN1AcvT_IiEEv", "_Z1fPFPFivEvE", "_Z1fPA3_i", "_Z1fRA3_i", "_Z1fM1AKFviE",
      "_Z1fIiEvDTgtfp_fp_E", "_Z1fILi1EEvAgtT_Li0E_i", "_ZZ1fvEs", "_ZGVZ1fvE1x", "_Z3fooB5cxx11v", "_Z1fDv4_f",
      "_ZTCN1A1BE0_N1A1CE", "_Z1fILf3f800000EEvv", "_Z1fILd3ff8000000000000EEvv",
      "_Z1fILe3fff8000000000000000EEvv", "_Z1fILe00000000000000003fffEEvv", "_Z1fILf7fc00000EEvv", "_Z1fILdfff0000000000000EEvv", "_Z1fIXadL_Z1gIcEvvEEEvT_",
      "_ZN12_GLOBAL__N_13fooEv", "_Z1fDn", "___Z1fv_block_invoke", "_Z1fv.cold.1", "_ZNKR1A1fEv", "_ZNO1A1fEv",
      "_Z1fPDoFvvE", "_ZN1AliEPKc", "_ZdlPv", "_Znam", "_ZN1AcviEv", "_Z1fIiEvDTcl1gIT_EEE", "_ZTW1x", "_ZTH1x",
    ];
    expect(names.map((n) => cxxfilt(n, { stripUnderscore: false }))).toEqual(oracle(names, []));
  });

  it("returns undefined for names that are not mangled, and strips one underscore by default", () => {
    expect(demangle("main")).toBeUndefined();
    expect(demangle("_main")).toBeUndefined();
    expect(demangle("__Z3fooi")).toBe("foo(int)");
    expect(demangle("_Z3fooi", { stripUnderscore: false })).toBe("foo(int)");
    expect(demangle("__Z3fooi", { stripUnderscore: false })).toBeUndefined();
    expect(cxxfilt("_Z3foo")).toBe("_Z3foo");
    expect(demangle("i", { types: true, stripUnderscore: false })).toBe("int");
    expect(demangle("__Z3fooi", { params: false })).toBe("foo");
  });

  it("exposes a typed tree", () => {
    const enc = parseMangledName("__ZN9IOServiceD0Ev");
    expect(enc).toBeInstanceOf(FunctionEncoding);
    const name = (enc as FunctionEncoding).name as NestedName;
    expect(name).toBeInstanceOf(NestedName);
    expect(name.name).toBeInstanceOf(CtorDtorName);
    expect((name.name as CtorDtorName).variant).toBe(0);
    expect(parseMangledName("__ZTV9IOService")).toBeInstanceOf(SpecialName);
    const bad = tryParseMangledName("__ZN9IOService");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toBeInstanceOf(DemangleError);
  });
});

describe("describeSymbol", () => {
  const kind = (n: string) => describeSymbol(n)?.kind;
  it("classifies OSMetaClass and ABI symbols for the kext linker", () => {
    expect(describeSymbol("__ZN9IOService10gMetaClassE")).toMatchObject({ kind: "metaClassInstance", className: "IOService", memberName: "gMetaClass" });
    expect(describeSymbol("__ZTV9IOService")).toMatchObject({ kind: "vtable", className: "IOService" });
    expect(describeSymbol("__ZN9IOService9MetaClassC1Ev")).toMatchObject({ kind: "metaClassConstructor", className: "IOService" });
    expect(describeSymbol("__ZN9IOService19_RESERVEDIOService3Ev")).toMatchObject({ kind: "reservedSlot", className: "IOService", reservedIndex: 3 });
    expect(describeSymbol("__ZNK9IOService12getMetaClassEv")).toMatchObject({ kind: "getMetaClass", className: "IOService", isConst: true });
    expect(describeSymbol("__ZN9IOService5startEPS_")).toMatchObject({ kind: "function", className: "IOService", memberName: "start" });
    expect(describeSymbol("__ZN9IOServiceD2Ev")).toMatchObject({ kind: "destructor", memberName: "~IOService" });
    expect(kind("__ZN9IOService10superClassE")).toBe("superClassPointer");
    expect(kind("__ZNK9IOService9MetaClass5allocEv")).toBe("metaClassAlloc");
    expect(kind("__ZTI9IOService")).toBe("typeinfo");
    expect(describeSymbol("__ZTVN9IOService9MetaClassE")).toMatchObject({ kind: "metaClassVtable", className: "IOService" });
    expect(kind("__ZTS9IOService")).toBe("typeinfoName");
    expect(kind("__ZThn8_N4Left1fEi")).toBe("nonVirtualThunk");
    expect(describeSymbol("__ZThn8_N4Left1fEi")?.className).toBe("Left");
    expect(kind("__ZGVZN3Foo3getEvE1x")).toBe("guardVariable");
    expect(describeSymbol("_main")).toBeUndefined();
  });
});

describe("bounds", () => {
  it("rejects very deep nesting with DemangleError, not a stack overflow", () => {
    for (const n of ["__Z1f" + "P".repeat(100_000) + "i", "__Z" + "Z".repeat(50_000) + "1fvE1x", "__Z1fIiE" + "A1_".repeat(50_000) + "i"]) {
      const r = tryParseMangledName(n);
      expect(r.ok).toBe(false);
    }
  });

  it("bounds the output of substitutions that double at each step", () => {
    // `P1A` makes S0_ = A*; each `PFv S<k>_ S<k>_ E` is a pointer to a function taking the
    // previous pointer type twice, so the printed size doubles per step.
    const doubling = (steps: number): string => {
      let s = "__Z1fP1A";
      for (let k = 0; k < steps; k++) {
        const id = (2 * k).toString(36).toUpperCase();
        s += `PFvS${id}_S${id}_E`;
      }
      return s;
    };
    const small = demangle(doubling(8));
    expect(small).toBeDefined();
    expect(small!.length).toBeGreaterThan(2 ** 8);
    expect(demangle(doubling(60))).toBeUndefined();
    expect(cxxfilt(doubling(60))).toBe(doubling(60));
    expect(demangle(doubling(8), { outputLimit: 100 })).toBeUndefined();
  });

  it("never throws anything but DemangleError on random or mutated input, and terminates", () => {
    const seeds = [...KEXT_NAMES, "__ZNSt3__112basic_stringIcNS_11char_traitsIcEENS_9allocatorIcEEE6appendEPKc",
      "__Z1fIJicEEvDpT_", "__ZN1AcvT_IiEEv", "__Z1fIiEDTplfp_fp_ET_", "__ZZ4mainENKUliE_clEi"];
    const alphabet = "_0123456789ZNESTIJLXYKVrRODpvicdfjlmstyabhnowxzgeCDGTUlAMFB.$";
    const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...alphabet), fc.nat(2)), { maxLength: 6 }))
      .map(([seed, edits]) => {
        let s = seed;
        for (const [at, ch, op] of edits) {
          const i = at % (s.length + 1);
          s = op === 0 ? s.slice(0, i) + ch + s.slice(i) : op === 1 ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i + 1);
        }
        return s;
      });
    const random = fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 80 }).map((s) => "__Z" + s);
    fc.assert(fc.property(fc.oneof(mutated, random), fc.boolean(), (s, types) => {
      try {
        const node = parseMangledName(s, { types });
        node.toString(1 << 16);
      } catch (e) {
        if (!(e instanceof DemangleError)) throw e;
      }
      expect(typeof cxxfilt(s, { types })).toBe("string");
    }), { numRuns: 3000 });
  });
});
