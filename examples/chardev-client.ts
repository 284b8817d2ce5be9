/**
 * A user-space client of the SampleCharDevice sample kext (samples/SampleCharDevice), run in its
 * own process against an `iokit boot` daemon — the two ways into one driver:
 *
 *   npm run build && npx iokit boot --socket /tmp/iokit.sock &
 *   IOKIT_SOCKET=/tmp/iokit.sock npx tsx examples/chardev-client.ts
 *
 * BSD: it lists `/dev`, opens `/dev/samplechar`, writes, reads back what the device looped through
 * (a blocking read), switches the device to upper case and reads its statistics with ioctl.
 * I/O Kit: it opens the driver's user client (IOServiceOpen), injects input with a structure
 * method, peeks at it, then reads it through the node, and compares the statistics both ways.
 */
import { connectIOKit } from "../src/host/index.ts";
import { ErrnoError, FIONREAD, O_NONBLOCK, O_RDWR, serviceMatching } from "../src/libiokit/index.ts";
import {
  SAMPLECHAR_IOC_GETSTATS, SAMPLECHAR_IOC_SETMODE, kSampleCharDeviceName, kSampleCharGetStats, kSampleCharInject, kSampleCharPeek,
} from "../samples/SampleCharDevice/SampleCharDeviceShared.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};

async function run(): Promise<void> {
  if (!process.env.IOKIT_SOCKET) throw new Error("set IOKIT_SOCKET to the socket of an `iokit boot` daemon");
  const { lib } = await connectIOKit();
  try {
    await lib.waitQuiet(10_000);
    const path = `/dev/${kSampleCharDeviceName}`;
    const node = (await lib.devices()).find((d) => d.path === path);
    if (!node) throw new Error(`${path} not found (is SampleCharDevice.kext in the daemon's extensions folder?)`);
    console.log(`${path}: c ${node.major},${node.minor} mode ${node.mode.toString(8)} uid ${node.uid} gid ${node.gid}`);

    const fd = await lib.open(path, O_RDWR);
    await fd.write("hello, kernel");
    console.log(`read: "${dec.decode(await fd.read(64))}"`);
    await fd.ioctl(SAMPLECHAR_IOC_SETMODE, u32(1));
    await fd.write("quiet please");
    console.log(`read in upper-case mode: "${dec.decode(await fd.read(64))}"`);
    await fd.ioctl(SAMPLECHAR_IOC_SETMODE, u32(0));

    const [driver] = await lib.getMatchingServices(serviceMatching("SampleCharDevice"));
    if (!driver) throw new Error("SampleCharDevice not found");
    const connect = await driver.open(0);
    const injected = await connect.callMethod(kSampleCharInject, { structureInput: enc.encode("from the wire"), scalarOutputCount: 1 });
    console.log(`user client injected ${injected.scalarOutput[0]} bytes`);
    const nonblocking = await lib.open(path, O_RDWR | O_NONBLOCK);
    while (new DataView((await nonblocking.ioctl(FIONREAD)).buffer).getUint32(0, true) === 0) await new Promise((r) => setTimeout(r, 1));
    const peek = await connect.callMethod(kSampleCharPeek, { structureOutputSize: 4 });
    console.log(`peek: "${dec.decode(peek.structureOutput)}"`);
    console.log(`read: "${dec.decode(await nonblocking.read(64))}"`);
    try {
      await nonblocking.read(64);
    } catch (e) {
      if (!(e instanceof ErrnoError)) throw e;
      console.log(`read with nothing waiting: ${e.code} (${e.message})`);
    }

    const raw = new DataView((await fd.ioctl(SAMPLECHAR_IOC_GETSTATS)).buffer);
    const viaIoctl = [0, 8, 16, 24].map((o) => raw.getBigUint64(o, true));
    const viaClient = (await connect.callMethod(kSampleCharGetStats, { scalarOutputCount: 4 })).scalarOutput;
    console.log(`stats (read, written, interrupts, opens): ioctl [${viaIoctl.join(", ")}], user client [${viaClient.join(", ")}]`);

    await nonblocking.close();
    await fd.close();
    await connect.close();
    await driver.release();
  } finally {
    lib.close();
  }
}

run().catch((e: unknown) => {
  console.error(`chardev-client: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
