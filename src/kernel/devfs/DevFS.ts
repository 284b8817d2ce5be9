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
 * The kernel's own memory devices (major 3: `null`, `zero`) are present from the start.
 *
 * Divergence from XNU: devfs is this table, not a file system — there are no vnodes, directories or
 * file-system nodes on the host, and user space reaches it through kernel routines (`bsd_open`, …)
 * rather than system calls. The KPI functions take the caller (any registry entry, or the kernel)
 * as their first argument, because one process may run several kernels.
 */
import {
  EACCES, EAGAIN, EBADF, EFAULT, EINTR, EINVAL, ENODEV, ENOENT, ENOTTY, ENXIO, FREAD, FWRITE, IOC_IN, IOC_OUT,
  IOCPARM_LEN, O_ACCMODE, O_NONBLOCK, S_IFCHR,
} from "../../ipc/index.ts";
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
    if (!Number.isInteger(index) || index >= NCHRDEV || index < -NCHRDEV) return -1;
    if (index >= 0) {
      if (this.#cdevsw[index] !== undefined) return -1;
      this.#cdevsw[index] = sw;
      return index;
    }
    for (let i = index === -1 ? 1 : -index; i < NCHRDEV; i++) {
      if (this.#cdevsw[i] === undefined) {
        this.#cdevsw[i] = sw;
        return i;
      }
    }
    return -1;
  }

  /** `cdevsw_remove(major, sw)`: the major, or -1 when `sw` is not registered there. */
  cdevswRemove(maj: number, sw: CharDeviceSwitch): number {
    if (!Number.isInteger(maj) || maj < 0 || maj >= NCHRDEV || this.#cdevsw[maj] !== sw) return -1;
    this.#cdevsw[maj] = undefined;
    return maj;
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

  /** @internal The switch registered for `maj`. */
  switchFor(maj: number): CharDeviceSwitch | undefined {
    return this.#cdevsw[maj];
  }

  /** `open(path, oflags)` by `proc`. */
  async open(path: string, oflags: number, proc: DevProc): Promise<BSDResult<DevFile>> {
    const node = path.startsWith("/dev/") ? this.#nodes.get(path.slice(5)) : undefined;
    if (node === undefined) return fail(ENOENT);
    if ((oflags & O_ACCMODE) === O_ACCMODE) return fail(EINVAL);
    const fflag = (oflags & O_ACCMODE) + 1;
    if (!permits(node, proc, fflag)) return fail(EACCES);
    if (node.type !== DEVFS_CHAR) return fail(ENODEV);
    const sw = this.#cdevsw[major(node.dev)];
    if (sw === undefined) return fail(ENXIO);
    const file = new DevFile(this, node, sw, fflag | (oflags & O_NONBLOCK ? O_NONBLOCK : 0), proc);
    const errno = sw.d_open ? await sw.d_open(node.dev, file.flags, S_IFCHR, proc) : 0;
    if (errno !== 0) return fail(errno);
    this.#opens.set(node.dev, (this.#opens.get(node.dev) ?? 0) + 1);
    return ok(file);
  }

  /** @internal A file closed: the device's open count drops; true when this was the last close. */
  closed(dev: dev_t): boolean {
    const n = (this.#opens.get(dev) ?? 1) - 1;
    if (n <= 0) this.#opens.delete(dev);
    else this.#opens.set(dev, n);
    return n <= 0;
  }

  /** Opens of `dev` not yet closed. */
  openCount(dev: dev_t): number {
    return this.#opens.get(dev) ?? 0;
  }
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
  #open = true;

  constructor(devfs: DevFS, node: DevNode, sw: CharDeviceSwitch, flags: number, proc: DevProc) {
    this.#devfs = devfs;
    this.node = node;
    this.#sw = sw;
    this.flags = flags;
    this.#proc = proc;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  #live(): boolean {
    return this.#devfs.switchFor(major(this.node.dev)) === this.#sw;
  }

  #ioflag(): number {
    return this.flags & O_NONBLOCK ? IO_NDELAY : 0;
  }

  /** `read(fd, buf, count)`: the bytes read (possibly fewer than `count`). */
  async read(count: number): Promise<BSDResult<Uint8Array>> {
    if (!this.#open || !(this.flags & FREAD)) return fail(EBADF);
    if (!Number.isInteger(count) || count < 0) return fail(EINVAL);
    if (!this.#live()) return fail(ENXIO);
    if (!this.#sw.d_read) return fail(ENODEV);
    const uio = new Uio(UIO_READ, new Uint8Array(Math.min(count, kDevMaxIO)));
    const errno = await this.#sw.d_read(this.node.dev, uio, this.#ioflag());
    if (errno !== 0 && !partial(errno, uio)) return fail(errno);
    return ok(uio.result().slice());
  }

  /** `write(fd, buf, count)`: the number of bytes the driver took. */
  async write(bytes: Uint8Array): Promise<BSDResult<number>> {
    if (!this.#open || !(this.flags & FWRITE)) return fail(EBADF);
    if (!this.#live()) return fail(ENXIO);
    if (!this.#sw.d_write) return fail(ENODEV);
    const uio = new Uio(UIO_WRITE, bytes);
    const errno = await this.#sw.d_write(this.node.dev, uio, this.#ioflag());
    if (errno !== 0 && !partial(errno, uio)) return fail(errno);
    return ok(uio.transferred);
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
    const last = this.#devfs.closed(this.node.dev);
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
/** `cdevsw_remove(major, sw)` in the kernel of `ctx`. */
export const cdevsw_remove = (ctx: DevFSContext, maj: number, sw: CharDeviceSwitch): number => DevFS.of(ctx).cdevswRemove(maj, sw);
/** `devfs_make_node(dev, type, uid, gid, perms, name)` in the kernel of `ctx`. */
export const devfs_make_node = (ctx: DevFSContext, dev: dev_t, type: number, uid: number, gid: number, perms: number, name: string): DevNode | null =>
  DevFS.of(ctx).makeNode(dev, type, uid, gid, perms, name);
/** `devfs_remove(node)` in the kernel of `ctx`. */
export const devfs_remove = (ctx: DevFSContext, node: DevNode): void => DevFS.of(ctx).remove(node);
