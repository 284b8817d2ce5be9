/** A client process for `npm run bench -- ipc`: N scalar calls to the sample kext, then prints the elapsed ms. */
import { IOKitLib, serviceMatching } from "../src/libiokit/index.ts";
import { SocketTransport } from "../src/host/index.ts";

const [socket, n] = process.argv.slice(2) as [string, string];
const lib = new IOKitLib(await SocketTransport.connect(socket));
const [svc] = await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"));
const c = await svc!.open(0);
const calls = Number(n);
const t0 = performance.now();
for (let i = 0; i < calls; i++) await c.callMethod(0, { scalarInput: [BigInt(i), 2n], scalarOutputCount: 2 });
process.stdout.write(`${performance.now() - t0}\n`);
await c.close();
lib.close();
