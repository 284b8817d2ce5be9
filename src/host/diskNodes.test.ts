/**
 * Disks in devfs, end to end on the default machine: IOMediaBSDClient's /dev/diskN and /dev/rdiskN
 * nodes, reads and writes through IOMedia → IOBlockStorageDriver → the NVMe RAM disk, the disk
 * ioctls, and the nodes going away with the media — over the in-process transport and the
 * daemon's socket.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DKIOCGETBLOCKCOUNT, DKIOCGETBLOCKSIZE, DKIOCISWRITABLE, O_RDONLY, O_RDWR, SEEK_CUR, SEEK_END, SEEK_SET } from "../ipc/index.ts";
import { userTask, type IOService } from "../kernel/index.ts";
import { IOKitLib } from "../libiokit/index.ts";
import { OSNumber } from "../libkern/index.ts";
import { EmbeddedTransport } from "./EmbeddedTransport.ts";
import { IOKitDaemon } from "./IOKitDaemon.ts";
import { SocketTransport } from "./SocketTransport.ts";
import { bootKernel, type BootedKernel } from "./bootKernel.ts";
import { testExtensions } from "./testExtensions.ts";

let booted: BootedKernel;
let daemon: IOKitDaemon;
const libs: Record<string, { root: IOKitLib; user: IOKitLib }> = {};

beforeAll(async () => {
  booted = await bootKernel({ extensions: await testExtensions(), realTime: true });
  await booted.kernel.platform.waitQuiet(30_000);
  const socketPath = join(mkdtempSync(join(tmpdir(), "iokit-disk-")), "iokit.sock");
  daemon = await IOKitDaemon.start(booted.server, { socketPath });
  libs.embedded = {
    root: new IOKitLib(new EmbeddedTransport(booted.server, userTask({ pid: 8, procName: "dd", uid: 0, privileged: true }))),
    user: new IOKitLib(new EmbeddedTransport(booted.server, userTask({ pid: 9, procName: "dd", uid: 501 }))),
  };
  libs.socket = { root: new IOKitLib(await SocketTransport.connect(`${socketPath}.priv`)), user: new IOKitLib(await SocketTransport.connect(socketPath)) };
}, 60_000);

afterAll(async () => {
  for (const l of Object.values(libs)) {
    l.root.close();
    l.user.close();
  }
  await daemon.close();
  booted.kernel.scheduler.stop();
});

const media = (): IOService[] => booted.kernel.registry.findByClass("IOMedia") as IOService[];
const byName = (name: string): IOService => {
  const m = media().find((x) => x.getProperty("BSD Name") === name);
  if (m === undefined) throw new Error(`no media ${name}`);
  return m;
};
const numProp = (e: IOService, key: string): number => {
  const v = e.getProperty(key);
  return v instanceof OSNumber ? Number(v.value) : NaN;
};
const le32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
const le64 = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);

describe("IOMediaBSDClient's nodes", () => {
  it("numbers media as a Mac does: one major, minors by arrival, units per whole disk", async () => {
    const all = media();
    expect(all.length).toBeGreaterThanOrEqual(5);
    const majors = new Set(all.map((m) => numProp(m, "BSD Major")));
    expect([...majors]).toEqual([1]); // as on every Mac since 10.5 (the corpus' dumps: 1, or 14 on 10.4)
    const minors = all.map((m) => numProp(m, "BSD Minor"));
    expect(new Set(minors).size).toBe(all.length);
    expect([...minors].sort((a, b) => a - b)).toEqual(all.map((_, i) => i));
    for (const m of all) {
      const name = m.getProperty("BSD Name") as string;
      const unit = numProp(m, "BSD Unit");
      expect(name.startsWith(`disk${unit}`)).toBe(true);
      if (m.getProperty("Whole") === false) expect(name).toBe(`disk${unit}s${m.getLocation()}`);
    }
    const [maj] = majors;
    const devs = await libs.embedded!.root.devices();
    for (const m of all) {
      const name = m.getProperty("BSD Name") as string;
      const block = devs.find((d) => d.path === `/dev/${name}`), raw = devs.find((d) => d.path === `/dev/r${name}`);
      const want = { major: maj, minor: numProp(m, "BSD Minor"), uid: 0, gid: 5, mode: 0o640 };
      expect(block).toMatchObject({ type: "b", ...want });
      expect(raw).toMatchObject({ type: "c", ...want });
    }
  });
});

for (const transport of ["embedded", "socket"]) {
  describe(`disk I/O over the ${transport} transport`, () => {
    const root = (): IOKitLib => libs[transport]!.root;

    it("reads the GPT header at offset 512 of /dev/rdisk0 and a partition's first block through /dev/rdisk0s1", async () => {
      const bs = numProp(byName("disk0"), "Preferred Block Size");
      const fd = await root().open("/dev/rdisk0", O_RDONLY);
      expect(await fd.seek(bs)).toBe(bs);
      const hdr = await fd.read(bs);
      expect(new TextDecoder().decode(hdr.subarray(0, 8))).toBe("EFI PART");
      expect(await fd.seek(0, SEEK_CUR)).toBe(2 * bs); // read advanced the offset
      // The first partition starts at the LBA its GPT entry names.
      const entriesLBA = Number(new DataView(hdr.buffer, hdr.byteOffset).getBigUint64(72, true));
      const entry = await fd.pread(bs, entriesLBA * bs);
      const firstLBA = Number(new DataView(entry.buffer, entry.byteOffset).getBigUint64(32, true));
      expect(firstLBA * bs).toBe(numProp(byName("disk0s1"), "Base"));
      expect(await fd.seek(0, SEEK_CUR)).toBe(2 * bs); // pread left it alone
      const whole = await fd.pread(bs, firstLBA * bs);
      await fd.close();
      const part = await root().open("/dev/rdisk0s1", O_RDONLY);
      expect(await part.read(bs)).toEqual(whole);
      await part.close();
    });

    it("writes through the raw partition and reads it back through both nodes", async () => {
      const bs = numProp(byName("disk0s2"), "Preferred Block Size");
      const pattern = Uint8Array.from({ length: 2 * bs }, (_, i) => (i * 7 + transport.length) & 0xff);
      const raw = await root().open("/dev/rdisk0s2", O_RDWR);
      expect(await raw.pwrite(pattern, 4 * bs)).toBe(2 * bs);
      expect(await raw.pread(2 * bs, 4 * bs)).toEqual(pattern);
      await raw.close();
      const base = numProp(byName("disk0s2"), "Base");
      const whole = await root().open("/dev/rdisk0", O_RDONLY);
      expect(await whole.pread(2 * bs, base + 4 * bs)).toEqual(pattern);
      await whole.close();
      // The block device takes any byte range: a partial-block write is read, patched, written.
      const blk = await root().open("/dev/disk0s2", O_RDWR);
      await blk.seek(4 * bs + 3);
      expect(await blk.write("hello")).toBe(5);
      expect(new TextDecoder().decode(await blk.pread(5, 4 * bs + 3))).toBe("hello");
      expect(await blk.pread(3, 4 * bs)).toEqual(pattern.subarray(0, 3));
      expect(await blk.pread(4, 4 * bs + 8)).toEqual(pattern.subarray(8, 12));
      await blk.close();
    });

    it("refuses unaligned raw I/O with EINVAL, stops at the end of the media, and checks credentials", async () => {
      const m = byName("disk0s1");
      const bs = numProp(m, "Preferred Block Size"), size = numProp(m, "Size");
      const raw = await root().open("/dev/rdisk0s1", O_RDWR);
      await expect(raw.pread(bs, 1)).rejects.toMatchObject({ code: "EINVAL" });
      await expect(raw.pread(bs - 1, 0)).rejects.toMatchObject({ code: "EINVAL" });
      await expect(raw.pwrite(new Uint8Array(10), 0)).rejects.toMatchObject({ code: "EINVAL" });
      expect((await raw.pread(bs, size)).length).toBe(0);
      expect((await raw.pread(4 * bs, size - bs)).length).toBe(bs);
      await expect(raw.pwrite(new Uint8Array(bs), size)).rejects.toMatchObject({ code: "EIO" });
      // SEEK_END counts from the node's size, 0 for devices as on macOS; seeking below 0 is EINVAL on a block device only.
      expect(await raw.seek(bs, SEEK_END)).toBe(bs);
      expect(await raw.seek(0, SEEK_SET)).toBe(0);
      await raw.close();
      const blk = await root().open("/dev/disk0s1", O_RDONLY);
      await expect(blk.seek(-1, SEEK_SET)).rejects.toMatchObject({ code: "EINVAL" });
      await blk.close();
      await expect(libs[transport]!.user.open("/dev/rdisk0", O_RDONLY)).rejects.toMatchObject({ code: "EACCES" });
    });

    it("answers DKIOCGETBLOCKSIZE and DKIOCGETBLOCKCOUNT from the media's properties", async () => {
      for (const name of ["disk0", "disk0s3"]) {
        const m = byName(name);
        for (const path of [`/dev/r${name}`, `/dev/${name}`]) {
          const fd = await root().open(path, O_RDONLY);
          const bs = le32(await fd.ioctl(DKIOCGETBLOCKSIZE));
          expect(bs).toBe(numProp(m, "Preferred Block Size"));
          expect(le64(await fd.ioctl(DKIOCGETBLOCKCOUNT))).toBe(BigInt(numProp(m, "Size") / bs));
          expect(le32(await fd.ioctl(DKIOCISWRITABLE))).toBe(m.getProperty("Writable") === true ? 1 : 0);
          await expect(fd.ioctl(0x20006499)).rejects.toMatchObject({ code: "ENOTTY" });
          await fd.close();
        }
      }
    });
  });
}

describe("media going away", () => {
  it("removes the nodes; an open descriptor fails with ENXIO and its minor is reused after the last close", async () => {
    const lib = libs.embedded!.root;
    const volume = media().find((m) => m.getProperty("Whole") === true && m.getProperty("BSD Name") !== "disk0");
    expect(volume, "the RAID sample's volume").toBeDefined();
    const name = volume!.getProperty("BSD Name") as string;
    const freed = numProp(volume!, "BSD Minor");
    const fd = await lib.open(`/dev/r${name}`, O_RDONLY);
    const device = volume!.getProvider()!.getProvider()!; // IOBlockStorageDriver → SampleVirtualVolumeDevice
    device.terminate();
    await booted.kernel.platform.waitQuiet(30_000);
    const paths = (await lib.devices()).map((d) => d.path);
    expect(paths).not.toContain(`/dev/${name}`);
    expect(paths).not.toContain(`/dev/r${name}`);
    expect(paths).toContain("/dev/rdisk0");
    await expect(fd.read(512)).rejects.toMatchObject({ code: "ENXIO" });
    await fd.close();
    expect(media().some((m) => numProp(m, "BSD Minor") === freed)).toBe(false);
  });
});
