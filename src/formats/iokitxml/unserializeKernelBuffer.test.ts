import { describe, expect, it } from "vitest";
import { dict, num, osEqual } from "../../libkern/index.ts";
import { OSBinarySyntaxError, serializeBinary } from "../osbinary/index.ts";
import { IOKitXMLSyntaxError, serializeIOCFXML, unserializeKernelBuffer } from "./index.ts";

describe("unserializeKernelBuffer()", () => {
  const value = dict({ IOProviderClass: "IOResources", IOProbeScore: num(1000, 32) });

  it("dispatches on the binary signature, else reads NUL-terminated XML", () => {
    expect(osEqual(unserializeKernelBuffer(serializeBinary(value)), value, { compareBits: true })).toBe(true);
    const xml = new TextEncoder().encode(serializeIOCFXML(value) + "\0");
    expect(osEqual(unserializeKernelBuffer(xml), value, { compareBits: true })).toBe(true);
  });

  it("refuses short, unterminated and malformed buffers", () => {
    expect(() => unserializeKernelBuffer(Uint8Array.of(0xd3, 0))).toThrow(/shorter than the 4-byte minimum/);
    expect(() => unserializeKernelBuffer(new TextEncoder().encode("<true/>"))).toThrow(IOKitXMLSyntaxError);
    expect(() => unserializeKernelBuffer(new TextEncoder().encode("<true/>"))).toThrow(/not NUL-terminated/);
    expect(() => unserializeKernelBuffer(Uint8Array.of(0xd3, 0, 0, 0, 0x85, 0, 0, 0))).toThrow(OSBinarySyntaxError);
  });
});
