/**
 * Base64 as property lists use it. Decoding skips whitespace anywhere (CF and plistlib both accept
 * the line-wrapped form every writer produces) and rejects any other character outside the
 * alphabet. Encoding wraps lines the way a caller asks, so the XML writer can reproduce CF's layout.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const WHITESPACE = -2;
for (const c of [9, 10, 13, 32]) DECODE[c] = WHITESPACE;

/** Scratch space that short texts are decoded into before their bytes are copied out once. */
let scratch = new Uint8Array(4096);

/**
 * Small decoded blobs are copied into shared 64 KiB buffers and handed out as views (an
 * `ArrayBuffer` per 12-byte blob costs far more than its bytes, in allocation and in the
 * collector's tracking of external memory); a blob over an eighth of the pool gets its own buffer.
 * The binary reader pools its data the same way.
 */
export class BytePool {
  #pool = new Uint8Array(0);
  #used = 0;

  /** A view of `n` bytes of the pool holding `bytes[0, n)`. */
  copy(bytes: Uint8Array, n: number): Uint8Array {
    if (n > POOL / 8) return bytes.slice(0, n);
    if (this.#used + n > this.#pool.length) {
      this.#pool = new Uint8Array(POOL);
      this.#used = 0;
    }
    const start = this.#used;
    const pool = this.#pool;
    for (let i = 0; i < n; i++) pool[start + i] = bytes[i] as number;
    this.#used = start + n;
    return new Uint8Array(pool.buffer, start, n);
  }
}
const POOL = 1 << 16;

/**
 * Decodes base64 text, `text[start, end)`. Returns `undefined` on a character outside the
 * alphabet, misplaced padding, or a dangling single character, so the caller can report the
 * position it knows. The result is allocated once: short texts decode into scratch space and are
 * copied out (into `pool` when given), long ones into a buffer of the exact size, counted first.
 */
export function decodeBase64(text: string, start = 0, end = text.length, pool?: BytePool): Uint8Array | undefined {
  const bound = Math.floor(((end - start) * 3) / 4) + 3;
  let out: Uint8Array;
  if (bound <= scratch.length) out = scratch;
  else if (bound <= POOL) out = scratch = new Uint8Array(bound);
  else {
    let symbols = 0;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < 128 && (DECODE[c] as number) >= 0) symbols++;
    }
    out = new Uint8Array(Math.floor((symbols * 6) / 8));
  }
  let n = 0;
  let acc = 0;
  let bits = 0;
  let pad = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? (DECODE[c] as number) : -1;
    if (d === WHITESPACE) continue;
    if (c === 61 /* = */) {
      pad++;
      continue;
    }
    if (d < 0 || pad > 0) return undefined;
    acc = ((acc << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  if (bits >= 6 || pad > 2) return undefined;
  if (out !== scratch) return out;
  return pool === undefined ? out.slice(0, n) : pool.copy(out, n);
}

/** Encodes bytes as one unbroken line of base64 with padding; writers wrap it as their format wants. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const full = bytes.length - (bytes.length % 3);
  const chunk: string[] = [];
  for (let i = 0; i < full; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    chunk.push(
      ALPHABET[v >> 18] as string,
      ALPHABET[(v >> 12) & 63] as string,
      ALPHABET[(v >> 6) & 63] as string,
      ALPHABET[v & 63] as string,
    );
    if (chunk.length >= 4096) {
      out += chunk.join("");
      chunk.length = 0;
    }
  }
  out += chunk.join("");
  const rest = bytes.length - full;
  if (rest === 1) {
    const v = (bytes[full] as number) << 16;
    out += `${ALPHABET[v >> 18]}${ALPHABET[(v >> 12) & 63]}==`;
  } else if (rest === 2) {
    const v = ((bytes[full] as number) << 16) | ((bytes[full + 1] as number) << 8);
    out += `${ALPHABET[v >> 18]}${ALPHABET[(v >> 12) & 63]}${ALPHABET[(v >> 6) & 63]}=`;
  }
  return out;
}
