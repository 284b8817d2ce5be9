import { describe, expect, it } from "vitest";
import { getopt, GetoptError } from "./getopt.ts";

describe("getopt()", () => {
  it("parses clustered short options with attached and separate arguments", () => {
    const r = getopt(["-lw0", "-p", "IOService", "-k", "a", "-kb", "x"], { short: "abc:d:fik:ln:p:rtw:xy" }, "ioreg");
    expect(r.options).toEqual([
      { id: "l", value: undefined }, { id: "w", value: "0" }, { id: "p", value: "IOService" },
      { id: "k", value: "a" }, { id: "k", value: "b" },
    ]);
    expect(r.operands).toEqual(["x"]);
  });

  it("stops at the first operand unless permuting, and at --", () => {
    expect(getopt(["a", "-l"], { short: "l" }, "t").operands).toEqual(["a", "-l"]);
    expect(getopt(["a", "-l"], { short: "l", permute: true }, "t").options).toEqual([{ id: "l", value: undefined }]);
    expect(getopt(["--", "-l"], { short: "l" }, "t").operands).toEqual(["-l"]);
  });

  it("reports unknown options and missing arguments in libc's words", () => {
    expect(() => getopt(["-z"], { short: "l" }, "ioreg")).toThrow("ioreg: illegal option -- z");
    expect(() => getopt(["-p"], { short: "p:" }, "ioreg")).toThrow("ioreg: option requires an argument -- p");
    try {
      getopt(["-z"], { short: "l" }, "ioreg");
    } catch (e) {
      expect(e).toBeInstanceOf(GetoptError);
    }
  });

  it("accepts getopt_long_only long options with one or two dashes and prefixes", () => {
    const spec = {
      short: "tnr:",
      long: [
        { name: "print-diagnostics", hasArg: "none" as const },
        { name: "repository", hasArg: "required" as const, id: "r" },
        { name: "kernel-version", hasArg: "required" as const },
      ],
    };
    const r = getopt(["-print-diagnostics", "--repository=/x", "-kernel-version", "18.7.0", "-tn", "Foo.kext"], spec, "kextutil");
    expect(r.options).toEqual([
      { id: "print-diagnostics", value: undefined }, { id: "r", value: "/x" },
      { id: "kernel-version", value: "18.7.0" }, { id: "t", value: undefined }, { id: "n", value: undefined },
    ]);
    expect(r.operands).toEqual(["Foo.kext"]);
    expect(getopt(["-print"], spec, "kextutil").options[0]?.id).toBe("print-diagnostics");
    expect(() => getopt(["--bogus"], spec, "kextutil")).toThrow(GetoptError);
  });
});
