import { describe, expect, it } from "vitest";
import { PlistFormatError, writeBinaryPlist, writeXMLPlist } from "../plist/index.ts";
import { OpenStepSyntaxError } from "../openstep/index.ts";
import { detectPlistFormat, parsePlist, readPlist, tryParsePlist } from "./index.ts";

describe("parsePlist()", () => {
  it("detects binary and XML and reads both", () => {
    const bin = writeBinaryPlist(["x"]);
    const xml = new TextEncoder().encode(`\uFEFF${writeXMLPlist(["x"])}`);
    expect(readPlist(bin)).toEqual({ value: ["x"], format: "binary1" });
    expect(readPlist(xml)).toEqual({ value: ["x"], format: "xml1" });
    expect(parsePlist(writeXMLPlist(["x"]))).toEqual(["x"]);
    expect(detectPlistFormat('{ a = "b"; }')).toBe("openstep");
  });

  it("reads OpenStep text with the OpenStep reader", () => {
    expect(readPlist(new TextEncoder().encode('\n  { a = "b"; c = (d, <0aff>); }'))).toEqual({
      value: new Map<string, unknown>([["a", "b"], ["c", ["d", new Uint8Array([0x0a, 0xff])]]]),
      format: "openstep",
    });
    const bad = tryParsePlist("{ a = ; }");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toBeInstanceOf(OpenStepSyntaxError);
  });

  it("refuses other bplist versions and empty input with a positioned error", () => {
    expect(() => parsePlist("bplist15xxxxxxxx")).toThrow(PlistFormatError);
    expect(() => parsePlist(new Uint8Array(0))).toThrow(/zero-length/);
    expect(tryParsePlist("<plist><true/></plist>")).toEqual({ ok: true, value: true, format: "xml1" });
  });
});
