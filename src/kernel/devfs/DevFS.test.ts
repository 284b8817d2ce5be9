import { describe, expect, it } from "vitest";
import {
  DEVFS_BLOCK, DEVFS_CHAR, DKIOCGETBLOCKSIZE, D_TRACKCLOSE, DevFS, EIO, SEEK_CUR, SEEK_END, SEEK_SET, bdevsw_add, type BlockDeviceSwitch, type Buf, EACCES, EAGAIN, EBADF, EFAULT, EINVAL, ENODEV, ENOENT, ENOTTY, ENXIO, IO_NDELAY, O_NONBLOCK,
  O_RDONLY, O_RDWR, O_WRONLY, UIO_READ, UIO_WRITE, Uio, _IO, _IOR, _IOW, _IOWR, cdevsw_add, cdevsw_remove, devfs_make_node, devfs_remove,
  major, makedev, minor, uiomove, type CharDeviceSwitch, type DevProc,
} from "./index.ts";

const root: DevProc = { pid: 1, procName: "launchd", uid: 0, gid: 0 };
const user: DevProc = { pid: 501, procName: "client", uid: 501, gid: 20 };
const ctx = (): { registry: object } => ({ registry: {} });

describe("the character-device switch", () => {
  it("hands out majors as cdevsw_add does: -1 from 1, -N from N, N exactly", () => {
    const c = ctx();
    const a: CharDeviceSwitch = {}, b: CharDeviceSwitch = {}, d: CharDeviceSwitch = {};
    expect(cdevsw_add(c, -1, a)).toBe(1);
    expect(cdevsw_add(c, -24, b)).toBe(24);
    expect(cdevsw_add(c, -24, d)).toBe(25);
    expect(cdevsw_add(c, 3, d)).toBe(-1); // the kernel's memory devices
    expect(cdevsw_add(c, 64, d)).toBe(-1);
    expect(cdevsw_remove(c, 24, d)).toBe(-1);
    expect(cdevsw_remove(c, 24, b)).toBe(24);
    expect(cdevsw_add(c, -24, b)).toBe(24);
  });

  it("packs device numbers as makedev does", () => {
    const dev = makedev(24, 0x123456);
    expect(dev).toBe(0x18123456);
    expect([major(dev), minor(dev)]).toEqual([24, 0x123456]);
    expect(major(makedev(255, 1))).toBe(255);
  });
});

describe("devfs nodes", () => {
  it("refuses a taken name or one that leaves /dev, and forgets removed nodes", () => {
    const c = ctx();
    const n = devfs_make_node(c, makedev(30, 0), DEVFS_CHAR, 0, 0, 0o600, "thing");
    expect(n).not.toBeNull();
    expect(devfs_make_node(c, makedev(30, 1), DEVFS_CHAR, 0, 0, 0o600, "thing")).toBeNull();
    for (const bad of ["", "../etc", "a/../b", "/abs", "sp ace"]) expect(devfs_make_node(c, 1, DEVFS_CHAR, 0, 0, 0o600, bad)).toBeNull();
    expect(DevFS.of(c).nodes().map((x) => x.name)).toEqual(["null", "thing", "zero"]);
    devfs_remove(c, n!);
    expect(DevFS.of(c).lookup("thing")).toBeUndefined();
  });

  it("checks the mode against the caller: owner, group, other; root passes", async () => {
    const c = ctx();
    const devfs = DevFS.of(c);
    const maj = cdevsw_add(c, -1, {});
    devfs_make_node(c, makedev(maj, 0), DEVFS_CHAR, 0, 0, 0o600, "secret");
    devfs_make_node(c, makedev(maj, 1), DEVFS_CHAR, 0, 20, 0o640, "staffread");
    expect((await devfs.open("/dev/secret", O_RDONLY, user)).errno).toBe(EACCES);
    expect((await devfs.open("/dev/secret", O_RDWR, root)).errno).toBe(0);
    expect((await devfs.open("/dev/staffread", O_RDONLY, user)).errno).toBe(0);
    expect((await devfs.open("/dev/staffread", O_WRONLY, user)).errno).toBe(EACCES);
    expect((await devfs.open("/dev/nothing", O_RDONLY, user)).errno).toBe(ENOENT);
    expect((await devfs.open("secret", O_RDONLY, root)).errno).toBe(ENOENT);
    expect((await devfs.open("/dev/secret", 3, root)).errno).toBe(EINVAL);
  });

  it("serves /dev/null and /dev/zero", async () => {
    const devfs = DevFS.of(ctx());
    const z = (await devfs.open("/dev/zero", O_RDONLY, user)).value!;
    expect(Array.from((await z.read(4)).value!)).toEqual([0, 0, 0, 0]);
    expect((await z.write(new Uint8Array(1))).errno).toBe(EBADF);
    const n = (await devfs.open("/dev/null", O_RDWR, user)).value!;
    expect((await n.write(new Uint8Array(10))).value).toBe(10);
    expect((await n.read(10)).value?.length).toBe(0);
    expect((await n.ioctl(_IO("x", 1), new Uint8Array(0))).errno).toBe(ENOTTY);
  });
});

describe("calls through an open file", () => {
  function recorder(type = 0): { sw: CharDeviceSwitch; calls: string[] } {
    const calls: string[] = [];
    const sw: CharDeviceSwitch = {
      d_type: type,
      d_open: (dev) => (calls.push(`open ${minor(dev)}`), 0),
      d_close: (dev) => (calls.push(`close ${minor(dev)}`), 0),
      d_read: (_d, uio, ioflag) => (ioflag & IO_NDELAY ? EAGAIN : uiomove(new Uint8Array([1, 2, 3]), 3, uio)),
      d_ioctl: (_d, cmd, data) => {
        calls.push(`ioctl ${data.length}`);
        data.fill(cmd & 0xff);
        return 0;
      },
    };
    return { sw, calls };
  }

  it("calls d_close on the last close only, unless D_TRACKCLOSE", async () => {
    for (const [type, want] of [[0, ["open 0", "open 0", "close 0"]], [D_TRACKCLOSE, ["open 0", "open 0", "close 0", "close 0"]]] as const) {
      const c = ctx();
      const { sw, calls } = recorder(type);
      const maj = cdevsw_add(c, -1, sw);
      devfs_make_node(c, makedev(maj, 0), DEVFS_CHAR, 0, 0, 0o666, "rec");
      const devfs = DevFS.of(c);
      const a = (await devfs.open("/dev/rec", O_RDWR, user)).value!;
      const b = (await devfs.open("/dev/rec", O_RDWR, user)).value!;
      expect(devfs.openCount(makedev(maj, 0))).toBe(2);
      await a.close();
      await b.close();
      expect(await b.close()).toBe(EBADF);
      expect(calls).toEqual(want);
    }
  });

  it("copies ioctl parameters in and out by the command's encoding", async () => {
    const c = ctx();
    const { sw, calls } = recorder();
    devfs_make_node(c, makedev(cdevsw_add(c, -1, sw), 0), DEVFS_CHAR, 0, 0, 0o666, "rec");
    const f = (await DevFS.of(c).open("/dev/rec", O_RDWR, user)).value!;
    expect(Array.from((await f.ioctl(_IOR("r", 7, 4), new Uint8Array(0))).value!)).toEqual([7, 7, 7, 7]);
    expect((await f.ioctl(_IOW("r", 8, 4), new Uint8Array(4))).value!.length).toBe(0);
    expect((await f.ioctl(_IOW("r", 8, 4), new Uint8Array(2))).errno).toBe(EFAULT);
    expect((await f.ioctl(_IOWR("r", 9, 2), new Uint8Array([1, 2, 3]))).value).toEqual(new Uint8Array([9, 9]));
    expect(calls).toEqual(["open 0", "ioctl 4", "ioctl 4", "ioctl 2"]);
  });

  it("passes O_NONBLOCK as IO_NDELAY, and answers ENXIO once the driver removed its switch", async () => {
    const c = ctx();
    const { sw } = recorder();
    const maj = cdevsw_add(c, -1, sw);
    devfs_make_node(c, makedev(maj, 0), DEVFS_CHAR, 0, 0, 0o666, "rec");
    const devfs = DevFS.of(c);
    expect((await (await devfs.open("/dev/rec", O_RDONLY | O_NONBLOCK, user)).value!.read(8)).errno).toBe(EAGAIN);
    const f = (await devfs.open("/dev/rec", O_RDONLY, user)).value!;
    expect((await f.read(8)).value).toEqual(new Uint8Array([1, 2, 3]));
    expect((await f.write(new Uint8Array(1))).errno).toBe(EBADF);
    cdevsw_remove(c, maj, sw);
    expect((await f.read(8)).errno).toBe(ENXIO);
    expect((await devfs.open("/dev/rec", O_RDONLY, user)).errno).toBe(ENXIO);
    expect(await f.close()).toBe(0);
  });

  it("treats missing entry points as XNU's stubs", async () => {
    const c = ctx();
    devfs_make_node(c, makedev(cdevsw_add(c, -1, {}), 0), DEVFS_CHAR, 0, 0, 0o666, "bare");
    const f = (await DevFS.of(c).open("/dev/bare", O_RDWR, user)).value!;
    expect((await f.read(1)).errno).toBe(ENODEV);
    expect((await f.write(new Uint8Array(1))).errno).toBe(ENODEV);
    expect((await f.ioctl(_IO("b", 1), new Uint8Array(0))).errno).toBe(ENOTTY);
  });
});

describe("uiomove", () => {
  it("moves at most uio_resid bytes, in the uio's direction, and refuses more than the kernel buffer", () => {
    const r = new Uio(UIO_READ, new Uint8Array(3));
    expect(uiomove(new Uint8Array([1, 2, 3, 4, 5]), 5, r)).toBe(0);
    expect(Array.from(r.result())).toEqual([1, 2, 3]);
    expect(r.resid()).toBe(0);
    const w = new Uio(UIO_WRITE, new Uint8Array([9, 8, 7]));
    const k = new Uint8Array(2);
    expect(uiomove(k, 2, w)).toBe(0);
    expect(Array.from(k)).toEqual([9, 8]);
    expect(w.resid()).toBe(1);
    expect(uiomove(k, 3, w)).toBe(EFAULT);
  });
});

describe("block devices and the file offset", () => {
  /** A 4-block RAM disk of 16-byte blocks behind a block switch. */
  function ramdisk(): { c: { registry: object }; ram: Uint8Array; strategies: string[] } {
    const c = ctx();
    const ram = Uint8Array.from({ length: 64 }, (_, i) => i);
    const strategies: string[] = [];
    const sw: BlockDeviceSwitch = {
      d_psize: () => 4,
      d_ioctl: (_d, cmd, data) => (cmd === DKIOCGETBLOCKSIZE ? (new DataView(data.buffer).setUint32(0, 16, true), 0) : ENOTTY),
      d_strategy: (bp: Buf) => {
        strategies.push(`${bp.read ? "r" : "w"}${bp.blkno}+${bp.data.length / 16}`);
        const at = bp.blkno * 16;
        if (bp.read) bp.data.set(ram.subarray(at, at + bp.data.length));
        else ram.set(bp.data, at);
        return 0;
      },
    };
    const maj = bdevsw_add(c, -1, sw);
    expect(maj).toBe(1);
    expect(devfs_make_node(c, makedev(maj, 0), DEVFS_BLOCK, 0, 5, 0o640, "ram0")).not.toBeNull();
    return { c, ram, strategies };
  }

  it("turns any byte range into whole-block transfers, patching partial blocks on write", async () => {
    const { c, ram, strategies } = ramdisk();
    const devfs = DevFS.of(c);
    expect((await devfs.open("/dev/ram0", O_RDONLY, user)).errno).toBe(EACCES);
    const f = (await devfs.open("/dev/ram0", O_RDWR, root)).value!;
    expect(devfs.openCount(makedev(1, 0), DEVFS_BLOCK)).toBe(1);
    expect(Array.from((await f.read(4, 14)).value!)).toEqual([14, 15, 16, 17]);
    expect(strategies).toEqual(["r0+2"]);
    expect((await f.write(new Uint8Array([0xaa, 0xbb]), 31)).value).toBe(2);
    expect(Array.from(ram.subarray(30, 34))).toEqual([30, 0xaa, 0xbb, 33]);
    expect(strategies.slice(1)).toEqual(["r1+2", "w1+2"]);
    // Past the end: reads are empty, writes fail; a transfer across it is cut short.
    expect((await f.read(8, 64)).value!.length).toBe(0);
    expect((await f.write(new Uint8Array(1), 64)).errno).toBe(EIO);
    expect((await f.read(8, 60)).value!.length).toBe(4);
  });

  it("advances the offset on read and write, not on pread/pwrite; lseek moves it", async () => {
    const { c } = ramdisk();
    const f = (await DevFS.of(c).open("/dev/ram0", O_RDWR, root)).value!;
    expect((await f.read(3)).value).toEqual(new Uint8Array([0, 1, 2]));
    expect(f.offset).toBe(3);
    await f.read(3, 40);
    expect(f.offset).toBe(3);
    expect(f.lseek(5, SEEK_CUR).value).toBe(8);
    expect(f.lseek(7, SEEK_END).value).toBe(7); // a device's size is 0
    expect(f.lseek(-1, SEEK_SET).errno).toBe(EINVAL); // negative: character devices only
    expect(f.lseek(0, 9).errno).toBe(EINVAL);
    expect((await f.read(1, -1)).errno).toBe(EINVAL);
    expect((await f.write(new Uint8Array([9]))).value).toBe(1);
    expect(f.offset).toBe(8);
    const z = (await DevFS.of(c).open("/dev/zero", O_RDONLY, user)).value!;
    expect(z.lseek(-5, SEEK_SET).value).toBe(-5);
    expect(await f.close()).toBe(0);
    expect(f.lseek(0, SEEK_SET).errno).toBe(EBADF);
  });
});
