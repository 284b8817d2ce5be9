/**
 * The block-device switch (`struct bdevsw`) and what the kernel's special-file layer does with it.
 * A block driver offers `d_strategy` — whole blocks in, whole blocks out — not read and write;
 * `read(2)`/`write(2)` on a block node go through {@link blockIO}, which turns any byte range at
 * the file offset into block transfers: a partial block at either end is read, patched and written
 * back, as XNU's `spec_read`/`spec_write` do through the buffer cache. The block size is the one the
 * driver answers to `DKIOCGETBLOCKSIZE` at open (`v_specsize`).
 *
 * Divergence from XNU: there is no buffer cache — every transfer goes to the driver at once
 * (write-through), so a write on `/dev/diskN` is on the media when the call returns.
 */
import { EINVAL, EIO } from "../../ipc/index.ts";
import { UIO_READ, uiomove, type DevProc, type Errno, type Uio, type dev_t } from "./cdevsw.ts";

/** `buf_t`: one block transfer. `resid` is what the driver could not move (the end of the media). */
export interface Buf {
  readonly dev: dev_t;
  /** The first block (`b_blkno`), in units of the device's block size. */
  readonly blkno: number;
  /** Filled for a read, drained for a write; a whole number of blocks (`b_bcount`). */
  readonly data: Uint8Array;
  readonly read: boolean;
  resid: number;
}

/** `struct bdevsw`: a block driver's entry points. */
export interface BlockDeviceSwitch {
  d_open?(dev: dev_t, flags: number, devtype: number, proc: DevProc): Errno;
  d_close?(dev: dev_t, flags: number, devtype: number, proc: DevProc): Errno;
  d_strategy(bp: Buf): Errno;
  d_ioctl?(dev: dev_t, cmd: number, data: Uint8Array, fflag: number, proc: DevProc): Errno;
  /** `d_psize`: the device's size in blocks. */
  d_psize?(dev: dev_t): number;
  readonly d_type?: number;
}

/** `nblkdev`: the size of the block switch. */
export const NBLKDEV = 64;

/**
 * A read or write of `uio` on block device `dev` of block size `bsize` and `blocks` blocks
 * (`d_psize`; unknown: unbounded). A transfer that starts at or past the end of the media moves
 * nothing (a read returns 0 bytes, a write fails with EIO); one that crosses it is cut short there.
 */
export async function blockIO(sw: BlockDeviceSwitch, dev: dev_t, bsize: number, uio: Uio): Promise<number> {
  const start = uio.offset;
  if (start < 0 || !Number.isSafeInteger(start)) return EINVAL;
  const size = sw.d_psize === undefined ? Number.MAX_SAFE_INTEGER : sw.d_psize(dev) * bsize;
  if (start >= size) return uio.rw === UIO_READ ? 0 : EIO;
  const count = Math.min(uio.resid(), size - start);
  if (count === 0) return 0;
  const first = Math.floor(start / bsize), last = Math.floor((start + count - 1) / bsize);
  const span = new Uint8Array((last - first + 1) * bsize);
  const within = start - first * bsize;
  // A read, or a write that covers part of a block: fetch the blocks first.
  if (uio.rw === UIO_READ || within !== 0 || (start + count) % bsize !== 0) {
    const errno = await strategy(sw, { dev, blkno: first, data: span, read: true, resid: 0 });
    if (errno !== 0) return errno;
  }
  if (uio.rw === UIO_READ) return uiomove(span.subarray(within), count, uio);
  const moved = uiomove(span.subarray(within, within + count), count, uio);
  return moved !== 0 ? moved : strategy(sw, { dev, blkno: first, data: span, read: false, resid: 0 });
}

async function strategy(sw: BlockDeviceSwitch, bp: Buf): Promise<number> {
  const errno = await sw.d_strategy(bp);
  return errno !== 0 ? errno : bp.resid !== 0 ? EIO : 0;
}
