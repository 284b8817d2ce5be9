import { describe, expect, it } from "vitest";
import { EACCES, EBADF, EINVAL, EMFILE, ENOENT, O_RDONLY, O_RDWR, Routine, type WireValue } from "../../ipc/index.ts";
import { DEVFS_CHAR, D_TRACKCLOSE, cdevsw_add, devfs_make_node, makedev, minor, type CharDeviceSwitch } from "../devfs/index.ts";
import { IOKernel } from "../service/index.ts";
import { IOKitServer } from "./IOKitServer.ts";
import { kMaxOpenFiles } from "./bsdRoutines.ts";
import { userTask } from "./UserTask.ts";

function setup(): { kernel: IOKernel; server: IOKitServer; closes: number[]; opens: number[] } {
  const kernel = new IOKernel();
  const closes: number[] = [], opens: number[] = [];
  const sw: CharDeviceSwitch = { d_type: D_TRACKCLOSE, d_open: (dev) => (opens.push(minor(dev)), 0), d_close: (dev) => (closes.push(minor(dev)), 0) };
  const maj = cdevsw_add(kernel, -1, sw);
  devfs_make_node(kernel, makedev(maj, 0), DEVFS_CHAR, 0, 0, 0o666, "open");
  devfs_make_node(kernel, makedev(maj, 1), DEVFS_CHAR, 0, 0, 0o600, "rootonly");
  return { kernel, server: new IOKitServer(kernel), closes, opens };
}

describe("the bsd_* routines", () => {
  it("answer errno results, not IOReturns, and check credentials", async () => {
    const { server } = setup();
    const s = server.openSession(userTask({ uid: 501 }), () => undefined);
    const root = server.openSession(userTask({ uid: 0, privileged: true }), () => undefined);
    const call = async (sess: typeof s, op: string, ...args: WireValue[]): Promise<WireValue> => (await server.handle(sess, { id: 1, op, args })).result;
    expect(await call(s, Routine.bsdOpen, "/dev/missing", O_RDONLY)).toEqual([ENOENT, null]);
    expect(await call(s, Routine.bsdOpen, "/dev/rootonly", O_RDONLY)).toEqual([EACCES, null]);
    expect((await call(root, Routine.bsdOpen, "/dev/rootonly", O_RDWR) as WireValue[])[0]).toBe(0);
    expect(await call(s, Routine.bsdRead, 0x999, 4)).toEqual([EBADF, null]);
    expect(await call(s, Routine.bsdClose, 0x999)).toEqual([EBADF, null]);
    expect(await call(s, Routine.bsdLseek, 0x999, 0, 0)).toEqual([EBADF, null]);
    expect(await call(s, Routine.bsdPread, 0x999, 4, 0)).toEqual([EBADF, null]);
    expect(await call(s, Routine.bsdPwrite, 0x999, new Uint8Array(1), 0)).toEqual([EBADF, null]);
    const fd = (await call(s, Routine.bsdOpen, "/dev/open", O_RDWR) as WireValue[])[1] as number;
    expect(await call(s, Routine.bsdLseek, fd, 12, 0)).toEqual([0, 12]);
    expect(await call(s, Routine.bsdLseek, fd, 1, 7)).toEqual([EINVAL, null]);
    // A handle of another kind is not a descriptor.
    const port = (await server.handle(s, { id: 2, op: Routine.portCreate, args: [] })).result as number;
    expect(await call(s, Routine.bsdWrite, port, new Uint8Array(1))).toEqual([EBADF, null]);
    const list = await call(s, Routine.bsdDevfsList) as WireValue[][];
    expect(list.map((e) => e[0])).toEqual(["null", "open", "rootonly", "zero"]);
  });

  it("limit a task's open files and close every one when the task goes", async () => {
    const { server, closes, opens } = setup();
    const s = server.openSession(userTask({ uid: 501 }), () => undefined);
    for (let i = 0; i < kMaxOpenFiles; i++) expect(((await server.handle(s, { id: i, op: Routine.bsdOpen, args: ["/dev/open", O_RDWR] })).result as WireValue[])[0]).toBe(0);
    expect((await server.handle(s, { id: 0, op: Routine.bsdOpen, args: ["/dev/open", O_RDWR] })).result).toEqual([EMFILE, null]);
    expect(s.fileCount).toBe(kMaxOpenFiles);
    server.closeSession(s);
    await new Promise((r) => setImmediate(r));
    expect(opens.length).toBe(kMaxOpenFiles);
    expect(closes.length).toBe(kMaxOpenFiles); // D_TRACKCLOSE: every close reaches the driver
  });
});
