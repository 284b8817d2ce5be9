/**
 * `npm run bench -- match [DUMP]`: the matching engine's figures.
 *
 * 1. Replay of the largest `ioreg -l` dump of the corpus (or DUMP) to quiescence: catalogue
 *    rebuilt from its driver entries, every registered nub matched once. Import time is reported
 *    apart (it belongs to the ioreg importer). Target <= 100 ms.
 * 2. Cost per (nub, candidate) passive test: every pair `findDrivers` yields on that dump, run
 *    through `matchPassive` repeatedly. Target <= 2 µs.
 * 3. The runtime's lifecycle part (bench/_matchLifecycle.ts), when present.
 *
 * No peer runs the same workload (no other project matches I/O Kit personalities outside a kernel),
 * so there is no side-by-side column. Figures go to docs/benchmarks.md.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  appleClassHierarchy, matchPassive, replayDump, replayEntriesFromSnapshot, type CataloguePersonality, type MatchNub,
} from "../src/kernel/index.ts";
import { importDump } from "../src/tools/ioreg/loadDump.ts";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

function largestDump(): string | undefined {
  const dir = join(process.env.IOKIT_CORPUS ?? join(root, "../shared/corpus"), "B_ioreg");
  if (!existsSync(dir)) return undefined;
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/ioreg-l_IOService\.txt$/.test(n)) files.push(p);
    }
  };
  walk(dir);
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

export default async function (args: string[]): Promise<void> {
  const file = args[0] ?? largestDump();
  if (file === undefined) {
    process.stdout.write("match: no dump given and no corpus found (set IOKIT_CORPUS); skipping the replay figures\n");
  } else {
    const bytes = new Uint8Array(readFileSync(file));
    let t = performance.now();
    const { snapshot } = importDump(bytes);
    const importMs = performance.now() - t;
    const hierarchy = appleClassHierarchy();
    const times: number[] = [];
    const cpu: number[] = [];
    let last;
    for (let i = 0; i < 40; i++) {
      t = performance.now();
      const c0 = process.cpuUsage();
      last = replayDump(replayEntriesFromSnapshot(snapshot), { hierarchy });
      const c1 = process.cpuUsage(c0);
      times.push(performance.now() - t);
      cpu.push((c1.user + c1.system) / 1000);
    }
    const r = last!;
    process.stdout.write(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${cpus().length} CPUs (figures are wall-clock)\n`);
    process.stdout.write(`dump: ${file} (${(bytes.length / 1e6).toFixed(1)} MB, ${snapshot.entries.length} entries)\n`);
    process.stdout.write(`  import (ioreg text importer): ${importMs.toFixed(0)} ms\n`);
    process.stdout.write(`  replay to quiescence: median ${median(times).toFixed(1)} ms wall (${median(cpu).toFixed(1)} ms CPU), min ${Math.min(...times).toFixed(1)} ms over ${times.length} runs `
      + `(${r.catalogue.size} personalities, ${r.runs.size} registered nubs, ${r.report.predicted.length} drivers predicted)\n`);

    const pairs: [CataloguePersonality, MatchNub][] = [];
    for (const run of r.runs.values()) for (const p of r.catalogue.findDrivers(run.nub)) pairs.push([p, run.nub]);
    const opts = { arch: r.catalogue.arch, families: r.catalogue.families, classDone: true, score: 0 };
    let matched = 0;
    const perPair: number[] = [];
    const perPairCpu: number[] = [];
    for (let round = 0; round < 40; round++) {
      t = performance.now();
      const c0 = process.cpuUsage();
      for (const [p, n] of pairs) {
        opts.score = p.score;
        if (matchPassive(p.table, n, opts).matched) matched++;
      }
      const c1 = process.cpuUsage(c0);
      perPair.push(((performance.now() - t) * 1e6) / pairs.length);
      perPairCpu.push(((c1.user + c1.system) * 1e3) / pairs.length);
    }
    process.stdout.write(`  passive test per (nub, candidate): median ${median(perPair).toFixed(0)} ns wall (${median(perPairCpu).toFixed(0)} ns CPU), best ${Math.min(...perPair).toFixed(0)} ns over ${pairs.length} pairs `
      + `(${matched / perPair.length} matched per round)\n`);
  }
  const lifecycle = join(root, "bench/_matchLifecycle.ts");
  if (existsSync(lifecycle)) {
    const mod = (await import(lifecycle)) as { matchLifecycleBench?: (a: string[]) => Promise<void> };
    await mod.matchLifecycleBench?.(args.slice(1));
  }
}
