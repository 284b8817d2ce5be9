/**
 * `npm run bench -- kext`: load/unload cycles of a 10-kext dependency chain in the kernel runtime
 * (see `_kextChain.ts`), then validate and resolve every kext Info.plist of the corpus.
 *
 * Measures, on the corpus wrapped as bundles in a temp folder (see test/support/kextCorpus.ts):
 *   - whole corpus from disk: read every bundle (walk, stat, Info.plist, executable header), parse,
 *     validate, authenticate, resolve dependencies and run the qualification checks for every kext;
 *   - the same from memory (MemoryBundleSource), isolating our code from file-system calls;
 * and, as the in-run peer, Python's plistlib parsing the same Info.plists (parse only).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Bench } from "tinybench";
import { loadKextSet } from "../src/host/index.ts";
import { KextAnalyzer, KextSet, MemoryBundleSource, readKextsInFolder } from "../src/kext/index.ts";
import { wrapCorpusKexts } from "../test/support/kextCorpus.ts";
import { benchKextChain } from "./_kextChain.ts";

export default async function (args: string[]): Promise<void> {
  const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
  await benchKextChain(rounds);
  const corpus = wrapCorpusKexts();
  if (corpus === undefined) {
    process.stderr.write("bench kext: corpus not found (set IOKIT_CORPUS)\n");
    process.exitCode = 1;
    return;
  }
  const bundles = corpus.kexts.map((k) => k.bundle);
  const mem = new MemoryBundleSource().addDir("/C");
  for (const k of corpus.kexts) {
    const name = k.bundle.slice(k.bundle.lastIndexOf("/") + 1);
    mem.addFile(`/C/${name}/Contents/Info.plist`, new Uint8Array(readFileSync(`${k.bundle}/Contents/Info.plist`)));
  }
  let verdicts = 0;
  const analyzeAll = (set: KextSet): void => {
    const an = new KextAnalyzer(set);
    for (const k of set.all()) if (an.analyze(k).loadable || true) verdicts++;
  };
  const bench = new Bench({ iterations: 20, warmupIterations: 3 });
  bench.add(`disk: read+validate+resolve ${bundles.length} kexts`, async () => {
    const { set } = await loadKextSet({ kexts: bundles, systemExtensions: false }, { kernelVersion: "18.7.0" });
    analyzeAll(set);
  });
  bench.add(`memory: parse+validate+resolve ${bundles.length} kexts`, async () => {
    analyzeAll(new KextSet(await readKextsInFolder(mem, "/C", { kernelVersion: "18.7.0" })));
  });
  await bench.run();
  const rows = bench.tasks.map((t) => {
    const r = t.result as { latency?: { mean: number; p99?: number } } | undefined;
    return { task: t.name, "mean ms": r?.latency?.mean?.toFixed(2), "p99 ms": r?.latency?.p99?.toFixed(2) };
  });
  const py = spawnSync("python3", ["-c", `
import plistlib, sys, time
files = sys.argv[1:]
blobs = [open(f, 'rb').read() for f in files]
for _ in range(3):
    [plistlib.loads(b) for b in blobs]
n = 20; t = time.perf_counter()
for _ in range(n):
    [plistlib.loads(b) for b in blobs]
print((time.perf_counter() - t) / n * 1000)
`, ...bundles.map((b) => `${b}/Contents/Info.plist`)], { encoding: "utf8" });
  rows.push({ task: `peer: python3 plistlib parse only, ${bundles.length} plists`, "mean ms": py.status === 0 ? Number(py.stdout).toFixed(2) : "n/a", "p99 ms": "" });
  console.table(rows);
  void verdicts;
}
