/**
 * devfs: the kernel's `/dev`. Two tables per kernel — the character-device switch (majors →
 * {@link CharDeviceSwitch}) and the nodes (`/dev/<name>` → device number, owner, group, mode) —
 * and the BSD calls that go through them: open, read, write, ioctl, close on a {@link DevFile}.
 *
 * Drivers use XNU's KPI: `cdevsw_add(index, sw)` (index -1: the first free major from 1; -N: the
 * first free from N; N: exactly N), `devfs_make_node(makedev(major, minor), DEVFS_CHAR, uid, gid,
 * perms, name)`, `devfs_remove(node)` and `cdevsw_remove(major, sw)` in stop. Open checks the node's
 * mode against the caller's credentials (root passes), and `d_close` runs on the last close of a
 * device unless its switch has `D_TRACKCLOSE`. A file outlives its node (unlinking does not revoke
 * opens, as in BSD) but not its switch: once the driver removed it, calls give ENXIO.
 *
 * Block devices (`bdevsw_add`, nodes of type DEVFS_BLOCK) have their own switch; their reads and
 * writes go through the special-file layer's block I/O (bdevsw.ts). Every open file has an offset
 * that read and write advance and `lseek` moves; `pread`/`pwrite` name their own.
 *
 * The kernel's own memory devices (major 3: `null`, `zero`) are present from the start.
 *
 * Divergence from XNU: devfs is this table, not a file system — there are no vnodes, directories or
 * file-system nodes on the host, and user space reaches it through kernel routines (`bsd_open`, …)
 * rather than system calls. The KPI functions take the caller (any registry entry, or the kernel)
 * as their first argument, because one process may run several kernels.
 */
import {
  EACCES, EAGAIN, EBADF, EFAULT, EINTR, EINVAL, ENODEV, ENOENT, ENOTTY, ENXIO, FREAD, FWRITE, IOC_IN, IOC_OUT,
  IOCPARM_LEN, O_ACCMODE, O_NONBLOCK, S_IFBLK, S_IFCHR, DKIOCGETBLOCKSIZE, SEEK_CUR, SEEK_END, SEEK_SET,
} from "../../ipc/index.ts";
import { NBLKDEV, blockIO, type BlockDeviceSwitch } from "./bdevsw.ts";
import { D_TRACKCLOSE, IO_NDELAY, UIO_READ, UIO_WRITE, Uio, major, makedev, minor, uiomove, type CharDeviceSwitch, type DevProc, type dev_t } from "./cdevsw.ts";

/** `devfs_make_node` types. */
export const DEVFS_CHAR = 0, DEVFS_BLOCK = 1;
/** Owners and groups drivers pass (`UID_ROOT`, `GID_WHEEL`, `GID_OPERATOR`, `GID_STAFF`). */
export const UID_ROOT = 0, GID_WHEEL = 0, GID_OPERATOR = 5, GID_STAFF = 20;
/** `nchrdev`: the size of the switch. */
export const NCHRDEV = 64;
/** The largest read one call may ask for (bounds the kernel buffer). */
export const kDevMaxIO = 1 << 20;

/** A node in `/dev`. */
export class DevNode {
  readonly name: string;
  readonly dev: dev_t;
  readonly type: number;
  readonly uid: number;
  readonly gid: number;
  readonly perms: number;
  constructor(name: string, dev: dev_t, type: number, uid: number, gid: number, perms: number) {
    this.name = name;
    this.dev = dev;
    this.type = type;
    this.uid = uid;
    this.gid = gid;
    this.perms = perms;
  }
}

/** What the caller of a KPI function names: the kernel, or any of its registry entries. */
export interface DevFSContext {
  readonly registry: object;
}

/** The result of a BSD call: an errno, and the value when it is 0. */
export type BSDResult<T> = { readonly errno: 0; readonly value: T } | { readonly errno: number; readonly value?: undefined };
const fail = (errno: number): BSDResult<never> => ({ errno });
const ok = <T>(value: T): BSDResult<T> => ({ errno: 0, value });

const NAME = /^[A-Za-z0-9_.,+-]+(\/[A-Za-z0-9_.,+-]+)*$/;
const tables = new WeakMap<object, DevFS>();

/** One kernel's devfs. */
export class DevFS {
  readonly #cdevsw: Array<CharDeviceSwitch | undefined> = new Array<CharDeviceSwitch | undefined>(NCHRDEV);
  readonly #bdevsw: Array<BlockDeviceSwitch | undefined> = new Array<BlockDeviceSwitch | undefined>(NBLKDEV);
  readonly #nodes = new Map<string, DevNode>();
  readonly #opens = new Map<dev_t, number>();

  /** The devfs of the kernel `ctx` belongs to (made on first use). */
  static of(ctx: DevFSContext): DevFS {
    let t = tables.get(ctx.registry);
    if (t === undefined) {
      t = new DevFS();
      tables.set(ctx.registry, t);
    }
    return t;
  }

  constructor() {
    this.#cdevsw[3] = MEM_SWITCH;
    this.makeNode(makedev(3, 2), DEVFS_CHAR, UID_ROOT, GID_WHEEL, 0o666, "null");
    this.makeNode(makedev(3, 3), DEVFS_CHAR, UID_ROOT, GID_WHEEL, 0o666, "zero");
  }

  /** `cdevsw_add(index, sw)`: the major registered, or -1 when none is free (or `index` is taken). */
  cdevswAdd(index: number, sw: CharDeviceSwitch): number {
    return addSwitch(this.#cdevsw, index, sw);
  }

  /** `cdevsw_remove(major, sw)`: the major, or -1 when `sw` is not registered there. */
  cdevswRemove(maj: number, sw: CharDeviceSwitch): number {
    return removeSwitch(this.#cdevsw, maj, sw);
  }

  /** `bdevsw_add(index, sw)`: as cdevsw_add, in the block switch. */
  bdevswAdd(index: number, sw: BlockDeviceSwitch): number {
    return addSwitch(this.#bdevsw, index, sw);
  }

  /** `bdevsw_remove(major, sw)`. */
  bdevswRemove(maj: number, sw: BlockDeviceSwitch): number {
    return removeSwitch(this.#bdevsw, maj, sw);
  }

  /** `devfs_make_node(dev, type, uid, gid, perms, name)`: the node, or null (bad name, name in use). */
  makeNode(dev: dev_t, type: number, uid: number, gid: number, perms: number, name: string): DevNode | null {
    if (!NAME.test(name) || name.length > 255 || name.split("/").some((c) => c === "." || c === "..")) return null;
    if (this.#nodes.has(name) || (type !== DEVFS_CHAR && type !== DEVFS_BLOCK)) return null;
    const node = new DevNode(name, dev >>> 0, type, uid, gid, perms & 0o7777);
    this.#nodes.set(name, node);
    return node;
  }

  /** `devfs_remove(node)`. */
  remove(node: DevNode): void {
    if (this.#nodes.get(node.name) === node) this.#nodes.delete(node.name);
  }

  /** The node named `name` (without `/dev/`). */
  lookup(name: string): DevNode | undefined {
    return this.#nodes.get(name);
  }

  /** Every node, by name. */
  nodes(): DevNode[] {
    return [...this.#nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** `open(path, oflags)` by `proc`. */
  async open(path: string, oflags: number, proc: DevProc): Promise<BSDResult<DevFile>> {
    const node = path.startsWith("/dev/") ? this.#nodes.get(path.slice(5)) : undefined;
    if (node === undefined) return fail(ENOENT);
    if ((oflags & O_ACCMODE) === O_ACCMODE) return fail(EINVAL);
    const fflag = (oflags & O_ACCMODE) + 1;
    if (!permits(node, proc, fflag)) return fail(EACCES);
    const flags = fflag | (oflags & O_NONBLOCK ? O_NONBLOCK : 0);
    const maj = major(node.dev);
    let sw: CharDeviceSwitch, live: () => boolean;
    if (node.type === DEVFS_BLOCK) {
      const bsw = this.#bdevsw[maj];
      if (bsw === undefined) return fail(ENXIO);
      const opened = await this.#openBlock(node, bsw, flags, proc);
      if (typeof opened === "number") return fail(opened);
      sw = opened;
      live = () => this.#bdevsw[maj] === bsw;
    } else {
      const csw = this.#cdevsw[maj];
      if (csw === undefined) return fail(ENXIO);
      const errno = csw.d_open ? await csw.d_open(node.dev, flags, S_IFCHR, proc) : 0;
      if (errno !== 0) return fail(errno);
      sw = csw;
      live = () => this.#cdevsw[maj] === csw;
    }
    const key = openKey(node);
    this.#opens.set(key, (this.#opens.get(key) ?? 0) + 1);
    return ok(new DevFile(this, node, sw, flags, proc, live));
  }

  /** `spec_open` of a block node: the driver's open, then its block size (`v_specsize`); a switch for read and write. */
  async #openBlock(node: DevNode, bsw: BlockDeviceSwitch, flags: number, proc: DevProc): Promise<CharDeviceSwitch | number> {
    const errno = bsw.d_open ? await bsw.d_open(node.dev, flags, S_IFBLK, proc) : 0;
    if (errno !== 0) return errno;
    const size = new Uint8Array(4);
    let bsize = 512;
    if (bsw.d_ioctl && (await bsw.d_ioctl(node.dev, DKIOCGETBLOCKSIZE, size, FREAD, proc)) === 0) {
      bsize = new DataView(size.buffer).getUint32(0, true) || 512;
    }
    const io = (dev: dev_t, uio: Uio): Promise<number> => blockIO(bsw, dev, bsize, uio);
    const sw: CharDeviceSwitch = { d_read: io, d_write: io, d_type: bsw.d_type ?? 0 };
    if (bsw.d_close) sw.d_close = (dev, fl, _t, p) => bsw.d_close!(dev, fl, S_IFBLK, p);
    if (bsw.d_ioctl) sw.d_ioctl = (dev, cmd, data, fl, p) => bsw.d_ioctl!(dev, cmd, data, fl, p);
    return sw;
  }

  /** @internal A file closed: the node's open count drops; true when this was the last close. */
  closed(node: DevNode): boolean {
    const key = openKey(node);
    const n = (this.#opens.get(key) ?? 1) - 1;
    if (n <= 0) this.#opens.delete(key);
    else this.#opens.set(key, n);
    return n <= 0;
  }

  /** Opens of `dev` (a character device, or a block device with `type` DEVFS_BLOCK) not yet closed. */
  openCount(dev: dev_t, type = DEVFS_CHAR): number {
    return this.#opens.get(type * 0x100000000 + dev) ?? 0;
  }
}

const openKey = (node: DevNode): number => node.type * 0x100000000 + node.dev;

function addSwitch<T>(table: Array<T | undefined>, index: number, sw: T): number {
  if (!Number.isInteger(index) || index >= table.length || index < -table.length) return -1;
  if (index >= 0) {
    if (table[index] !== undefined) return -1;
    table[index] = sw;
    return index;
  }
  for (let i = index === -1 ? 1 : -index; i < table.length; i++) {
    if (table[i] === undefined) {
      table[i] = sw;
      return i;
    }
  }
  return -1;
}

function removeSwitch<T>(table: Array<T | undefined>, maj: number, sw: T): number {
  if (!Number.isInteger(maj) || maj < 0 || maj >= table.length || table[maj] !== sw) return -1;
  table[maj] = undefined;
  return maj;
}

function permits(node: DevNode, proc: DevProc, fflag: number): boolean {
  if (proc.uid === 0) return true;
  const shift = proc.uid === node.uid ? 6 : proc.gid === node.gid ? 3 : 0;
  const bits = (node.perms >> shift) & 7;
  return (!(fflag & FREAD) || (bits & 4) !== 0) && (!(fflag & FWRITE) || (bits & 2) !== 0);
}

/**
 * An open device (a file descriptor's file). Calls go to the switch the node's major had at open;
 * if the driver has since removed it, they fail with ENXIO.
 */
export class DevFile {
  readonly node: DevNode;
  /** FREAD/FWRITE and O_NONBLOCK. */
  readonly flags: number;
  readonly #devfs: DevFS;
  readonly #sw: CharDeviceSwitch;
  readonly #proc: DevProc;
  readonly #live: () => boolean;
  #open = true;
  #offset = 0;

  constructor(devfs: DevFS, node: DevNode, sw: CharDeviceSwitch, flags: number, proc: DevProc, live: () => boolean) {
    this.#devfs = devfs;
    this.node = node;
    this.#sw = sw;
    this.flags = flags;
    this.#proc = proc;
    this.#live = live;
  }

  /** The file offset (`f_offset`). */
  get offset(): number {
    return this.#offset;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  #ioflag(): number {
    return this.flags & O_NONBLOCK ? IO_NDELAY : 0;
  }

  /**
   * `read(fd, buf, count)` at the file offset, which advances by what was read; with `position`,
   * `pread(fd, buf, count, position)`, which leaves the offset alone. The bytes read (possibly
   * fewer than `count`).
   */
  async read(count: number, position?: number): Promise<BSDResult<Uint8Array>> {
    if (!this.#open || !(this.flags & FREAD)) return fail(EBADF);
    if (!Number.isInteger(count) || count < 0) return fail(EINVAL);
    const at = this.#position(position);
    if (at === undefined) return fail(EINVAL);
    if (!this.#live()) return fail(ENXIO);
    if (!this.#sw.d_read) return fail(ENODEV);
    const uio = new Uio(UIO_READ, new Uint8Array(Math.min(count, kDevMaxIO)), at);
    const errno = await this.#sw.d_read(this.node.dev, uio, this.#ioflag());
    if (errno !== 0 && !partial(errno, uio)) return fail(errno);
    if (position === undefined) this.#offset += uio.transferred;
    return ok(uio.result().slice());
  }

  /** `write(fd, buf, count)` at the file offset (advancing it), or `pwrite` at `position`: the number of bytes the driver took. */
  async write(bytes: Uint8Array, position?: number): Promise<BSDResult<number>> {
    if (!this.#open || !(this.flags & FWRITE)) return fail(EBADF);
    const at = this.#position(position);
    if (at === undefined) return fail(EINVAL);
    if (!this.#live()) return fail(ENXIO);
    if (!this.#sw.d_write) return fail(ENODEV);
    const uio = new Uio(UIO_WRITE, bytes, at);
    const errno = await this.#sw.d_write(this.node.dev, uio, this.#ioflag());
    if (errno !== 0 && !partial(errno, uio)) return fail(errno);
    if (position === undefined) this.#offset += uio.transferred;
    return ok(uio.transferred);
  }

  /** An explicit position, or the file offset; undefined when it is not an integer. */
  #position(position: number | undefined): number | undefined {
    if (position === undefined) return this.#offset;
    // XNU allows a negative offset on character devices only (the driver judges it).
    return Number.isSafeInteger(position) && (position >= 0 || this.node.type === DEVFS_CHAR) ? position : undefined;
  }

  /**
   * `lseek(fd, offset, whence)`: the new offset. SEEK_END counts from the node's size, which is 0
   * for every device, as devfs reports it on macOS (a disk's size comes from its ioctls).
   */
  lseek(offset: number, whence: number): BSDResult<number> {
    if (!this.#open) return fail(EBADF);
    if (!Number.isSafeInteger(offset)) return fail(EINVAL);
    const base = whence === SEEK_SET ? 0 : whence === SEEK_CUR ? this.#offset : whence === SEEK_END ? 0 : undefined;
    if (base === undefined) return fail(EINVAL);
    const next = base + offset;
    if (!Number.isSafeInteger(next) || (next < 0 && this.node.type !== DEVFS_CHAR)) return fail(EINVAL);
    this.#offset = next;
    return ok(next);
  }

  /**
   * `ioctl(fd, cmd, arg)`: the parameter (IOCPARM_LEN bytes) is copied in for `IOC_IN` from `arg`
   * (EFAULT when shorter), zeroed otherwise; the result is the copy out for `IOC_OUT`, else empty.
   */
  async ioctl(cmd: number, arg: Uint8Array): Promise<BSDResult<Uint8Array>> {
    if (!this.#open) return fail(EBADF);
    if (!this.#live()) return fail(ENXIO);
    const c = cmd >>> 0;
    const len = IOCPARM_LEN(c);
    const data = new Uint8Array(len);
    if (c & IOC_IN) {
      if (arg.length < len) return fail(EFAULT);
      data.set(arg.subarray(0, len));
    }
    if (!this.#sw.d_ioctl) return fail(ENOTTY);
    const errno = await this.#sw.d_ioctl(this.node.dev, c, data, this.flags & (FREAD | FWRITE), this.#proc);
    if (errno !== 0) return fail(errno);
    return ok(c & IOC_OUT ? data : new Uint8Array(0));
  }

  /** `close(fd)`: `d_close` on the device's last close (every close with D_TRACKCLOSE). */
  async close(): Promise<number> {
    if (!this.#open) return EBADF;
    this.#open = false;
    const last = this.#devfs.closed(this.node);
    if (!this.#live() || !this.#sw.d_close) return 0;
    if (!last && !((this.#sw.d_type ?? 0) & D_TRACKCLOSE)) return 0;
    return this.#sw.d_close(this.node.dev, this.flags, S_IFCHR, this.#proc);
  }
}

/** An interrupted or would-block transfer that moved some bytes returns them (BSD's rule). */
const partial = (errno: number, uio: Uio): boolean => (errno === EINTR || errno === EAGAIN) && uio.transferred > 0;

/** The kernel's memory devices: minor 2 `null` (swallows writes, reads end), 3 `zero` (reads zeros). */
const MEM_SWITCH: CharDeviceSwitch = {
  d_read: (dev, uio) => (minor(dev) === 3 ? uiomove(new Uint8Array(uio.resid()), uio.resid(), uio) : 0),
  d_write: (_dev, uio) => uiomove(new Uint8Array(uio.resid()), uio.resid(), uio),
};

/** `cdevsw_add(index, sw)` in the kernel of `ctx`. */
export const cdevsw_add = (ctx: DevFSContext, index: number, sw: CharDeviceSwitch): number => DevFS.of(ctx).cdevswAdd(index, sw);
/** `bdevsw_add(index, sw)` in the kernel of `ctx`. */
export const bdevsw_add = (ctx: DevFSContext, index: number, sw: BlockDeviceSwitch): number => DevFS.of(ctx).bdevswAdd(index, sw);
/** `bdevsw_remove(major, sw)` in the kernel of `ctx`. */
export const bdevsw_remove = (ctx: DevFSContext, maj: number, sw: BlockDeviceSwitch): number => DevFS.of(ctx).bdevswRemove(maj, sw);
/** `cdevsw_remove(major, sw)` in the kernel of `ctx`. */
export const cdevsw_remove = (ctx: DevFSContext, maj: number, sw: CharDeviceSwitch): number => DevFS.of(ctx).cdevswRemove(maj, sw);
/** `devfs_make_node(dev, type, uid, gid, perms, name)` in the kernel of `ctx`. */
export const devfs_make_node = (ctx: DevFSContext, dev: dev_t, type: number, uid: number, gid: number, perms: number, name: string): DevNode | null =>
  DevFS.of(ctx).makeNode(dev, type, uid, gid, perms, name);
/** `devfs_remove(node)` in the kernel of `ctx`. */
export const devfs_remove = (ctx: DevFSContext, node: DevNode): void => DevFS.of(ctx).remove(node);
