/**
 * Memory a user client shares with its task (`clientMemoryForType`). In one process the mapping is
 * the very buffer (true sharing). Across processes there is no shared address space from Node
 * (a SharedArrayBuffer cannot cross a process boundary), so the daemon hands out a mapping handle
 * and the client reads and writes ranges with explicit calls; writes are visible to the driver at
 * once and the driver's writes on the next read. See docs/ipc.md.
 */
import { OSObject, OSMetaClass } from "../object/index.ts";

/** `IOMemoryDescriptor`: a length and bytes. */
export class IOMemoryDescriptor extends OSObject {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    super();
    this.#bytes = bytes;
  }

  getLength(): number {
    return this.#bytes.length;
  }

  /** The backing bytes (the shared memory itself). */
  get bytes(): Uint8Array {
    return this.#bytes;
  }
}
OSMetaClass.define(IOMemoryDescriptor, "IOMemoryDescriptor");

/** `IOBufferMemoryDescriptor`: kernel-allocated, zero-filled memory. */
export class IOBufferMemoryDescriptor extends IOMemoryDescriptor {
  /** `withCapacity(capacity, direction)`. */
  static withCapacity(capacity: number): IOBufferMemoryDescriptor {
    return new IOBufferMemoryDescriptor(new Uint8Array(capacity));
  }
}
OSMetaClass.define(IOBufferMemoryDescriptor, "IOBufferMemoryDescriptor");

/** `kIOMapUserOptionsMask`: the option bits a user may set on a mapping. */
export const kIOMapUserOptionsMask = 0x00000ef7;
export const kIOMapAnywhere = 0x1;
export const kIOMapReadOnly = 0x1000;
