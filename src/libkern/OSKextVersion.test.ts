import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  OSKextIsCompatibleWithVersion, OSKextKernelIsCompatibleWithVersion, OSKextParseVersionString as parse,
  OSKextVersionFromParts, OSKextVersionGetParts, OSKextVersionGetString as format, type OSKextVersionStageName,
} from "./OSKextVersion.ts";
import {
  checkKextBundleIdentifier, isPlaceholderBundleIdentifier, isReverseDNSBundleIdentifier,
} from "./OSKextBundleIdentifier.ts";

describe("OSKextParseVersionString()", () => {
  it("encodes each component at its decimal position", () => {
    expect(parse("1.2.3d4")).toBe(1n * 10n ** 12n + 2n * 10n ** 8n + 3n * 10n ** 4n + 1n * 1000n + 4n);
    expect(parse("1")).toBe(10n ** 12n + 9000n);
  });
  it("encodes \"0\" as 9000, not 0 (which means missing)", () => {
    expect(parse("0")).toBe(9000n);
  });
  it("orders stages d < a < b < fc < release", () => {
    const vs = ["1.0d1", "1.0a1", "1.0b1", "1.0fc1", "1.0"].map(parse);
    for (let i = 1; i < vs.length; i++) expect((vs[i] as bigint) > (vs[i - 1] as bigint)).toBe(true);
  });
  it("treats f and fc alike", () => {
    expect(parse("2.1f3")).toBe(parse("2.1fc3"));
  });
  it("stops at the first space, tab, CR or LF", () => {
    for (const ws of [" ", "\t", "\r", "\n"]) expect(parse(`1.0${ws}junk`)).toBe(parse("1.0"));
    expect(parse("1.2.3b4 (build 77)")).toBe(parse("1.2.3b4"));
  });
  it("accepts up to 4 digits per component and 3 level digits up to 255", () => {
    expect(parse("9999.9999.9999fc255")).toBeGreaterThan(0n);
    expect(parse("10000")).toBe(-1n);
    expect(parse("1.10000")).toBe(-1n);
    expect(parse("1.1.10000")).toBe(-1n);
    expect(parse("1.0d256")).toBe(-1n);
    expect(parse("1.0d1000")).toBe(-1n);
    expect(parse("1.0d255")).toBeGreaterThan(0n);
  });
  it("needs a digit after d, a, b and a level of at least 1 after f/fc", () => {
    for (const bad of ["1.0d", "1.0a", "1.0b", "1.0f", "1.0fc", "1.0fc0", "1.0f0", "1.0d x"]) {
      expect(parse(bad), bad).toBe(-1n);
    }
    expect(parse("8.0.0d0")).toBeGreaterThan(0n);
    expect(parse("1.0b0")).toBeGreaterThan(0n);
  });
  it("rejects empty strings, leading non-digits, a period after the revision and stray characters", () => {
    for (const bad of ["", " 1.0", ".1", "v1", "1.2.3.4", "1.2.3.", "1.0x", "1,0", "$(MODULE_VERSION)",
      "###KERNEL_VERSION_LONG###", "1.0e1", "-1"]) {
      expect(parse(bad), JSON.stringify(bad)).toBe(-1n);
    }
  });
  it("accepts empty minor/revision after a period, as the C scanner does", () => {
    expect(parse("1.")).toBe(parse("1.0"));
    expect(parse("1..2")).toBe(parse("1.0.2"));
  });
});

describe("OSKextVersionGetString()", () => {
  it("omits a zero revision, prints f for final candidates and the level for non-release stages", () => {
    expect(format(parse("1.0.0"))).toBe("1.0");
    expect(format(parse("1.2.3"))).toBe("1.2.3");
    expect(format(parse("1.2fc3"))).toBe("1.2f3");
    expect(format(parse("8.0.0d0"))).toBe("8.0d0");
    expect(format(parse("0"))).toBe("0.0");
  });
  it("prints (invalid) and (missing)", () => {
    expect(format(-1n)).toBe("(invalid)");
    expect(format(0n)).toBe("(missing)");
  });
  const stages: OSKextVersionStageName[] = ["development", "alpha", "beta", "candidate", "release"];
  const partsArb = fc.record({
    major: fc.integer({ min: 0, max: 9999 }),
    minor: fc.integer({ min: 0, max: 9999 }),
    revision: fc.integer({ min: 0, max: 9999 }),
    stage: fc.constantFrom(...stages),
    level: fc.integer({ min: 0, max: 255 }),
  }).filter((p) => !(p.stage === "candidate" && p.level === 0)).map((p) => (p.stage === "release" ? { ...p, level: 0 } : p));
  it("round-trips through parse, and fits kOSKextVersionMaxLength", () => {
    fc.assert(fc.property(partsArb, (p) => {
      const v = OSKextVersionFromParts(p);
      const s = format(v);
      expect(s.length).toBeLessThan(20);
      expect(parse(s)).toBe(v);
      expect(OSKextVersionGetParts(v)).toEqual(p);
    }));
  });
  it("orders like the component tuple", () => {
    const rank = (p: { major: number; minor: number; revision: number; stage: OSKextVersionStageName; level: number }) =>
      [p.major, p.minor, p.revision, stages.indexOf(p.stage), p.level];
    fc.assert(fc.property(partsArb, partsArb, (a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      const i = ra.findIndex((x, k) => x !== rb[k]);
      const expected = i < 0 ? 0 : (ra[i] as number) < (rb[i] as number) ? -1 : 1;
      const va = OSKextVersionFromParts(a);
      const vb = OSKextVersionFromParts(b);
      expect(va < vb ? -1 : va > vb ? 1 : 0).toBe(expected);
    }));
  });
});

describe("compatibility", () => {
  const v = parse("2.0");
  const c = parse("1.5");
  it("user space requires compatible <= requested <= version and a declared compatible version", () => {
    expect(OSKextIsCompatibleWithVersion(v, c, parse("1.5"))).toBe(true);
    expect(OSKextIsCompatibleWithVersion(v, c, parse("2.0"))).toBe(true);
    expect(OSKextIsCompatibleWithVersion(v, c, parse("1.4"))).toBe(false);
    expect(OSKextIsCompatibleWithVersion(v, c, parse("2.0.1"))).toBe(false);
    expect(OSKextIsCompatibleWithVersion(v, 0n, parse("1.0"))).toBe(false);
  });
  it("the kernel does not check the lower bound", () => {
    expect(OSKextKernelIsCompatibleWithVersion(v, c, parse("1.0"))).toBe(true);
    expect(OSKextKernelIsCompatibleWithVersion(v, c, parse("2.1"))).toBe(false);
  });
});

describe("CFBundleIdentifier rules", () => {
  it("limits identifiers to 63 bytes and forbids empty ones", () => {
    expect(checkKextBundleIdentifier("a".repeat(63))).toBeUndefined();
    expect(checkKextBundleIdentifier("a".repeat(64))).toBe("too-long");
    expect(checkKextBundleIdentifier("")).toBe("empty");
    expect(checkKextBundleIdentifier("é".repeat(32))).toBe("too-long");
  });
  it("wants reverse-DNS identifiers with a company and a product", () => {
    expect(isReverseDNSBundleIdentifier("com.example.driver.Foo")).toBe(true);
    expect(isReverseDNSBundleIdentifier("as.vit9696.Lilu")).toBe(true);
    expect(isReverseDNSBundleIdentifier("com.mydriver")).toBe(false);
    expect(isReverseDNSBundleIdentifier("FAKESMC_BUNDLE")).toBe(false);
    expect(isReverseDNSBundleIdentifier("com..foo")).toBe(false);
    expect(isReverseDNSBundleIdentifier("$(PRODUCT_BUNDLE_IDENTIFIER)")).toBe(false);
  });
  it("spots template placeholders", () => {
    expect(isPlaceholderBundleIdentifier("com.YourCompany.driver.AppleSamplePCI")).toBe(true);
    expect(isPlaceholderBundleIdentifier("com.apple.iokit.IOPCIFamily")).toBe(false);
  });
});
