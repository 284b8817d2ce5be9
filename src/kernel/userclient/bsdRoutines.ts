/**
 * The BSD calls a task makes on device nodes, as kernel routines: `bsd_open`, `bsd_read`,
 * `bsd_write`, `bsd_ioctl`, `bsd_lseek`, `bsd_pread`, `bsd_pwrite`, `bsd_close` and
 * `bsd_devfs_list` (what `ls -l /dev` shows). Each
 * answers `[errno, result]` — a system call's errno, not an IOReturn — so a missing node is ENOENT
 * and a driver's EAGAIN reaches the caller as EAGAIN. A descriptor is a handle in the task's name
 * space; a bad one is EBADF. The task's files close when it dies (IOKitSession.destroy).
 *
 * Divergence from XNU: the caller's group is not carried by the connection; root tasks are
 * `wheel` (0), others `staff` (20), which is what a macOS console user's processes have.
 */
import { EBADF, EMFILE, Routine, type WireValue } from "../../ipc/index.ts";
import { DevFS, GID_STAFF, GID_WHEEL, type BSDResult, type DevFile, type DevProc } from "../devfs/index.ts";
import type { IOKitSession } from "./IOKitSession.ts";
import type { RoutineArgs } from "./RoutineArgs.ts";

/** Open files one task may hold (`OPEN_MAX`-like). */
export const kMaxOpenFiles = 256;

type BSDRoutine = (s: IOKitSession, a: RoutineArgs) => WireValue | Promise<WireValue>;

const procOf = (s: IOKitSession): DevProc => ({ pid: s.task.pid, procName: s.task.procName, uid: s.task.uid, gid: s.task.uid === 0 ? GID_WHEEL : GID_STAFF });
const reply = <T extends WireValue>(r: BSDResult<T>): WireValue => (r.errno === 0 && r.value !== undefined ? [0, r.value] : [r.errno, null]);

function fileOf(s: IOKitSession, a: RoutineArgs): DevFile | undefined {
  const h = a.u32(0);
  return s.kindOf(h) === "file" ? s.lookup(h, "file").obj : undefined;
}

async function open(s: IOKitSession, a: RoutineArgs): Promise<WireValue> {
  const path = a.str(0);
  const flags = a.u32(1);
  if (s.fileCount >= kMaxOpenFiles) return [EMFILE, null];
  const r = await DevFS.of(s.kernel).open(path, flags, procOf(s));
  if (r.errno !== 0 || r.value === undefined) return [r.errno, null];
  if (!s.alive) {
    // The task died while the driver's d_open ran: nobody holds the descriptor.
    await r.value.close();
    return [EBADF, null];
  }
  return [0, s.addFile(r.value)];
}

/** The routines, keyed by name. */
export const BSD_ROUTINES: ReadonlyArray<readonly [string, BSDRoutine]> = [
  [Routine.bsdOpen, open],
  [Routine.bsdClose, async (s, a) => {
    const f = s.takeFile(a.u32(0));
    return [f === undefined ? EBADF : await f.close(), null];
  }],
  [Routine.bsdRead, async (s, a) => {
    const f = fileOf(s, a);
    return f === undefined ? [EBADF, null] : reply(await f.read(a.u32(1)));
  }],
  [Routine.bsdWrite, async (s, a) => {
    const f = fileOf(s, a);
    return f === undefined ? [EBADF, null] : reply(await f.write(a.bytes(1)));
  }],
  [Routine.bsdIoctl, async (s, a) => {
    const f = fileOf(s, a);
    return f === undefined ? [EBADF, null] : reply(await f.ioctl(a.u32(1), a.bytes(2)));
  }],
  [Routine.bsdLseek, (s, a) => {
    const f = fileOf(s, a);
    return f === undefined ? [EBADF, null] : reply(f.lseek(a.int(1), a.u32(2)));
  }],
  [Routine.bsdPread, async (s, a) => {
    const f = fileOf(s, a);
    return f === undefined ? [EBADF, null] : reply(await f.read(a.u32(1), a.int(2)));
  }],
  [Routine.bsdPwrite, async (s, a) => {
    const f = fileOf(s, a);
    return f === undefined ? [EBADF, null] : reply(await f.write(a.bytes(1), a.int(2)));
  }],
  [Routine.bsdDevfsList, (s) => DevFS.of(s.kernel).nodes().map((n): WireValue => [n.name, n.type, n.dev, n.uid, n.gid, n.perms])],
];
