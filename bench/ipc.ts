/**
 * `npm run bench -- ipc [N]`: user-client call cost.
 *
 * 1. Round-trip latency of a scalar `IOConnectCallMethod` to the SimpleUserClient sample kext in an
 *    `iokit boot` daemon (its own process, booting the default virtual Mac with the bundled kexts;
 *    the `npm run build` bundle when present), next to a raw echo of the very same framed bytes
 *    through a Unix socket to an echo process, interleaved in the same run: median and p99.
 * 2. CPU per round trip on each side (client: `process.cpuUsage`; daemon and echo process: their
 *    /proc stat on Linux), in blocks of calls and of echoes: the figure that does not depend on
 *    how loaded the machine is.
 * 3. Throughput: 8 client processes calling the daemon concurrently.
 * 4. In-process: the same call through the embedded transport (wall and CPU).
 *
 * `IOKIT_BENCH_DAEMON_FLAGS="--cpu-prof --cpu-prof-dir=DIR"` passes Node flags to the daemon
 * (profiles are written when it exits on SIGTERM); `IOKIT_BENCH_DAEMON_LOG=1` shows its stderr.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { loadavg, tmpdir } from "node:os";
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

/** CPU time (µs) a child process has used, from /proc (Linux); undefined elsewhere. */
function childCPU(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

const ownCPU = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 400 && !existsSync(path); i++) await sleep(50);
}

export default async function (args: string[]): Promise<void> {
  const n = Number(args[0] ?? 20000);
  const dir = mkdtempSync(join(tmpdir(), "iokit-bench-"));
  const sock = join(dir, "iokit.sock");
  const echoSock = join(dir, "echo.sock");
  const kids: ChildProcess[] = [];
  const nodeFlags = (process.env.IOKIT_BENCH_DAEMON_FLAGS ?? "").split(" ").filter((f) => f !== "");
  kids.push(spawn(process.execPath, [...nodeFlags, join(ROOT, "bin/iokit.mjs"), "boot", "--socket", sock], { env: { ...process.env, IOKIT_DEV: existsSync(join(ROOT, "dist/iokit.mjs")) ? "0" : "1" }, stdio: process.env.IOKIT_BENCH_DAEMON_LOG ? ["ignore", "ignore", "inherit"] : "ignore" }));
  kids.push(spawn(process.execPath, ["-e", `require("net").createServer((s) => { s.setNoDelay(true); s.pipe(s); }).listen(${JSON.stringify(echoSock)})`], { stdio: "ignore" }));
  try {
    await waitFor(`${sock}.priv`);
    await waitFor(echoSock);
    const lib = new IOKitLib(await SocketTransport.connect(sock));
    await lib.waitQuiet(10_000);
    console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
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
    // CPU per round trip, each kind in blocks of its own (the /proc clock ticks at 10 ms).
    const cpuOf = async (f: () => Promise<unknown>, pid: number | undefined): Promise<[number, number | undefined]> => {
      const c0 = ownCPU();
      const p0 = childCPU(pid);
      for (let i = 0; i < n; i++) await f();
      const p1 = childCPU(pid);
      return [(ownCPU() - c0) / n, p0 === undefined || p1 === undefined ? undefined : (p1 - p0) / n];
    };
    const [cc, cs] = await cpuOf(call, kids[0]?.pid);
    const [ec, es] = await cpuOf(rawOnce, kids[1]?.pid);
    const srv = (x: number | undefined): string => (x === undefined ? "n/a" : fmt(x));
    console.log(`CPU per round trip (${n} in a row each): call client ${fmt(cc)} + daemon ${srv(cs)}; echo client ${fmt(ec)} + echo process ${srv(es)}`);
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
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  await b.kernel.platform.waitQuiet(10_000);
  const lib = new IOKitLib(new EmbeddedTransport(b.server, userTask({ procName: "bench" })));
  const [svc] = await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"));
  const c = await svc!.open(0);
  const m = Math.max(n * 5, 100_000);
  for (let i = 0; i < 10_000; i++) await c.callMethod(0, { scalarInput: [1n, 2n], scalarOutputCount: 2 });
  const t = performance.now();
  const c0 = ownCPU();
  for (let i = 0; i < m; i++) await c.callMethod(0, { scalarInput: [1n, 2n], scalarOutputCount: 2 });
  const cpu = (ownCPU() - c0) / m;
  console.log(`in-process (embedded transport): ${(((performance.now() - t) * 1000) / m).toFixed(2)} µs per scalar call (mean of ${m}), CPU ${cpu.toFixed(2)} µs`);
  await c.close();
  lib.close();
  b.kernel.scheduler.stop();
}
