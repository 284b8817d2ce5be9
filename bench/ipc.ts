/**
 * `npm run bench -- ipc [N]`: user-client call cost, measured on the library as `npm run build`
 * ships it (bench/_ipcBench.ts bundled by esbuild, run by node; tsx's keepNames wrappers would
 * charge every closure a `defineProperty`).
 *
 * 1. Round-trip latency of a scalar `IOConnectCallMethod` to the SimpleUserClient sample kext,
 *    served by a daemon process booting the default virtual Mac with the bundled kexts, next to a
 *    raw echo of the very same framed bytes, interleaved call by call: median and p99. The echo
 *    server runs in the daemon's own process and event loop, so both round trips cross the same
 *    kind of socket to the same process under the same scheduling.
 * 2. CPU per round trip on each side (client `process.cpuUsage`; daemon from /proc on Linux), in
 *    blocks of calls and of echoes: the figure that does not depend on the machine's load.
 * 3. Throughput: 8 client processes calling the daemon concurrently.
 * 4. In-process: the same call through the embedded transport (wall and CPU).
 *
 * The CPUs are held out of their idle states for the run where the OS allows it (_holdCpuAwake.ts;
 * `--allow-idle` skips that): on an idle VM every round trip otherwise pays a vCPU wake-up.
 *
 * `IOKIT_BENCH_DAEMON_FLAGS="--cpu-prof --cpu-prof-dir=DIR"` passes Node flags to the daemon
 * (a profile is written when it exits on SIGTERM).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { holdCpuAwake } from "./_holdCpuAwake.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export default async function (args: string[]): Promise<void> {
  // Inside the project, so the bundle resolves the packages it leaves external (esbuild).
  const allowIdle = args.includes("--allow-idle");
  args = args.filter((a) => a !== "--allow-idle");
  const dir = mkdtempSync(join(ROOT, ".bench-ipc-"));
  const release = allowIdle ? () => {} : holdCpuAwake();
  try {
    const out = join(dir, "ipcBench.mjs");
    await build({
      entryPoints: [join(ROOT, "bench/_ipcBench.ts")], bundle: true, platform: "node", format: "esm", target: "node20", outfile: out,
      logLevel: "error", external: ["esbuild"],
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const code = await new Promise<number>((resolve) => {
      spawn(process.execPath, [out, "measure", ROOT, args[0] ?? "20000"], { stdio: "inherit" }).on("close", (c) => resolve(c ?? 1));
    });
    if (code !== 0) process.exitCode = code;
  } finally {
    release();
    rmSync(dir, { recursive: true, force: true });
  }
}
