/**
 * The runtime half of `npm run bench -- kext`: a chain of 10 kexts (K0 ← K1 ← … ← K9, each a
 * library linking against the one before and the KPIs, each defining an IOService subclass, the
 * top one sending a personality) loaded with one `loadKextWithIdentifier(K9)` and unloaded top
 * down, N times, in one embedded kernel. Modules come from memory so the figure is the runtime's
 * own work: planning (memoised), tags, class definition and removal, start/stop, the catalogue add
 * and rematch, kextunload's terminate-and-remove. After every round the kext table, the catalogue
 * size and the instance counts are compared with the baseline; drift is reported, never hidden.
 */
import { performance } from "node:perf_hooks";
import { kIOReturnSuccess } from "../src/base/index.ts";
import { IOKernel, IOService, OSMetaClass } from "../src/kernel/index.ts";
import { KextRuntime, KextSet, MemoryBundleSource, readKextsInFolder, type KextModuleLoader } from "../src/kext/index.ts";
import { addKext, kextInfo, kpiInfo } from "../test/support/kextFixtures.ts";

const CHAIN = 10;
const KPIS = { "com.apple.kpi.iokit": "9.0", "com.apple.kpi.libkern": "9.0" };

function instanceTotal(): number {
  let n = 0;
  for (const m of OSMetaClass.all()) n += m.getInstanceCount();
  return n;
}

export async function benchKextChain(rounds: number): Promise<void> {
  const src = new MemoryBundleSource().addDir("/B");
  addKext(src, "/B/IOKit.kext", kpiInfo("com.apple.kpi.iokit", "18.7.0"));
  addKext(src, "/B/Libkern.kext", kpiInfo("com.apple.kpi.libkern", "18.7.0"));
  const ids: string[] = [];
  const modules = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < CHAIN; i++) {
    const id = `com.example.bench.K${i}`;
    ids.push(id);
    addKext(src, `/B/K${i}.kext`, kextInfo({
      CFBundleIdentifier: id, CFBundleExecutable: `K${i}.mjs`, CFBundleVersion: "1.0", OSBundleCompatibleVersion: "1.0",
      OSBundleLibraries: i === 0 ? KPIS : { [ids[i - 1] as string]: "1.0", ...KPIS },
      IOKitPersonalities: i === CHAIN - 1 ? { Top: { CFBundleIdentifier: id, IOClass: `BenchK${i}`, IOProviderClass: "BenchChainNub" } } : undefined,
    }), { executable: false });
    src.addFile(`/B/K${i}.kext/Contents/MacOS/K${i}.mjs`, "// supplied from memory\n");
    modules.set(id, { [`BenchK${i}`]: class extends IOService {}, start: () => 0, stop: () => 0 });
  }
  const loader: KextModuleLoader = async (k) => modules.get(k.bundleID as string) as Record<string, unknown>;
  const rt = new KextRuntime(new KextSet(await readKextsInFolder(src, "/B")), loader);
  const kernel = new IOKernel({ kextLoader: rt });
  rt.attachKernel(kernel);
  const top = ids[CHAIN - 1] as string;
  const down = [...ids].reverse();
  const baseTable = rt.loadedKexts().map((k) => `${k.tag}:${k.bundleID}:${k.refs}`).join(" ");
  const baseCounts = JSON.stringify([...OSMetaClass.serializeClassDictionary()].map(([k, v]) => [k, String(v)]));
  const baseInstances = instanceTotal();
  const baseCatalogue = kernel.catalogue.size;
  let drift = 0;
  let failures = 0;
  const cycle = async (): Promise<void> => {
    if ((await rt.loadKextWithIdentifier(top)) !== kIOReturnSuccess) failures++;
    for (const id of down) if ((await rt.unloadKextWithIdentifier(id, id === top)) !== kIOReturnSuccess) failures++;
    if (rt.loadedKexts().length !== 3 || kernel.catalogue.size !== baseCatalogue || instanceTotal() !== baseInstances) drift++;
  };
  for (let i = 0; i < 200; i++) await cycle(); // warm-up
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await cycle();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const table = rt.loadedKexts().map((k) => `${k.tag}:${k.bundleID}:${k.refs}`).join(" ").replace(/^\S+/, "");
  const tableBack = table === baseTable.replace(/^\S+/, "");
  const countsBack = JSON.stringify([...OSMetaClass.serializeClassDictionary()].map(([k, v]) => [k, String(v)])) === baseCounts;
  console.table([{
    task: `${CHAIN}-kext chain load + unload, ${rounds} rounds`,
    "cycles/s": Math.round(rounds / (ms / 1000)),
    "ms/cycle": (ms / rounds).toFixed(3),
    "CPU ms/cycle": ((cpu.user + cpu.system) / 1000 / rounds).toFixed(3),
    "rounds drifted": drift,
    "failed calls": failures,
    "table+counts back": tableBack && countsBack ? "yes" : "NO",
  }]);
  if (drift > 0 || failures > 0 || !tableBack || !countsBack) {
    process.stderr.write(`bench kext: drift after load/unload rounds (drifted ${drift}, failed calls ${failures}, table back ${tableBack}, counts back ${countsBack})\n`);
    process.exitCode = 1;
  }
}

/** The nub class the top kext's personality names (never published: matching finds no nub). */
class BenchChainNub extends IOService {}
OSMetaClass.define(BenchChainNub, "BenchChainNub");
