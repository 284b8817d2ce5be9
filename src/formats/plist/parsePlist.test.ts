import { describe, expect, it } from "vitest";
import { detectPlistFormat, parsePlist, PlistFormatError, PlistSyntaxError, readPlist, tryParsePlist, writeBinaryPlist, writeXMLPlist } from "./index.ts";

describe("parsePlist()", () => {
  it("detects binary and XML and reads both", () => {
    const bin = writeBinaryPlist(["x"]);
    const xml = new TextEncoder().encode(`\uFEFF${writeXMLPlist(["x"])}`);
    expect(readPlist(bin)).toEqual({ value: ["x"], format: "binary1" });
    expect(readPlist(xml)).toEqual({ value: ["x"], format: "xml1" });
    expect(parsePlist(writeXMLPlist(["x"]))).toEqual(["x"]);
    expect(detectPlistFormat('{ a = "b"; }')).toBe("openstep");
  });

  it("refuses OpenStep text, other bplist versions and empty input with a positioned error", () => {
    const open = tryParsePlist(new TextEncoder().encode('\n  { a = "b"; }'));
    expect(open.ok).toBe(false);
    if (!open.ok) {
      expect(open.error).toBeInstanceOf(PlistSyntaxError);
      expect(open.error.message).toMatch(/^OpenStep format not supported by this reader at line 2, column 3$/);
    }
    expect(() => parsePlist("bplist15xxxxxxxx")).toThrow(PlistFormatError);
    expect(() => parsePlist("")).toThrow(/empty/);
    expect(tryParsePlist("<plist><true/></plist>")).toEqual({ ok: true, value: true, format: "xml1" });
  });
});
