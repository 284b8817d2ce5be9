import { describe, expect, it } from "vitest";
import { dict, num, OSDate, OSUID, real, type OSValue } from "../../libkern/index.ts";
import { PlistTypeError, writeJSONPlist } from "./index.ts";

describe("writeJSONPlist()", () => {
  const v = dict({ b: [num(1), real(0.5), real(1), "a/b\"\\\n\u0001", [], new Map()], a: true });

  it("writes compact JSON with sorted keys and Foundation's escapes", () => {
    expect(writeJSONPlist(v)).toBe('{"a":true,"b":[1,0.5,1,"a\\/b\\"\\\\\\n\\u0001",[],{}]}');
    expect(JSON.parse(writeJSONPlist(v))).toEqual({ a: true, b: [1, 0.5, 1, "a/b\"\\\n\u0001", [], {}] });
  });

  it("writes plutil -r's human-readable layout", () => {
    expect(writeJSONPlist(v, { pretty: true })).toBe(
      '{\n  "a" : true,\n  "b" : [\n    1,\n    0.5,\n    1,\n    "a\\/b\\"\\\\\\n\\u0001",\n    [\n\n    ],\n    {\n\n    }\n  ]\n}',
    );
  });

  it("writes 64-bit integers exactly", () => {
    expect(writeJSONPlist([num(2n ** 64n - 1n), num(-(2n ** 63n))])).toBe("[18446744073709551615,-9223372036854775808]");
  });

  it("refuses what JSON cannot hold", () => {
    for (const bad of [new Uint8Array(1), new OSDate(0), new OSUID(1), new Set<OSValue>(), real(NaN), real(Infinity)]) {
      expect(() => writeJSONPlist(dict({ k: [bad] }))).toThrow(PlistTypeError);
    }
    expect(() => writeJSONPlist(dict({ k: [new Uint8Array(1)] }))).toThrow(/k\.0/);
  });
});
