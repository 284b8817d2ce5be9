/**
 * A user-space client of the SimpleUserClient sample kext (kexts/SimpleUserClient.kext), run in its
 * own process against an `iokit boot` daemon:
 *
 *   iokit boot --socket /tmp/iokit.sock &
 *   IOKIT_SOCKET=/tmp/iokit.sock npx tsx examples/simple-client.ts
 *
 * It finds the driver with IOServiceGetMatchingServices, opens a connection (IOServiceOpen), calls
 * the scalar, structure, fixed-size and async methods (IOConnectCallMethod /
 * IOConnectCallAsyncMethod), fills the shared memory and has the driver sum it, then closes.
 */
import { IOReturnError, stringFromReturn } from "../src/base/index.ts";
import { connectIOKit } from "../src/host/index.ts";
import { serviceMatching } from "../src/libiokit/index.ts";

const kSimpleScalar = 0, kSimpleStruct = 1, kSimpleAsync = 2, kSimpleFixed = 3, kSimpleSharedSum = 4;

async function run(): Promise<void> {
  if (!process.env.IOKIT_SOCKET) throw new Error("set IOKIT_SOCKET to the socket of an `iokit boot` daemon");
  const { lib, remote } = await connectIOKit();
  try {
    await lib.waitQuiet(10_000);
    const [driver] = await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"));
    if (!driver) throw new Error("SimpleUserClientDriver not found (is the sample kext in the daemon's extensions folder?)");
    console.log(`found ${await driver.className()} at ${await driver.path()} (${remote ? "daemon" : "embedded kernel"})`);
    const connect = await driver.open(0);
    const scalar = await connect.callMethod(kSimpleScalar, { scalarInput: [6n, 7n], scalarOutputCount: 2 });
    console.log(`scalar: 6 + 7 = ${scalar.scalarOutput[0]}, 6 * 7 = ${scalar.scalarOutput[1]}`);
    const struct = await connect.callMethod(kSimpleStruct, { structureInput: new TextEncoder().encode("stressed"), structureOutputSize: 64 });
    console.log(`struct: "stressed" reversed is "${new TextDecoder().decode(struct.structureOutput)}"`);
    const fixed = new Uint8Array(16);
    new DataView(fixed.buffer).setBigUint64(0, 0xf0f0n, true);
    new DataView(fixed.buffer).setBigUint64(8, 0x0ff0n, true);
    const xor = await connect.callMethod(kSimpleFixed, { structureInput: fixed, structureOutputSize: 8 });
    console.log(`fixed: 0xf0f0 ^ 0x0ff0 = 0x${new DataView(xor.structureOutput.buffer, xor.structureOutput.byteOffset).getBigUint64(0, true).toString(16)}`);
    try {
      await connect.callMethod(kSimpleFixed, { structureInput: new Uint8Array(15), structureOutputSize: 8 });
    } catch (e) {
      if (!(e instanceof IOReturnError)) throw e;
      console.log(`fixed with 15 bytes: ${stringFromReturn(e.code)} (0x${e.code.toString(16)})`);
    }
    const done = new Promise<bigint[]>((resolve) => {
      void connect.callAsyncMethod(kSimpleAsync, { scalarInput: [25n] }, (_result, args) => resolve(args));
    });
    console.log(`async: completed with ${(await done)[0]}`);
    const map = await connect.mapMemory(0);
    await map.write(0, new Uint8Array(100).fill(3));
    const sum = await connect.callMethod(kSimpleSharedSum, { scalarOutputCount: 1 });
    console.log(`shared memory: ${map.size} bytes, driver sums ${sum.scalarOutput[0]}`);
    await map.unmap();
    await connect.close();
    await driver.release();
  } finally {
    lib.close();
  }
}

run().catch((e: unknown) => {
  console.error(`simple-client: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
