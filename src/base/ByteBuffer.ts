/**
 * A growable byte buffer for writers that build binary formats (bplist00, OSSerializeBinary):
 * capacity doubles on demand, so writing n bytes costs O(n) amortised.
 */
export class ByteBuffer {
  bytes: Uint8Array;
  view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(initialCapacity = 4096) {
    this.bytes = new Uint8Array(initialCapacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}
