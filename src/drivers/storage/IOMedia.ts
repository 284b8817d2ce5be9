/**
 * IOStorageFamily's `IOMedia`: a byte range of a block device (the whole disk or a partition)
 * with Apple's properties — `Size`, `Preferred Block Size`, `Whole`, `Leaf`, `Writable`,
 * `Removable`, `Ejectable`, `Content`, `Content Hint`, `UUID` (partitions), `BSD Name`,
 * `BSD Major`/`Minor`/`Unit`, `Open`. Reads go down to the provider chain's block device.
 * BSD names (`disk0`, `disk0s1`) come from a per-kernel unit counter.
 */
import { IOService, OSMetaClass, type RegistryHost } from "../../kernel/index.ts";
import { n } from "../machine/index.ts";

export const kIOStorageFamilyBundleID = "com.apple.iokit.IOStorageFamily";

/** What a media object reads through (the block storage driver). */
export interface BlockReader {
  readBytes(offset: number, length: number): Uint8Array;
  readonly blockSize: number;
}

const units = new WeakMap<RegistryHost, { next: number; minor: number }>();
/** @internal The next disk unit of a kernel. */
export function nextDiskUnit(registry: RegistryHost): number {
  const u = units.get(registry) ?? { next: 0, minor: 0 };
  units.set(registry, u);
  return u.next++;
}
function nextMinor(registry: RegistryHost): number {
  const u = units.get(registry) ?? { next: 0, minor: 0 };
  units.set(registry, u);
  return u.minor++;
}

export interface MediaOptions {
  readonly name: string; readonly base: number; readonly size: number; readonly blockSize: number;
  readonly whole: boolean; readonly writable: boolean; readonly removable: boolean; readonly content: string;
  readonly contentHint: string; readonly bsdName: string; readonly bsdUnit: number; readonly uuid?: string | undefined;
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
      ["Content", o.content], ["Removable", o.removable], ["Whole", o.whole], ["Leaf", true], ["BSD Name", o.bsdName],
      ["Ejectable", o.removable], ["Preferred Block Size", n(o.blockSize, 64)], ["BSD Minor", n(nextMinor(this.registry))],
      ["Writable", o.writable], ["BSD Major", n(1)], ["Size", n(o.size, 64)], ["Open", false], ["Content Hint", o.contentHint],
      ["BSD Unit", n(o.bsdUnit)], ["Base", n(o.base, 64)],
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

  /** A partition scheme that found content marks the media as not a leaf. */
  setLeaf(leaf: boolean): void {
    this.setProperty("Leaf", leaf);
  }
}
OSMetaClass.define(IOMedia, "IOMedia", { kmodName: kIOStorageFamilyBundleID });

/** The BSD side of a media object (`/dev/diskN`): matches every IOMedia once `IOBSD` is published. */
export class IOMediaBSDClient extends IOService {
  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOMedia)) return false;
    this.registerService();
    return true;
  }
}
OSMetaClass.define(IOMediaBSDClient, "IOMediaBSDClient", { kmodName: kIOStorageFamilyBundleID });
