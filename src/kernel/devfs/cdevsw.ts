/**
 * The character-device switch (`struct cdevsw`) and the pieces of BSD a driver's entry points use:
 * device numbers (`makedev`/`major`/`minor`), the `uio` that describes a read or write and
 * `uiomove`, and the flags the entry points receive.
 *
 * A driver fills a {@link CharDeviceSwitch} with its entry points, registers it for a major number
 * (`cdevsw_add`), and makes nodes for (major, minor) pairs (`devfs_make_node`, see DevFS.ts). An
 * entry point returns an errno (0 for success), possibly asynchronously: a read may sleep until
 * data arrives. Entry points left out behave like XNU's stubs: open and close succeed (`nulldev`),
 * read and write fail with ENODEV, ioctl with ENOTTY.
 */
import { EFAULT } from "../../ipc/index.ts";

/** `dev_t`: major in the top 8 bits, minor in the low 24 (`makedev`). */
export type dev_t = number;

/** `makedev(major, minor)`. */
export const makedev = (maj: number, min: number): dev_t => (((maj & 0xff) << 24) | (min & 0xffffff)) >>> 0;
/** `major(dev)`. */
export const major = (dev: dev_t): number => (dev >>> 24) & 0xff;
/** `minor(dev)`. */
export const minor = (dev: dev_t): number => dev & 0xffffff;

/** `d_type` values: an ordinary device, a tty; `D_TRACKCLOSE` asks for every close, not just the last. */
export const D_TAPE = 1, D_DISK = 2, D_TTY = 3;
export const D_TRACKCLOSE = 0x00080000;

/** `ioflag` bit for a non-blocking read or write (`IO_NDELAY`). */
export const IO_NDELAY = 0x0004;

/** The calling process as an entry point sees it (`proc_t`: pid, name, credentials). */
export interface DevProc {
  readonly pid: number;
  readonly procName: string;
  readonly uid: number;
  readonly gid: number;
}

/** An errno, or a promise of one. */
export type Errno = number | Promise<number>;

/** `struct cdevsw`: a character driver's entry points. */
export interface CharDeviceSwitch {
  d_open?(dev: dev_t, flags: number, devtype: number, proc: DevProc): Errno;
  d_close?(dev: dev_t, flags: number, devtype: number, proc: DevProc): Errno;
  d_read?(dev: dev_t, uio: Uio, ioflag: number): Errno;
  d_write?(dev: dev_t, uio: Uio, ioflag: number): Errno;
  /** `data` is the kernel copy of the argument: copied in for `IOC_IN`, copied out for `IOC_OUT`. */
  d_ioctl?(dev: dev_t, cmd: number, data: Uint8Array, fflag: number, proc: DevProc): Errno;
  readonly d_type?: number;
}

export const UIO_READ = 0, UIO_WRITE = 1;

/**
 * `struct uio`: the user buffer of one read or write. For a read it is the destination the driver
 * fills with `uiomove`; for a write, the source it drains. `resid` counts down as bytes move.
 */
export class Uio {
  readonly rw: typeof UIO_READ | typeof UIO_WRITE;
  readonly #buffer: Uint8Array;
  #done = 0;
  /** The file offset (`uio_offset`); character devices mostly ignore it. */
  offset: number;

  constructor(rw: typeof UIO_READ | typeof UIO_WRITE, buffer: Uint8Array, offset = 0) {
    this.rw = rw;
    this.#buffer = buffer;
    this.offset = offset;
  }

  /** Bytes still to move (`uio_resid`). */
  resid(): number {
    return this.#buffer.length - this.#done;
  }

  /** Bytes moved so far. */
  get transferred(): number {
    return this.#done;
  }

  /** What a read filled in. */
  result(): Uint8Array {
    return this.#buffer.subarray(0, this.#done);
  }

  /** @internal `uiomove`'s copy. */
  move(kernel: Uint8Array, n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > kernel.length) return EFAULT;
    const count = Math.min(n, this.resid());
    if (this.rw === UIO_READ) this.#buffer.set(kernel.subarray(0, count), this.#done);
    else kernel.set(this.#buffer.subarray(this.#done, this.#done + count));
    this.#done += count;
    this.offset += count;
    return 0;
  }
}

/**
 * `uiomove(cp, n, uio)`: moves up to `n` bytes between the kernel buffer `cp` and the user buffer —
 * out of `cp` for a read, into `cp` for a write — never more than `uio_resid`. Returns an errno
 * (EFAULT when `n` exceeds the kernel buffer).
 */
export function uiomove(cp: Uint8Array, n: number, uio: Uio): number {
  return uio.move(cp, n);
}

/** `uio_resid(uio)`. */
export const uio_resid = (uio: Uio): number => uio.resid();
