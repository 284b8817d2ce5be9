/**
 * The BSD side of the kernel↔user ABI: errno values and their `strerror` texts (Darwin's
 * `<sys/errno.h>`), the `open(2)` flags, and `ioctl(2)` command encoding (`<sys/ioccom.h>`). BSD
 * calls on device nodes answer with an errno (0 for success) rather than an IOReturn, as the
 * system calls do; {@link ErrnoError} carries one to the caller.
 */

// [name, value, strerror text] — the subset device drivers and devfs return.
const ERRNO: ReadonlyArray<readonly [string, number, string]> = [
  ["EPERM", 1, "Operation not permitted"],
  ["ENOENT", 2, "No such file or directory"],
  ["EINTR", 4, "Interrupted system call"],
  ["EIO", 5, "Input/output error"],
  ["ENXIO", 6, "Device not configured"],
  ["E2BIG", 7, "Argument list too long"],
  ["EBADF", 9, "Bad file descriptor"],
  ["ENOMEM", 12, "Cannot allocate memory"],
  ["EACCES", 13, "Permission denied"],
  ["EFAULT", 14, "Bad address"],
  ["EBUSY", 16, "Resource busy"],
  ["EEXIST", 17, "File exists"],
  ["ENODEV", 19, "Operation not supported by device"],
  ["ENOTDIR", 20, "Not a directory"],
  ["EISDIR", 21, "Is a directory"],
  ["EINVAL", 22, "Invalid argument"],
  ["ENFILE", 23, "Too many open files in system"],
  ["EMFILE", 24, "Too many open files"],
  ["ENOTTY", 25, "Inappropriate ioctl for device"],
  ["ENOSPC", 28, "No space left on device"],
  ["EROFS", 30, "Read-only file system"],
  ["EAGAIN", 35, "Resource temporarily unavailable"],
  ["ENOTSUP", 45, "Operation not supported"],
  ["ETIMEDOUT", 60, "Operation timed out"],
];

export const EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, EBADF = 9, ENOMEM = 12, EACCES = 13, EFAULT = 14,
  EBUSY = 16, EEXIST = 17, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, ENOSPC = 28, EROFS = 30,
  EAGAIN = 35, EWOULDBLOCK = 35, ENOTSUP = 45, ETIMEDOUT = 60;

const BY_VALUE = new Map(ERRNO.map(([name, value, text]) => [value, { name, text }]));
const BY_NAME = new Map(ERRNO.map(([name, , text]) => [name, text]));

/** `EINVAL` for 22; `E<n>` for values outside the table. */
export function errnoName(errno: number): string {
  return BY_VALUE.get(errno)?.name ?? `E${errno}`;
}

/** `strerror(errno)`. */
export function strerror(errno: number): string {
  return BY_VALUE.get(errno)?.text ?? `Unknown error: ${errno}`;
}

/**
 * The text a BSD tool prints for a failed file operation: Darwin's `strerror` for a system error
 * that carries an errno name in `code` (Node's fs errors do), else the error's own message.
 */
export function systemErrorText(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  const text = typeof code === "string" ? BY_NAME.get(code) : undefined;
  return text ?? (e instanceof Error ? e.message : String(e));
}

/** A failed BSD call: `errno` and its name in `code`, as Node's system errors carry them. */
export class ErrnoError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(errno: number, what: string) {
    super(`${what}: ${strerror(errno)}`);
    this.name = "ErrnoError";
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

/** `open(2)` flags (`<sys/fcntl.h>`). */
export const O_RDONLY = 0x0000, O_WRONLY = 0x0001, O_RDWR = 0x0002, O_ACCMODE = 0x0003, O_NONBLOCK = 0x0004, O_EXCL = 0x0800;
/** The file flags a driver's entry points see (`FREAD`/`FWRITE` = open mode + 1). */
export const FREAD = 0x0001, FWRITE = 0x0002;

/** `ioctl` command encoding (`<sys/ioccom.h>`): 13 bits of parameter length, direction in the top bits. */
export const IOCPARM_MASK = 0x1fff;
export const IOC_VOID = 0x20000000, IOC_OUT = 0x40000000, IOC_IN = 0x80000000, IOC_INOUT = (IOC_IN | IOC_OUT) >>> 0;

/** `_IOC(inout, group, num, len)`. */
export function _IOC(inout: number, group: string | number, num: number, len: number): number {
  const g = typeof group === "string" ? group.charCodeAt(0) : group;
  return (inout | ((len & IOCPARM_MASK) << 16) | ((g & 0xff) << 8) | (num & 0xff)) >>> 0;
}
/** `_IO(g, n)`: no parameter. */
export const _IO = (g: string | number, n: number): number => _IOC(IOC_VOID, g, n, 0);
/** `_IOR(g, n, size)`: the driver fills `size` bytes copied out to the caller. */
export const _IOR = (g: string | number, n: number, size: number): number => _IOC(IOC_OUT, g, n, size);
/** `_IOW(g, n, size)`: `size` bytes copied in from the caller. */
export const _IOW = (g: string | number, n: number, size: number): number => _IOC(IOC_IN, g, n, size);
/** `_IOWR(g, n, size)`: copied in, then back out. */
export const _IOWR = (g: string | number, n: number, size: number): number => _IOC(IOC_INOUT, g, n, size);
/** `IOCPARM_LEN(cmd)`. */
export const IOCPARM_LEN = (cmd: number): number => (cmd >>> 16) & IOCPARM_MASK;

/** `FIONREAD` = `_IOR('f', 127, int)`: bytes ready to read. */
export const FIONREAD = _IOR("f", 127, 4);
/** `FIONBIO` = `_IOW('f', 126, int)`: set/clear non-blocking I/O. */
export const FIONBIO = _IOW("f", 126, 4);

/** `S_IFCHR`, `S_IFBLK`: node types in a mode. */
export const S_IFCHR = 0o020000, S_IFBLK = 0o060000;
