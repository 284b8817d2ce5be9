/**
 * `IOMediaBSDClient`: the BSD face of every `IOMedia` — `/dev/diskN[sM]` (block) and
 * `/dev/rdiskN[sM]` (character), root:operator 0640, as on macOS.
 *
 * Per kernel, the family registers one block switch and one character switch under the same major
 * (`bdevsw_add(-1)`, then the character switch at that index — the first major free in both, 1 on
 * a Mac), and keeps two tables:
 * - anchors: the unit numbers. An anchor is the provider of a whole media (the drive's
 *   `IOBlockStorageDriver`); its slot index is the `N` of `diskN` and the media's `BSD Unit`.
 * - minors: one slot per media, in order of arrival, first free slot first (so numbers are reused
 *   after an unplug, as on macOS); the slot index is `BSD Minor` for both nodes.
 * A partition's name is its whole disk's plus `s<location>` for each media level below it
 * (`disk0s1`, `disk6s0s2`). Start sets `BSD Name`, `BSD Unit`, `BSD Major`, `BSD Minor` on the media.
 *
 * The entry points (`dkopen`, `dkread`, `dkwrite`, `dkstrategy`, `dkioctl`) find their media by
 * minor. Raw (character) I/O must be block-aligned in offset and length (EINVAL otherwise); the block
 * device goes through the kernel's block I/O, which accepts any range. A transfer starting at or
 * past the end reads 0 bytes / fails a write with EIO, one crossing it is cut short. Opening a
 * read-only media for writing is EACCES. When the media goes away the nodes go; a slot still open
 * stays (ENXIO on every call) until its last close frees it.
 */
import {
  D_DISK, DEVFS_BLOCK, DEVFS_CHAR, DKIOCGETBLOCKCOUNT, DKIOCGETBLOCKSIZE, DKIOCGETPHYSICALBLOCKSIZE, DKIOCISWRITABLE,
  DKIOCSYNCHRONIZECACHE, EACCES, EINVAL, EIO, ENOTTY, ENXIO, FWRITE, GID_OPERATOR, IOService, OSMetaClass, S_IFBLK, UID_ROOT,
  UIO_READ, bdevsw_add, bdevsw_remove, cdevsw_add, devfs_make_node, devfs_remove, makedev, minor, uiomove,
  type BlockDeviceSwitch, type Buf, type CharDeviceSwitch, type DevNode, type Uio, type dev_t,
} from "../../kernel/index.ts";
import { n } from "../machine/index.ts";
import { IOMedia, kIOStorageFamilyBundleID } from "./IOMedia.ts";

interface MinorSlot {
  readonly media: IOMedia;
  readonly anchorID: number;
  readonly name: string;
  bnode: DevNode | null;
  cnode: DevNode | null;
  bdevOpen: boolean;
  cdevOpen: boolean;
  obsolete: boolean;
}

interface Anchor { readonly anchor: IOService; readonly key: IOMedia }

interface DiskGlobals {
  readonly major: number;
  readonly anchors: Array<Anchor | undefined>;
  readonly minors: Array<MinorSlot | undefined>;
}

const globals = new WeakMap<object, DiskGlobals>();

/** The first index free in both tables. */
const firstFree = <T>(table: Array<T | undefined>): number => {
  const i = table.findIndex((x) => x === undefined);
  return i < 0 ? table.length : i;
};

/**
 * The family's switches and tables in `ctx`'s kernel, registered on first use.
 *
 * Divergence from XNU: IOStorageFamily registers its switches when the kext loads, before any other
 * family's, and so gets major 1 on a Mac; kexts here have no per-kernel load hook, so the first
 * `IOBlockStorageDevice` made in a kernel registers them (IOMediaBSDClient too, should it come
 * first) — early enough to get 1 on the default machine, ahead of the serial family.
 */
export function diskGlobals(ctx: IOService): DiskGlobals | undefined {
  const known = globals.get(ctx.registry);
  if (known !== undefined) return known;
  const minors: Array<MinorSlot | undefined> = [];
  const slot = (dev: dev_t): MinorSlot | undefined => {
    const m = minors[minor(dev)];
    return m === undefined || m.obsolete ? undefined : m;
  };
  const open = (dev: dev_t, flags: number, devtype: number): number => {
    const m = slot(dev);
    if (m === undefined) return ENXIO;
    if (flags & FWRITE && !m.media.writable) return EACCES;
    if (devtype === S_IFBLK) m.bdevOpen = true;
    else m.cdevOpen = true;
    return 0;
  };
  // Called on the last close of a node: that side of the slot is closed.
  const close = (dev: dev_t, _flags: number, devtype: number): number => {
    const m = minors[minor(dev)];
    if (m === undefined) return 0;
    if (devtype === S_IFBLK) m.bdevOpen = false;
    else m.cdevOpen = false;
    if (m.obsolete && !m.bdevOpen && !m.cdevOpen) freeMinor(g, minor(dev));
    return 0;
  };
  const ioctl = (dev: dev_t, cmd: number, data: Uint8Array): number => {
    const m = slot(dev);
    return m === undefined ? ENXIO : dkioctl(m.media, cmd, data);
  };
  const bsw: BlockDeviceSwitch = {
    d_type: D_DISK, d_open: open, d_close: close, d_ioctl: ioctl,
    d_strategy: (bp) => dkstrategy(slot(bp.dev)?.media, bp),
    d_psize: (dev) => {
      const m = slot(dev)?.media;
      return m === undefined ? 0 : Math.floor(m.size / m.preferredBlockSize);
    },
  };
  const rw = (dev: dev_t, uio: Uio): number => dkreadwrite(slot(dev)?.media, uio);
  const csw: CharDeviceSwitch = { d_type: D_DISK, d_open: open, d_close: close, d_read: rw, d_write: rw, d_ioctl: ioctl };
  // One major for both switches: the first index free in the block switch that is free in the character switch too.
  let major = -1;
  for (let from = 1; major < 0; ) {
    const b = bdevsw_add(ctx, -from, bsw);
    if (b < 0) return undefined;
    if (cdevsw_add(ctx, b, csw) === b) major = b;
    else {
      bdevsw_remove(ctx, b, bsw);
      from = b + 1;
    }
  }
  const g: DiskGlobals = { major, anchors: [], minors };
  globals.set(ctx.registry, g);
  return g;
}

function freeMinor(g: DiskGlobals, id: number): void {
  const m = g.minors[id];
  if (m === undefined) return;
  g.minors[id] = undefined;
  // An anchor no minor refers to any more gives its unit back.
  if (!g.minors.some((x) => x?.anchorID === m.anchorID)) g.anchors[m.anchorID] = undefined;
}

/** The whole media above `media` and the slice path down to it (`s1`, `s0s2`); undefined when malformed. */
function wholeMedia(media: IOMedia): { whole: IOMedia; slices: string } | undefined {
  let slices = "";
  for (let s: IOService | undefined = media; s !== undefined; s = s.getProvider()) {
    if (!(s instanceof IOMedia)) continue;
    if (s.getProperty("Whole") === true) return { whole: s, slices };
    const location = s.getLocation();
    if (location === undefined) return undefined;
    slices = `s${location}${slices}`;
  }
  return undefined;
}

/** `dkreadwrite` for the raw device: whole blocks at block-aligned offsets, cut at the end of the media. */
function dkreadwrite(media: IOMedia | undefined, uio: Uio): number {
  if (media === undefined) return ENXIO;
  const bs = media.preferredBlockSize, start = uio.offset;
  if (start < 0 || start % bs !== 0 || uio.resid() % bs !== 0) return EINVAL;
  if (start >= media.size) return uio.rw === UIO_READ ? 0 : EIO;
  const count = Math.min(uio.resid(), media.size - start);
  if (uio.rw === UIO_READ) {
    const data = media.read(start, count);
    return data.length !== count ? EIO : uiomove(data, count, uio);
  }
  const data = new Uint8Array(count);
  const errno = uiomove(data, count, uio);
  return errno !== 0 ? errno : media.write(start, data) ? 0 : EIO;
}

/** `dkstrategy` for the block device: `bp.blkno` in units of the media's block size. */
function dkstrategy(media: IOMedia | undefined, bp: Buf): number {
  if (media === undefined) return ENXIO;
  const start = bp.blkno * media.preferredBlockSize;
  if (start >= media.size) return bp.read ? ((bp.resid = bp.data.length), 0) : EIO;
  const count = Math.min(bp.data.length, media.size - start);
  bp.resid = bp.data.length - count;
  if (!bp.read) return media.write(start, bp.data.subarray(0, count)) ? 0 : EIO;
  const data = media.read(start, count);
  if (data.length !== count) return EIO;
  bp.data.set(data);
  return 0;
}

function dkioctl(media: IOMedia, cmd: number, data: Uint8Array): number {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bs = media.preferredBlockSize;
  switch (cmd) {
    case DKIOCGETBLOCKSIZE: v.setUint32(0, bs, true); return 0;
    case DKIOCGETPHYSICALBLOCKSIZE: v.setUint32(0, bs, true); return 0;
    case DKIOCGETBLOCKCOUNT: v.setBigUint64(0, BigInt(Math.floor(media.size / bs)), true); return 0;
    case DKIOCISWRITABLE: v.setUint32(0, media.writable ? 1 : 0, true); return 0;
    case DKIOCSYNCHRONIZECACHE: return 0; // the RAM behind every media is always in sync
    default: return ENOTTY;
  }
}

export class IOMediaBSDClient extends IOService {
  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOMedia)) return false;
    const g = diskGlobals(this);
    const found = wholeMedia(provider);
    const anchor = found?.whole.getProvider();
    if (g === undefined || found === undefined || anchor === undefined) {
      this.IOLog(`IOMediaBSDClient: no whole media found for media "${provider.getName()}"`);
      return false;
    }
    let anchorID = g.anchors.findIndex((a) => a?.anchor === anchor && a.key === found.whole);
    if (anchorID < 0) {
      anchorID = firstFree(g.anchors);
      g.anchors[anchorID] = { anchor, key: found.whole };
    }
    const minorID = firstFree(g.minors);
    const name = `disk${anchorID}${found.slices}`;
    const dev = makedev(g.major, minorID);
    const bnode = devfs_make_node(this, dev, DEVFS_BLOCK, UID_ROOT, GID_OPERATOR, 0o640, name);
    const cnode = devfs_make_node(this, dev, DEVFS_CHAR, UID_ROOT, GID_OPERATOR, 0o640, `r${name}`);
    const slot: MinorSlot = { media: provider, anchorID, name, bnode, cnode, bdevOpen: false, cdevOpen: false, obsolete: false };
    g.minors[minorID] = slot;
    this.resources.defer(() => {
      for (const node of [slot.bnode, slot.cnode]) if (node !== null) devfs_remove(this, node);
      slot.bnode = slot.cnode = null;
      // An open node keeps its slot (calls fail with ENXIO) until its last close.
      if (slot.bdevOpen || slot.cdevOpen) slot.obsolete = true;
      else freeMinor(g, minorID);
    });
    provider.setProperties([["BSD Name", name], ["BSD Unit", n(anchorID)], ["BSD Major", n(g.major)], ["BSD Minor", n(minorID)]]);
    this.registerService();
    return true;
  }
}
OSMetaClass.define(IOMediaBSDClient, "IOMediaBSDClient", { kmodName: kIOStorageFamilyBundleID });
