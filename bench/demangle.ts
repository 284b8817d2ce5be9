/**
 * `npm run bench -- demangle`: demangling throughput on the generated clang-16 name set
 * (test/support/cxxNameCorpus.ts), side by side with llvm-cxxfilt-16: the whole set piped through
 * one process, and one process per name (what a tool pays when it shells out per symbol).
 */
import { spawnSync } from "node:child_process";
import { Bench } from "tinybench";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { demangle as demangleViaTsx } from "../src/formats/index.ts";

/**
 * The demangler as `npm run build` ships it (an esbuild bundle without keepNames). tsx, which runs
 * this script, compiles with keepNames; its `__name` static blocks on every node class make
 * derived-class construction an order of magnitude slower, so that figure is shown separately.
 */
async function loadBundled(): Promise<{ demangle: typeof demangleViaTsx; filterLine: (l: string, o: object) => string }> {
  const dir = mkdtempSync(join(tmpdir(), "iokit-bench-demangle-"));
  try {
    const out = join(dir, "demangle.mjs");
    await build({
      stdin: { contents: 'export { demangle } from "./src/formats/index.ts"; export { filterLine } from "./src/tools/c++filt/main.ts";', resolveDir: process.cwd(), loader: "ts" },
      bundle: true, platform: "node", format: "esm", outfile: out, logLevel: "error",
    });
    return (await import(pathToFileURL(out).href)) as Awaited<ReturnType<typeof loadBundled>>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
import { compileCxxNames, haveCxxTools } from "../test/support/cxxNameCorpus.ts";

export default async function (_args: string[]): Promise<void> {
  if (!haveCxxTools()) {
    process.stderr.write("bench demangle: clang-16/llvm-nm-16/llvm-cxxfilt-16 are required\n");
    process.exitCode = 1;
    return;
  }
  const { demangle, filterLine } = await loadBundled();
  const names = compileCxxNames();
  const mangled = names.filter((n) => n.startsWith("__Z"));
  const input = names.join("\n") + "\n";
  const sample = names.slice(0, 40);
  let sink = 0;
  const ours = new Bench({ time: 3000, warmupTime: 1000 });
  ours
    .add(`iokit demangle() x ${names.length} names`, () => {
      for (const n of names) sink += demangle(n)?.length ?? 0;
    })
    .add(`iokit c++filt line filter x ${names.length} lines`, () => {
      for (const n of names) sink += filterLine(n, { stripUnderscore: true }).length;
    })
    .add(`iokit demangle() under tsx (keepNames) x ${names.length} names`, () => {
      for (const n of names) sink += demangleViaTsx(n)?.length ?? 0;
    });
  // Processes are slow: a handful of iterations is enough.
  const peer = new Bench({ time: 0, iterations: 8, warmupIterations: 1 });
  peer
    .add(`llvm-cxxfilt-16 -_ one process, ${names.length} names piped`, () => {
      sink += spawnSync("llvm-cxxfilt-16", ["-_"], { input, encoding: "utf8", maxBuffer: 1 << 28 }).stdout.length;
    })
    .add(`llvm-cxxfilt-16 -_ one process per name x ${sample.length}`, () => {
      for (const n of sample) sink += spawnSync("llvm-cxxfilt-16", ["-_", n], { encoding: "utf8" }).stdout.length;
    });
  // CPU time as well as wall time: on a shared, loaded machine wall time mostly measures the load.
  // The best of 60 passes (after the JIT has warmed up) is the steady-state figure.
  let bestCpuRate = 0;
  for (let pass = 0; pass < 60; pass++) {
    const c0 = process.cpuUsage();
    for (const n of names) sink += demangle(n)?.length ?? 0;
    const c = process.cpuUsage(c0);
    bestCpuRate = Math.max(bestCpuRate, (names.length / (c.user + c.system)) * 1e6);
  }
  await ours.run();
  await peer.run();
  const tasks = [...ours.tasks, ...peer.tasks];
  const counts = [names.length, names.length, names.length, names.length, sample.length];
  const rows = tasks.map((t, i) => {
    const mean = t.result.state === "completed" ? t.result.period : NaN;
    const n = counts[i]!;
    return { task: t.name, "ms/iteration": mean.toFixed(2), "names/s": Math.round((n / mean) * 1000).toLocaleString("en-US"), "µs/name": ((mean * 1000) / n).toFixed(2) };
  });
  console.log(`${names.length} names (${mangled.length} mangled), mean ${Math.round(names.reduce((a, n) => a + n.length, 0) / names.length)} chars; node ${process.version}`);
  console.table(rows);
  console.log(`iokit demangle() steady state: ${Math.round(bestCpuRate).toLocaleString("en-US")} names per CPU-second (best of 60 passes)`);
  if (sink === 0) console.log("");
}
