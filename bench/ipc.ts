/**
 * `npm run bench -- ipc [N]`: user-client call cost.
 *
 * 1. Round-trip latency of a scalar `IOConnectCallMethod` to the SimpleUserClient sample kext in an
 *    `iokit boot` daemon (its own process; the `npm run build` bundle when present), next to a raw echo of a same-sized 4-byte-framed message
 *    through a Unix socket to an echo process, in the same run, sequential calls, median and p99.
 * 2. Throughput: 8 client processes calling the daemon concurrently.
 * 3. In-process: the same call through the embedded transport.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FrameReader, Routine, encodeFrame, requestMessage } from "../src/ipc/index.ts";
import { IOKitLib, serviceMatching } from "../src/libiokit/index.ts";
import { EmbeddedTransport, SocketTransport, bootKernel } from "../src/host/index.ts";
import { userTask } from "../src/kernel/index.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;
const fmt = (us: number): string => `${us.toFixed(1)} µs`;

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 400 && !existsSync(path); i++) await sleep(50);
}

export default async function (args: string[]): Promise<void> {
  const n = Number(args[0] ?? 20000);
  const dir = mkdtempSync(join(tmpdir(), "iokit-bench-"));
  const sock = join(dir, "iokit.sock");
  const echoSock = join(dir, "echo.sock");
  const kids: ChildProcess[] = [];
  kids.push(spawn(process.execPath, [join(ROOT, "bin/iokit.mjs"), "boot", "--socket", sock, "--extensions", join(ROOT, "kexts")], { env: { ...process.env, IOKIT_DEV: existsSync(join(ROOT, "dist/iokit.mjs")) ? "0" : "1" }, stdio: "ignore" }));
  kids.push(spawn(process.execPath, ["-e", `require("net").createServer((s) => { s.setNoDelay(true); s.pipe(s); }).listen(${JSON.stringify(echoSock)})`], { stdio: "ignore" }));
  try {
    await waitFor(`${sock}.priv`);
    await waitFor(echoSock);
    const lib = new IOKitLib(await SocketTransport.connect(sock));
    await lib.waitQuiet(10_000);
    const [svc] = await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"));
    const c = await svc!.open(0);
    // The raw echo sends the very frame a scalar call sends.
    const frame = encodeFrame(requestMessage(1, Routine.connectMethod, [c.handle, 0, [1n, 2n], new Uint8Array(0), 2, 0, null]));
    const echo = createConnection(echoSock);
    echo.setNoDelay(true);
    await new Promise((r) => echo.once("connect", r));
    const reader = new FrameReader();
    let wake: (() => void) | undefined;
    echo.on("data", (b: Buffer) => {
      if (reader.push(new Uint8Array(b)).length > 0) wake?.();
    });
    const rawOnce = (): Promise<void> => new Promise((r) => {
      wake = r;
      echo.write(frame);
    });
    const call = (): Promise<unknown> => c.callMethod(0, { scalarInput: [1n, 2n], scalarOutputCount: 2 });
    const warm = Math.min(1000, n / 10);
    const ipcT: number[] = [];
    const rawT: number[] = [];
    for (let i = 0; i < n + warm; i++) {
      // Interleaved so both see the same machine conditions.
      let t = performance.now();
      await call();
      const a = (performance.now() - t) * 1000;
      t = performance.now();
      await rawOnce();
      const b = (performance.now() - t) * 1000;
      if (i >= warm) {
        ipcT.push(a);
        rawT.push(b);
      }
    }
    const [im, ip, rm, rp] = [pct(ipcT, 0.5), pct(ipcT, 0.99), pct(rawT, 0.5), pct(rawT, 0.99)];
    console.log(`round trip over a Unix socket, ${n} sequential calls (after ${warm} warm-up):`);
    console.log(`  IOConnectCallMethod (scalar, daemon)  median ${fmt(im)}  p99 ${fmt(ip)}`);
    console.log(`  raw framed echo (same bytes)          median ${fmt(rm)}  p99 ${fmt(rp)}`);
    console.log(`  ratio median ${(im / rm).toFixed(2)}x`);
    echo.destroy();
    await c.close();
    lib.close();

    const per = Math.max(1000, Math.floor(n / 4));
    const t0 = performance.now();
    const outs = await Promise.all(Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
      const p = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench/_ipcClient.ts"), sock, String(per)], { cwd: ROOT });
      let out = "";
      p.stdout.on("data", (d: Buffer) => (out += d.toString()));
      p.on("close", () => resolve(out.trim()));
    })));
    const wall = performance.now() - t0;
    const slowest = Math.max(...outs.map(Number));
    console.log(`throughput: 8 client processes x ${per} calls: ${Math.round((8 * per) / (slowest / 1000))} calls/s (slowest client ${slowest.toFixed(0)} ms; wall incl. process start ${wall.toFixed(0)} ms)`);
  } finally {
    for (const k of kids) k.kill("SIGTERM");
  }

  const b = await bootKernel({ realTime: true });
  await b.kernel.platform.waitQuiet(10_000);
  const lib = new IOKitLib(new EmbeddedTransport(b.server, userTask({ procName: "bench" })));
  const [svc] = await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"));
  const c = await svc!.open(0);
  const m = Math.max(n * 5, 100_000);
  for (let i = 0; i < 10_000; i++) await c.callMethod(0, { scalarInput: [1n, 2n], scalarOutputCount: 2 });
  const t = performance.now();
  for (let i = 0; i < m; i++) await c.callMethod(0, { scalarInput: [1n, 2n], scalarOutputCount: 2 });
  console.log(`in-process (embedded transport): ${(((performance.now() - t) * 1000) / m).toFixed(2)} µs per scalar call (mean of ${m})`);
  await c.close();
  lib.close();
  b.kernel.scheduler.stop();
}
