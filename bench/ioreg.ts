/**
 * `npm run bench -- ioreg [corpus-dir]`: the I/O Registry and `iokit ioreg` on the largest real dumps.
 *
 * - import and `-l` render of the 3.8 MB Apple Silicon text dump and of the 11.8 MB MacBookPro15,1
 *   IORegistryExplorer save (when .ioreg import is available);
 * - registry operations: attach+detach of 100k entries, getPath/fromPath on the real registry
 *   loaded from the Apple Silicon dump, property reads.
 *
 * There is no peer to compare with on this platform: Apple's ioreg reads only the live kernel.
 * Figures are medians of several runs after a warm-up, in CPU time of this process
 * (`process.cpuUsage`), so that other load on the machine does not inflate them; on a quiet
 * machine wall time is the same within a few percent.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatIORegText } from "../src/formats/index.ts";
import { IORegistry, type IORegistryEntry } from "../src/kernel/index.ts";
import { importDump } from "../src/tools/ioreg/loadDump.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time<T>(runs: number, fn: () => T): { ms: number; value: T } {
  let value = fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    value = fn();
    const c = process.cpuUsage(c0);
    ms.push((c.user + c.system) / 1000);
  }
  return { ms: median(ms), value };
}

const line = (label: string, value: string): void => {
  process.stdout.write(`${label.padEnd(58)} ${value}\n`);
};

export default async function (args: string[]): Promise<void> {
  const corpus = args[0] ?? process.env.IOKIT_CORPUS ?? join(import.meta.dirname, "../../shared/corpus");
  const dumps = [
    "B_ioreg/real-mac-applesilicon/MacBookAir10-1_J313AP__ioreg-l_IOService.txt",
    "B_ioreg/real-mac-intel-ioregexplorer/MacBookPro15-1__IORegistryExplorer.ioreg",
  ];
  let asRegistry: IORegistry | undefined;
  for (const rel of dumps) {
    const path = join(corpus, rel);
    if (!existsSync(path)) {
      line(rel, "skipped: not found (pass the corpus directory)");
      continue;
    }
    const bytes = readFileSync(path);
    const mb = (bytes.length / 1e6).toFixed(1);
    let imported;
    try {
      imported = time(5, () => importDump(bytes));
    } catch (e) {
      line(`${rel.split("/").pop()} (${mb} MB) import`, `skipped: ${(e as Error).message}`);
      continue;
    }
    const snap = imported.value.snapshot;
    line(`${rel.split("/").pop()} (${mb} MB, ${snap.entries.length} entries) import`, `${imported.ms.toFixed(0)} ms`);
    const rendered = time(5, () => formatIORegText(snap, { list: true, plane: snap.planes[0] ?? "IOService", ...(snap.textStyle ? { style: snap.textStyle } : {}) }));
    line("  render -l", `${rendered.ms.toFixed(0)} ms (${(rendered.value.length / 1e6).toFixed(1)} MB)`);
    const loaded = time(5, () => IORegistry.fromSnapshot(snap, { clock: () => 0n }));
    line("  IORegistry.fromSnapshot", `${loaded.ms.toFixed(0)} ms`);
    asRegistry ??= loaded.value;
  }

  // attach + detach of 100k entries in a tree of fan-out 16.
  const N = 100_000;
  const reg = new IORegistry({ clock: () => 0n });
  const entries: IORegistryEntry[] = [];
  for (let i = 0; i < N; i++) entries.push(reg.createEntry("IOService", { isService: true }));
  const attach = time(15, () => {
    for (let i = 0; i < N; i++) (entries[i] as IORegistryEntry).attachToParent(i === 0 ? reg.root : (entries[(i - 1) >> 4] as IORegistryEntry), "IOService");
    for (let i = N - 1; i >= 0; i--) (entries[i] as IORegistryEntry).detachFromParent(i === 0 ? reg.root : (entries[(i - 1) >> 4] as IORegistryEntry), "IOService");
  });
  line(`attach+detach ${N} entries`, `${attach.ms.toFixed(1)} ms (${((attach.ms * 1e3) / N).toFixed(3)} µs/entry)`);

  if (asRegistry !== undefined) {
    const all = [...asRegistry.iterate(asRegistry.root, "IOService", { recursive: true })];
    const paths = all.map((e) => e.getPath("IOService") as string);
    const M = paths.length;
    const ROUNDS = 100; // steady state: each measurement walks every path 100 times
    const get = time(5, () => {
      for (let r = 0; r < ROUNDS; r++) for (const e of all) e.getPath("IOService");
    });
    line(`getPath (${M} real entries, mean depth ${(paths.reduce((a, p) => a + p.split("/").length - 1, 0) / M).toFixed(1)})`, `${((get.ms * 1e3) / (M * ROUNDS)).toFixed(3)} µs/op`);
    const from = time(5, () => {
      let hits = 0;
      for (let r = 0; r < ROUNDS; r++) for (const p of paths) if (asRegistry.fromPath(p) !== undefined) hits++;
      return hits / ROUNDS;
    });
    line(`fromPath (${from.value}/${M} resolve)`, `${((from.ms * 1e3) / (M * ROUNDS)).toFixed(3)} µs/op`);
    const keys = all.map((e) => [...e.properties.keys()][0] ?? "IOClass");
    const R = 1_000_000;
    const reads = time(5, () => {
      let found = 0;
      for (let i = 0; i < R; i++) if ((all[i % M] as IORegistryEntry).getProperty(keys[i % M] as string) !== undefined) found++;
      return found;
    });
    line(`getProperty (${R} reads)`, `${((reads.ms * 1e6) / R).toFixed(1)} ns/op`);
  }
}
