/**
 * IOStorageFamily's block layer: `IOBlockStorageDevice` (the nub a controller publishes per disk:
 * block size, block count, `doAsyncReadWrite`), `IOBlockStorageDriver` (matches it, publishes the
 * whole-disk {@link IOMedia} with `Content` = `GUID_partition_scheme` when block 1 holds a GPT
 * header) and `IOGUIDPartitionScheme` (matches such media, checks the header and entry-array
 * CRCs, and publishes one IOMedia per partition, `disk0s1`…, `Content` = the type GUID).
 * A corrupt table is logged and leaves the whole disk as a leaf.
 */
import { IOService, OSMetaClass, kIOServiceAsynchronous } from "../../kernel/index.ts";
import type { OSDictionary } from "../../libkern/index.ts";
import { crc32 } from "../hardware/index.ts";
import { n } from "../machine/index.ts";
import { IOMedia, kIOStorageFamilyBundleID, type BlockReader } from "./IOMedia.ts";
import { diskGlobals } from "./IOMediaBSDClient.ts";

export class IOBlockStorageDevice extends IOService {
  /** The first disk a kernel sees sets up the family's BSD side (see IOMediaBSDClient's diskGlobals). */
  override init(properties?: OSDictionary): boolean {
    if (!super.init(properties)) return false;
    diskGlobals(this);
    return true;
  }
  /** Block size in bytes. */
  get blockSize(): number { return 512; }
  get blockCount(): number { return 0; }
  /** Reads `count` blocks at `lba`; undefined on a device error. */
  readBlocks(_lba: number, _count: number): Uint8Array | undefined { return undefined; }
  /** Writes whole blocks (`data.length` a multiple of the block size) at `lba`; false on a device error. */
  writeBlocks(_lba: number, _data: Uint8Array): boolean { return false; }
  get removable(): boolean { return false; }
  get writable(): boolean { return true; }
}
OSMetaClass.define(IOBlockStorageDevice, "IOBlockStorageDevice", { kmodName: kIOStorageFamilyBundleID });

export class IOBlockStorageDriver extends IOService implements BlockReader {
  #device: IOBlockStorageDevice | undefined;
  #ops = { reads: 0, bytes: 0, errors: 0, writes: 0, written: 0, writeErrors: 0 };

  get blockSize(): number { return this.#device?.blockSize ?? 512; }

  readBytes(offset: number, length: number): Uint8Array {
    const d = this.#device;
    if (d === undefined) return new Uint8Array(0);
    const bs = d.blockSize;
    const first = Math.floor(offset / bs), last = Math.floor((offset + length - 1) / bs);
    const data = d.readBlocks(first, last - first + 1);
    this.#ops.reads++;
    if (data === undefined) {
      this.#ops.errors++;
      return new Uint8Array(0);
    }
    this.#ops.bytes += data.length;
    return data.slice(offset - first * bs, offset - first * bs + length);
  }

  /** Writes `bytes` at `offset`; a partial block at either end is read, patched and written whole. */
  writeBytes(offset: number, bytes: Uint8Array): boolean {
    const d = this.#device;
    if (d === undefined || bytes.length === 0) return d !== undefined;
    const bs = d.blockSize;
    const first = Math.floor(offset / bs), within = offset - first * bs;
    let data = bytes;
    if (within !== 0 || bytes.length % bs !== 0) {
      const blocks = Math.ceil((within + bytes.length) / bs);
      const old = d.readBlocks(first, blocks);
      if (old === undefined) return this.#wrote(false, 0);
      data = old.slice();
      data.set(bytes, within);
    }
    return this.#wrote(d.writeBlocks(first, data), data.length);
  }

  #wrote(ok: boolean, bytes: number): boolean {
    this.#ops.writes++;
    if (ok) this.#ops.written += bytes;
    else this.#ops.writeErrors++;
    return ok;
  }

  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOBlockStorageDevice)) return false;
    this.#device = provider;
    const hdr = this.readBytes(provider.blockSize, 8);
    const gpt = new TextDecoder().decode(hdr) === "EFI PART";
    const media = new IOMedia(this.registry);
    media.init();
    media.configure(this, {
      name: `${provider.getName()} Media`, base: 0, size: provider.blockSize * provider.blockCount, blockSize: provider.blockSize, whole: true,
      writable: provider.writable, removable: provider.removable, content: gpt ? "GUID_partition_scheme" : "", contentHint: "",
    });
    media.attach(this);
    media.registerService(kIOServiceAsynchronous);
    media.release();
    this.registerService();
    return true;
  }

  override stop(provider: IOService): void {
    this.setProperty("Statistics", new Map([["Operations (Read)", n(this.#ops.reads, 64)], ["Bytes (Read)", n(this.#ops.bytes, 64)], ["Errors (Read)", n(this.#ops.errors, 64)],
      ["Operations (Write)", n(this.#ops.writes, 64)], ["Bytes (Write)", n(this.#ops.written, 64)], ["Errors (Write)", n(this.#ops.writeErrors, 64)]]));
    super.stop(provider);
  }
}
OSMetaClass.define(IOBlockStorageDriver, "IOBlockStorageDriver", { kmodName: kIOStorageFamilyBundleID });

function guidString(b: Uint8Array): string {
  const h = (i: number): string => (b[i] ?? 0).toString(16).padStart(2, "0");
  return [[3, 2, 1, 0], [5, 4], [7, 6], [8, 9], [10, 11, 12, 13, 14, 15]].map((g) => g.map(h).join("")).join("-").toUpperCase();
}

/** The partition scheme's media are partitions of a whole media: partition reads go through it. */
class MediaReader implements BlockReader {
  readonly #media: IOMedia;
  constructor(media: IOMedia) { this.#media = media; }
  get blockSize(): number { return this.#media.preferredBlockSize; }
  readBytes(offset: number, length: number): Uint8Array { return this.#media.read(offset, length); }
  writeBytes(offset: number, bytes: Uint8Array): boolean { return this.#media.write(offset, bytes); }
}

export class IOGUIDPartitionScheme extends IOService {
  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOMedia)) return false;
    const bs = provider.preferredBlockSize;
    const hdr = provider.read(bs, 92);
    const v = new DataView(hdr.buffer, hdr.byteOffset, hdr.byteLength);
    const fail = (why: string): boolean => {
      this.IOLog(`IOGUIDPartitionScheme: ${provider.getName()}: ${why}; not scanning`);
      return false;
    };
    if (hdr.length < 92) return fail("short GPT header");
    const check = hdr.slice();
    new DataView(check.buffer).setUint32(16, 0, true);
    if (crc32(check) !== v.getUint32(16, true)) return fail("GPT header CRC mismatch");
    const count = v.getUint32(80, true), size = v.getUint32(84, true);
    if (size < 128 || count > 1024) return fail(`implausible entry array (${count} × ${size})`);
    const entries = provider.read(Number(v.getBigUint64(72, true)) * bs, count * size);
    if (crc32(entries) !== v.getUint32(88, true)) return fail("GPT entry array CRC mismatch");
    let index = 0;
    for (let i = 0; i < count; i++) {
      const e = entries.subarray(i * size, i * size + size);
      if (e.subarray(0, 16).every((b) => b === 0)) continue;
      const ev = new DataView(e.buffer, e.byteOffset, e.byteLength);
      const first = Number(ev.getBigUint64(32, true)), last = Number(ev.getBigUint64(40, true));
      let name = "";
      for (let k = 0; k < 36; k++) { const c = ev.getUint16(56 + 2 * k, true); if (c === 0) break; name += String.fromCharCode(c); }
      index++;
      const media = new IOMedia(this.registry);
      media.init();
      media.configure(new MediaReader(provider), {
        name: name || `Untitled ${index}`, base: first * bs, size: (last - first + 1) * bs, blockSize: bs, whole: false,
        writable: provider.getProperty("Writable") === true, removable: provider.getProperty("Removable") === true,
        content: guidString(e.subarray(0, 16)), contentHint: guidString(e.subarray(0, 16)), uuid: guidString(e.subarray(16, 32)),
      });
      media.setProperty("Partition ID", n(index));
      media.setLocation(String(index));
      media.attach(this);
      media.registerService(kIOServiceAsynchronous);
      media.release();
    }
    provider.setLeaf(false);
    return true;
  }
}
OSMetaClass.define(IOGUIDPartitionScheme, "IOGUIDPartitionScheme", { kmodName: kIOStorageFamilyBundleID });
