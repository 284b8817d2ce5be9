/**
 * Framing on a byte stream: each message is a 4-byte big-endian length followed by that many bytes
 * of {@link encodeWire} output. {@link FrameReader} reassembles frames from arbitrary chunks (a
 * half-sent frame simply waits for the rest) and refuses a length above its limit before buffering
 * it, so a hostile peer cannot make the reader allocate more than the limit.
 */
import { encodeWireWithPrefix, type WireValue } from "./WireCodec.ts";

/** Largest frame body accepted by default: 16 MiB. */
export const kMaxFrameSize = 16 * 1024 * 1024;

/** A frame header announced more than the reader accepts. */
export class FrameTooLargeError extends SyntaxError {
  readonly size: number;
  constructor(size: number, limit: number) {
    super(`frame of ${size} bytes exceeds the limit of ${limit}`);
    this.name = "FrameTooLargeError";
    this.size = size;
  }
}

/**
 * Encodes `value` as one frame (header + body) in a single buffer of exactly its size, taken from
 * `alloc` (default a new Uint8Array; the host passes Node's pooled `Buffer.allocUnsafe`).
 */
export function encodeFrame(value: WireValue, alloc?: (size: number) => Uint8Array): Uint8Array {
  const buf = encodeWireWithPrefix(value, 4, alloc);
  const size = buf.length - 4;
  buf[0] = size >>> 24;
  buf[1] = (size >>> 16) & 0xff;
  buf[2] = (size >>> 8) & 0xff;
  buf[3] = size & 0xff;
  return buf;
}

/** Reassembles frames from stream chunks. */
export class FrameReader {
  readonly limit: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;

  constructor(limit = kMaxFrameSize) {
    this.limit = limit;
  }

  /** Bytes held that do not yet form a whole frame. */
  get pending(): number {
    return this.#buffered;
  }

  /** Adds a chunk; returns the frame bodies now complete. Throws {@link FrameTooLargeError}. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let buf: Uint8Array;
    if (this.#chunks.length === 0) buf = chunk;
    else {
      this.#chunks.push(chunk);
      buf = new Uint8Array(this.#buffered + chunk.length);
      let o = 0;
      for (const c of this.#chunks) {
        buf.set(c, o);
        o += c.length;
      }
      this.#chunks = [];
      this.#buffered = 0;
    }
    let pos = 0;
    while (buf.length - pos >= 4) {
      const size = ((buf[pos] as number) * 0x1000000) + (((buf[pos + 1] as number) << 16) | ((buf[pos + 2] as number) << 8) | (buf[pos + 3] as number));
      if (size > this.limit) throw new FrameTooLargeError(size, this.limit);
      if (buf.length - pos - 4 < size) break;
      out.push(buf.subarray(pos + 4, pos + 4 + size));
      pos += 4 + size;
    }
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      this.#chunks.push(rest);
      this.#buffered = rest.length;
    }
    return out;
  }
}
