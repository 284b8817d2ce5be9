/**
 * Booting a virtual Mac: the sequence `iokit boot`, `npm start`, `iokit ioreg` and the benchmarks
 * share. Checks the machine description first (a bad one throws before anything exists), reads the
 * extensions folders into a KextSet, makes a kernel whose KextLoader is a {@link KextRuntime}
 * (kexts link against the kernel and the families compiled into it), sends every personality to the
 * catalogue as kextd does at boot, builds the machine's platform nubs, then runs the scheduler until
 * the registry is quiet. Kexts load on demand as matching asks for their classes.
 *
 * Time to quiescence is virtual time (the scheduler's clock) plus the wall time the boot took.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import * as base from "../base/index.ts";
import * as drivers from "../drivers/index.ts";
import { bootMachine, parseMachineDescription, defaultMachine, type MachineDescription, type VirtualMachine } from "../drivers/index.ts";
import * as kernelAPI from "../kernel/index.ts";
import { IOKernel } from "../kernel/index.ts";
import { KextRuntime, buildPersonalityCache } from "../kext/index.ts";
import * as libkern from "../libkern/index.ts";
import type { OSValue } from "../libkern/index.ts";
import { importKextModule, prefetchKextModules } from "./importKextModule.ts";
import { loadKextSet } from "./loadKextSet.ts";

/** What `defineClasses(kpi)` receives: base, libkern, the kernel and the in-kernel families. */
export const KERNEL_KPI: Readonly<Record<string, unknown>> = Object.freeze({ ...base, ...libkern, ...kernelAPI, ...drivers, IOService: kernelAPI.IOService });

export interface SystemBootOptions {
  /** A machine description (plist value or checked); default: the embedded VirtualMac1,1. */
  readonly machine?: OSValue | MachineDescription;
  /** Extensions folders (default: the bundled `extensions/`). */
  readonly extensions?: readonly string[];
  readonly realTime?: boolean;
  readonly seed?: number;
  /** Virtual milliseconds to wait for quiescence (default 30 000). */
  readonly quiesceTimeoutMs?: number;
}

export interface BootStats {
  readonly kextsAvailable: number;
  readonly kextsLoaded: number;
  readonly driversMatched: number;
  readonly services: number;
  readonly devices: number;
  readonly quiesceVirtualMs: number;
  readonly wallMs: number;
  readonly quiet: boolean;
}

export interface BootedSystem {
  readonly kernel: IOKernel;
  readonly runtime: KextRuntime;
  readonly machine: VirtualMachine;
  readonly stats: BootStats;
}

/** The `extensions/` folder next to this installation's package.json (where `npm run build` puts kexts). */
export function defaultExtensionsFolder(): string {
  let dir = dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "extensions");
    dir = dirname(dir);
  }
  return "extensions";
}

/**
 * Prepares a kernel for hardware: the power root domain, the boot kext collection (kexts required
 * at boot — `OSBundleRequired` — load now, libraries first, and never autounload, as a boot KC's
 * do; everything else loads when matching needs its classes), and `IOBSD`, which the BSD layer
 * publishes before the hardware is matched here so media get their BSD clients as they appear.
 */
export async function loadBootKexts(kernel: IOKernel, runtime: KextRuntime): Promise<void> {
  kernelAPI.IOPMrootDomain.forService(kernel.resources);
  for (const k of runtime.set.all()) {
    if (k.bundleRequired !== undefined && k.bundleID !== undefined && k.declaresExecutable) {
      await runtime.loadKextWithIdentifier(k.bundleID, { sendPersonalities: false, permanent: true });
    }
  }
  kernel.resources.publishResource("IOBSD");
}

/** Services whose class came from a kext (drivers that matched and started). */
export function countDrivers(kernel: IOKernel): number {
  return kernel.registry.findByClass("IOService", { conforms: true }).filter((e) => e.getProperty("IOProviderClass") !== undefined && e.getProperty("IOClass") !== undefined).length;
}

/**
 * Drives the kernel until `until` resolves. Kext executables load through real I/O (dynamic import),
 * outside the scheduler, so an idle scheduler is not the end: yield to the event loop and run again;
 * when nothing arrives, move virtual time on (the wait's own virtual timeout bounds the loop).
 */
export async function settle<T>(kernel: IOKernel, until: Promise<T>, ioPending: () => boolean = () => false): Promise<T> {
  let done = false;
  let value: T | undefined;
  void until.then((v) => { done = true; value = v; });
  while (!done) {
    if (kernel.scheduler.realTime) { await new Promise((r) => setTimeout(r, 1)); continue; }
    await kernel.scheduler.runUntilIdle();
    for (let i = 0; i < 50 && !done; i++) {
      await new Promise((r) => setImmediate(r));
      await kernel.scheduler.runUntilIdle();
    }
    if (done) break;
    if (ioPending()) await new Promise((r) => setTimeout(r, 1));
    else await kernel.scheduler.advance(10);
  }
  return value as T;
}

/** Runs the kernel until nothing is due and no kext load is in flight (virtual time does not move). */
export async function settleIdle(kernel: IOKernel, ioPending: () => boolean): Promise<void> {
  for (;;) {
    for (let i = 0; i < 20; i++) {
      await kernel.scheduler.runUntilIdle();
      await new Promise((r) => setImmediate(r));
    }
    if (!ioPending()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Boots a machine to quiescence. @throws {drivers.MachineDescriptionError} on a bad description. */
export async function bootSystem(options: SystemBootOptions = {}): Promise<BootedSystem> {
  const t0 = performance.now();
  const raw = options.machine ?? defaultMachine();
  const description = raw instanceof Map ? parseMachineDescription(raw) : (raw as MachineDescription);
  const folders = options.extensions ?? [defaultExtensionsFolder()];
  const { set } = await loadKextSet({ repositories: folders, systemExtensions: false }, { inspectExecutables: false });
  await prefetchKextModules(set.all());
  const runtime = new KextRuntime(set, importKextModule, { kpi: KERNEL_KPI });
  const kernel = new IOKernel({ kextLoader: runtime, platformName: description.model, realTime: options.realTime ?? false, seed: options.seed ?? 1 });
  runtime.attachKernel(kernel);
  await loadBootKexts(kernel, runtime);
  kernel.addDrivers(buildPersonalityCache(set.all()), false);
  kernel.catalogueSendData(7);
  const machine = bootMachine(kernel, description);
  const start = kernel.scheduler.now();
  const loading = () => runtime.loadsInFlight > 0;
  const r = await settle(kernel, kernel.waitQuiet(kernel.platform, options.quiesceTimeoutMs ?? 30_000), loading);
  kernel.catalogueSendData(8);
  const quiesceVirtualMs = (kernel.scheduler.now() - start) / 1e6;
  kernel.refreshDiagnostics();
  const loaded = runtime.loadedKexts().filter((k) => k.tag !== 0 && !k.isKernelComponent).length;
  return {
    kernel, runtime, machine,
    stats: {
      kextsAvailable: set.all().length, kextsLoaded: loaded, driversMatched: countDrivers(kernel), services: kernel.registry.entryCount,
      devices: drivers.countDevices(description), quiesceVirtualMs, wallMs: performance.now() - t0, quiet: r === 0,
    },
  };
}
