import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { osEqual, OSNumber, type OSValue } from "../libkern/index.ts";
import { plistValue } from "../../test/support/plistArbitrary.ts";
import { FrameReader, FrameTooLargeError, encodeFrame } from "./framing.ts";
import { WireSyntaxError, decodeWire, encodeWire, kWireMaxDepth, type WireValue } from "./WireCodec.ts";

describe("wire codec", () => {
  it("round-trips every OSValue exactly", () => {
    fc.assert(fc.property(plistValue(), (v) => {
      expect(osEqual(decodeWire(encodeWire(v)) as OSValue, v)).toBe(true);
    }), { numRuns: 300 });
  });

  it("keeps 64-bit scalars, widths and JS numbers apart", () => {
    const v: WireValue = [0xffffffffffffffffn, -5n, new OSNumber(-1n, 32), new OSNumber(1n << 100n, 128), 1.5, -0, 7, null];
    const back = decodeWire(encodeWire(v)) as WireValue[];
    expect(back.slice(0, 2)).toEqual([0xffffffffffffffffn, -5n]);
    expect(back[2]).toEqual(new OSNumber(-1n, 32));
    expect((back[3] as OSNumber).value).toBe(1n << 100n);
    expect(Object.is(back[5], -0)).toBe(true);
    expect(back.slice(4)).toEqual([1.5, -0, 7, null]);
  });

  it("rejects garbage with a WireSyntaxError, in bounded time", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decodeWire(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(WireSyntaxError);
      }
    }), { numRuns: 2000 });
    const deep = new Uint8Array(kWireMaxDepth * 2 + 2).fill(8).map((b, i) => (i % 2 === 1 ? 1 : b));
    expect(() => decodeWire(deep)).toThrow(WireSyntaxError);
    expect(() => decodeWire(new Uint8Array([8, 0xff, 0xff, 0xff, 0x7f]))).toThrow(/exceeds/);
  });

  it("reassembles frames split anywhere and refuses oversize headers", () => {
    const frames = [encodeFrame("a"), encodeFrame([1, 2, 3]), encodeFrame(new Uint8Array(300))];
    const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let o = 0;
    for (const f of frames) {
      all.set(f, o);
      o += f.length;
    }
    for (let cut = 0; cut < all.length; cut += 7) {
      const r = new FrameReader();
      const got = [...r.push(all.subarray(0, cut)), ...r.push(all.subarray(cut))].map((b) => decodeWire(b));
      expect(got.length).toBe(3);
      expect(r.pending).toBe(0);
    }
    expect(() => new FrameReader(1024).push(new Uint8Array([0, 1, 0, 1]))).toThrow(FrameTooLargeError);
  });
});

describe("wire codec reuse", () => {
  it("decodes repeated and colliding short names exactly, and never aliases its input", () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 40 }), (names) => {
      // Twice, so the second pass goes through the intern table.
      for (let pass = 0; pass < 2; pass++) expect(decodeWire(encodeWire(names))).toEqual(names);
    }), { numRuns: 300 });
    const bytes = encodeWire(["io_connect_method", new Uint8Array([1, 2, 3])]);
    const back = decodeWire(bytes) as [string, Uint8Array];
    bytes.fill(0x41, 2);
    expect(back).toEqual(["io_connect_method", new Uint8Array([1, 2, 3])]);
    expect(decodeWire(encodeWire("io_connect_method"))).toBe("io_connect_method");
  });

  it("encodes into the caller's buffer with the frame header", () => {
    const seen: number[] = [];
    const f = encodeFrame([1, "a"], (n) => {
      seen.push(n);
      return new Uint8Array(n);
    });
    expect(seen).toEqual([f.length]);
    expect(new DataView(f.buffer, f.byteOffset).getUint32(0)).toBe(f.length - 4);
    expect(decodeWire(f.subarray(4))).toEqual([1, "a"]);
    // A large value grows the shared scratch, which later small encodes do not see.
    expect(decodeWire(encodeWire(new Uint8Array(200_000))) as Uint8Array).toHaveLength(200_000);
    expect(encodeWire(null)).toEqual(new Uint8Array([0]));
  });
});
