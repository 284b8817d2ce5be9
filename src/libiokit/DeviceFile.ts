/**
 * Device nodes from user space: `open("/dev/name")`, then read, write, ioctl and close on the
 * descriptor, as a process does with the system calls. Calls resolve with their result or reject
 * with an {@link ErrnoError} carrying the kernel's errno (`ENOENT`, `EACCES`, `EAGAIN`, …).
 *
 * Each descriptor has a file offset that `read` and `write` advance and `seek` moves; `pread` and
 * `pwrite` name their own position, as the system calls do. On a disk (`/dev/rdiskN`), transfers
 * must be whole blocks at block-aligned offsets (EINVAL otherwise); `/dev/diskN` takes any range.
 *
 * An ioctl's argument and result are its parameter bytes (`IOCPARM_LEN(cmd)` of them): what the C
 * caller's pointer points at. Integers are little-endian, as on the Macs this models.
 */
import { EIO, ErrnoError, O_RDWR, Routine, SEEK_SET, type WireValue } from "../ipc/index.ts";

/** Whatever can call a kernel routine (an IOKitLib). */
export interface RoutineCaller {
  call(op: string, ...args: WireValue[]): Promise<WireValue>;
}

/** One `/dev` entry, as `ls -l /dev` lists it. */
export interface DevEntry {
  /** The path, `/dev/<name>`. */
  readonly path: string;
  /** `c` (character) or `b` (block). */
  readonly type: "c" | "b";
  readonly major: number;
  readonly minor: number;
  readonly uid: number;
  readonly gid: number;
  /** Permission bits (`0o666`). */
  readonly mode: number;
}

/** The value of a `[errno, result]` reply, or the ErrnoError it carries. */
function unwrap(r: WireValue, what: string): WireValue {
  if (!Array.isArray(r) || typeof r[0] !== "number") throw new ErrnoError(EIO, what);
  if (r[0] !== 0) throw new ErrnoError(r[0], what);
  return r[1] ?? null;
}

/** `open(path, flags)`: a descriptor for a device node. */
export async function openDevice(lib: RoutineCaller, path: string, flags = O_RDWR): Promise<DeviceFile> {
  const fd = unwrap(await lib.call(Routine.bsdOpen, path, flags), `open ${path}`);
  if (typeof fd !== "number") throw new ErrnoError(EIO, `open ${path}`);
  return new DeviceFile(lib, path, fd);
}

/** The nodes in `/dev`, by name. */
export async function listDevices(lib: RoutineCaller): Promise<DevEntry[]> {
  const r = await lib.call(Routine.bsdDevfsList);
  if (!Array.isArray(r)) return [];
  return r.flatMap((e): DevEntry[] => {
    if (!Array.isArray(e) || typeof e[0] !== "string" || !e.slice(1, 6).every((x) => typeof x === "number")) return [];
    const [name, type, dev, uid, gid, mode] = e as [string, number, number, number, number, number];
    return [{ path: `/dev/${name}`, type: type === 1 ? "b" : "c", major: (dev >>> 24) & 0xff, minor: dev & 0xffffff, uid, gid, mode }];
  });
}

/** An open device node (a file descriptor in the kernel connection's name space). */
export class DeviceFile {
  readonly lib: RoutineCaller;
  readonly path: string;
  readonly fd: number;

  constructor(lib: RoutineCaller, path: string, fd: number) {
    this.lib = lib;
    this.path = path;
    this.fd = fd;
  }

  /** `read(fd, buf, count)`: up to `count` bytes; blocks in the driver unless opened O_NONBLOCK. */
  async read(count: number): Promise<Uint8Array> {
    const r = unwrap(await this.lib.call(Routine.bsdRead, this.fd, count), `read ${this.path}`);
    return r instanceof Uint8Array ? r : new Uint8Array(0);
  }

  /** `write(fd, buf, count)`: the number of bytes written. */
  async write(data: Uint8Array | string): Promise<number> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return Number(unwrap(await this.lib.call(Routine.bsdWrite, this.fd, bytes), `write ${this.path}`));
  }

  /** `pread(fd, buf, count, position)`: up to `count` bytes at `position`; the file offset stays. */
  async pread(count: number, position: number): Promise<Uint8Array> {
    const r = unwrap(await this.lib.call(Routine.bsdPread, this.fd, count, position), `pread ${this.path}`);
    return r instanceof Uint8Array ? r : new Uint8Array(0);
  }

  /** `pwrite(fd, buf, count, position)`: the number of bytes written at `position`; the file offset stays. */
  async pwrite(data: Uint8Array | string, position: number): Promise<number> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return Number(unwrap(await this.lib.call(Routine.bsdPwrite, this.fd, bytes, position), `pwrite ${this.path}`));
  }

  /**
   * `lseek(fd, offset, whence)`: the new file offset. `whence` is SEEK_SET (default), SEEK_CUR or
   * SEEK_END — which counts from 0 on a device node, as on macOS (a disk's size is its ioctls').
   */
  async seek(offset: number, whence: number = SEEK_SET): Promise<number> {
    return Number(unwrap(await this.lib.call(Routine.bsdLseek, this.fd, offset, whence), `lseek ${this.path}`));
  }

  /** `ioctl(fd, cmd, arg)`: `arg` is copied in for `_IOW`/`_IOWR`; resolves with the copy out (`_IOR`/`_IOWR`). */
  async ioctl(cmd: number, arg: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const r = unwrap(await this.lib.call(Routine.bsdIoctl, this.fd, cmd >>> 0, arg), `ioctl ${this.path}`);
    return r instanceof Uint8Array ? r : new Uint8Array(0);
  }

  /** `close(fd)`. */
  async close(): Promise<void> {
    unwrap(await this.lib.call(Routine.bsdClose, this.fd), `close ${this.path}`);
  }
}
