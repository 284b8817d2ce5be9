/**
 * IOStorageFamily's `IOMedia`: a byte range of a block device (the whole disk or a partition)
 * with Apple's properties — `Size`, `Preferred Block Size`, `Whole`, `Leaf`, `Writable`,
 * `Removable`, `Ejectable`, `Content`, `Content Hint`, `UUID` (partitions),
 * `Open`. Reads and writes go down to the provider chain's block device. The BSD properties
 * (`BSD Name`, `BSD Major`/`Minor`/`Unit`) are set by {@link IOMediaBSDClient} when it makes the
 * media's `/dev` nodes, as on macOS.
 */
import { IOService, OSMetaClass } from "../../kernel/index.ts";
import { n } from "../machine/index.ts";

export const kIOStorageFamilyBundleID = "com.apple.iokit.IOStorageFamily";

/** What a media object reads and writes through (the block storage driver, or the whole media). */
export interface BlockReader {
  readBytes(offset: number, length: number): Uint8Array;
  /** Writes `bytes` at `offset`; false on a device error. */
  writeBytes(offset: number, bytes: Uint8Array): boolean;
  readonly blockSize: number;
}

export interface MediaOptions {
  readonly name: string; readonly base: number; readonly size: number; readonly blockSize: number;
  readonly whole: boolean; readonly writable: boolean; readonly removable: boolean; readonly content: string;
  readonly contentHint: string; readonly uuid?: string | undefined;
}

export class IOMedia extends IOService {
  #reader: BlockReader | undefined;
  #base = 0;
  #size = 0;

  /** @internal */
  configure(reader: BlockReader, o: MediaOptions): void {
    this.#reader = reader;
    this.#base = o.base;
    this.#size = o.size;
    this.setName(o.name);
    this.setProperties([
      ["Content", o.content], ["Removable", o.removable], ["Whole", o.whole], ["Leaf", true],
      ["Ejectable", o.removable], ["Preferred Block Size", n(o.blockSize, 64)],
      ["Writable", o.writable], ["Size", n(o.size, 64)], ["Open", false], ["Content Hint", o.contentHint],
      ["Base", n(o.base, 64)],
    ]);
    if (o.uuid !== undefined) this.setProperty("UUID", o.uuid);
  }

  get size(): number { return this.#size; }
  get preferredBlockSize(): number { return this.#reader?.blockSize ?? 512; }

  /** Reads `length` bytes at `offset` inside this media. */
  read(offset: number, length: number): Uint8Array {
    if (this.#reader === undefined || offset < 0 || offset + length > this.#size) return new Uint8Array(0);
    return this.#reader.readBytes(this.#base + offset, length);
  }

  /** Whether the media takes writes (`Writable`). */
  get writable(): boolean { return this.getProperty("Writable") === true; }

  /** Writes `bytes` at `offset` inside this media; false when out of range, read-only, or on a device error. */
  write(offset: number, bytes: Uint8Array): boolean {
    if (this.#reader === undefined || !this.writable || offset < 0 || offset + bytes.length > this.#size) return false;
    return this.#reader.writeBytes(this.#base + offset, bytes);
  }

  /** A partition scheme that found content marks the media as not a leaf. */
  setLeaf(leaf: boolean): void {
    this.setProperty("Leaf", leaf);
  }
}
OSMetaClass.define(IOMedia, "IOMedia", { kmodName: kIOStorageFamilyBundleID });
