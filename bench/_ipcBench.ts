/**
 * The body of `npm run bench -- ipc`, run as an esbuild bundle (the way `npm run build` ships the
 * library: no tsx keepNames wrappers) in three roles:
 *
 * - `daemon SOCKET ECHO EXTENSIONS`: what `iokit boot` does — boot the default virtual Mac in real
 *   time with the bundled kexts and serve it on SOCKET (IOKitDaemon) — plus, in the same process and
 *   event loop, a raw echo server on ECHO: both round trips then meet the same process, CPU
 *   placement and scheduling, and differ only by what the IOKit layer adds;
 * - `client SOCKET N`: N scalar calls, prints the elapsed ms (the 8-process throughput run);
 * - `measure ROOT N` (default): the measurements, printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FrameReader, Routine, encodeFrame, requestMessage } from "../src/ipc/index.ts";
import { IOKitLib, serviceMatching } from "../src/libiokit/index.ts";
import { EmbeddedTransport, IOKitDaemon, SocketTransport, bootKernel } from "../src/host/index.ts";
import { userTask } from "../src/kernel/index.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;
const fmt = (us: number): string => `${us.toFixed(1)} µs`;
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(" ");
const ownCPU = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** CPU time (µs) a child process has used, from /proc (Linux, USER_HZ 100); undefined elsewhere. */
function childCPU(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return undefined;
  }
}

async function daemon(sock: string, echoSock: string, extensions: string): Promise<void> {
  const b = await bootKernel({ realTime: true, extensions });
  const d = await IOKitDaemon.start(b.server, { socketPath: sock });
  const echo = createServer((s) => {
    s.setNoDelay(true);
    s.pipe(s);
  }).listen(echoSock);
  await new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
  echo.close();
  await d.close();
  b.kernel.scheduler.stop();
}

async function client(sock: string, n: number): Promise<void> {
  const lib = new IOKitLib(await SocketTransport.connect(sock));
  const [svc] = await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"));
  const c = await svc!.open(0);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await c.callMethod(0, { scalarInput: [BigInt(i), 2n], scalarOutputCount: 2 });
  process.stdout.write(`${performance.now() - t0}\n`);
  await c.close();
  lib.close();
}

async function measure(root: string, n: number): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const extensions = existsSync(join(root, "extensions")) ? join(root, "extensions") : join(root, "kexts");
  const dir = mkdtempSync(join(tmpdir(), "iokit-bench-"));
  const sock = join(dir, "iokit.sock");
  const echoSock = join(dir, "echo.sock");
  const flags = (process.env.IOKIT_BENCH_DAEMON_FLAGS ?? "").split(" ").filter((f) => f !== "");
  const kid: ChildProcess = spawn(process.execPath, [...flags, self, "daemon", sock, echoSock, extensions], { stdio: ["ignore", "ignore", "inherit"] });
  try {
    for (let i = 0; i < 600 && !(existsSync(`${sock}.priv`) && existsSync(echoSock)); i++) await sleep(50);
    const lib = new IOKitLib(await SocketTransport.connect(sock));
    await lib.waitQuiet(10_000);
    const [svc] = await lib.getMatchingServices(serviceMatching("SimpleUserClientDriver"));
    const c = await svc!.open(0);
    console.log(`daemon: default virtual Mac, ${extensions}; load average ${load()}`);
    // The raw echo sends the very frame a scalar call sends.
    const frame = encodeFrame(requestMessage(1, Routine.connectMethod, [c.handle, 0, [1n, 2n], new Uint8Array(0), 2, 0, null]));
    const echo = createConnection(echoSock);
    echo.setNoDelay(true);
    await new Promise((r) => echo.once("connect", r));
    const reader = new FrameReader();
    let wake: (() => void) | undefined;
    echo.on("data", (b: Buffer) => {
      if (reader.push(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).length > 0) wake?.();
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
    console.log(`round trip over a Unix socket, ${n} sequential calls interleaved with ${n} echoes (after ${warm} warm-up):`);
    console.log(`  IOConnectCallMethod (scalar, daemon)  median ${fmt(im)}  p99 ${fmt(ip)}`);
    console.log(`  raw framed echo (same bytes, same process)  median ${fmt(rm)}  p99 ${fmt(rp)}`);
    console.log(`  ratio median ${(im / rm).toFixed(2)}x`);
    // CPU per round trip, each kind in a block of its own (the /proc clock ticks at 10 ms).
    const cpuOf = async (f: () => Promise<unknown>): Promise<[number, number | undefined]> => {
      const c0 = ownCPU();
      const p0 = childCPU(kid.pid);
      for (let i = 0; i < n; i++) await f();
      const p1 = childCPU(kid.pid);
      return [(ownCPU() - c0) / n, p0 === undefined || p1 === undefined ? undefined : (p1 - p0) / n];
    };
    const [cc, cs] = await cpuOf(call);
    const [ec, es] = await cpuOf(rawOnce);
    const srv = (x: number | undefined): string => (x === undefined ? "n/a" : fmt(x));
    console.log(`CPU per round trip (${n} in a row each): call client ${fmt(cc)} + daemon ${srv(cs)}; echo client ${fmt(ec)} + daemon ${srv(es)}`);
    echo.destroy();
    await c.close();
    lib.close();

    const per = Math.max(1000, Math.floor(n / 4));
    const t0 = performance.now();
    const outs = await Promise.all(Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
      const p = spawn(process.execPath, [self, "client", sock, String(per)]);
      let out = "";
      p.stdout.on("data", (d: Buffer) => (out += d.toString()));
      p.on("close", () => resolve(out.trim()));
    })));
    const wall = performance.now() - t0;
    const slowest = Math.max(...outs.map(Number));
    console.log(`throughput: 8 client processes x ${per} calls: ${Math.round((8 * per) / (slowest / 1000))} calls/s (slowest client ${slowest.toFixed(0)} ms; wall incl. process start ${wall.toFixed(0)} ms)`);
  } finally {
    kid.kill("SIGTERM");
  }

  const b = await bootKernel({ realTime: true, extensions });
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
  console.log(`in-process (embedded transport): ${(((performance.now() - t) * 1000) / m).toFixed(2)} µs wall, ${cpu.toFixed(2)} µs CPU per scalar call (mean of ${m}); load average ${load()}`);
  await c.close();
  lib.close();
  b.kernel.scheduler.stop();
}

const [role, ...rest] = process.argv.slice(2);
if (role === "daemon") await daemon(rest[0] as string, rest[1] as string, rest[2] as string);
else if (role === "client") await client(rest[0] as string, Number(rest[1]));
else await measure(rest[0] as string, Number(rest[1] ?? 20000));
