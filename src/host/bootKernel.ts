/**
 * Boots a kernel the way the daemon and the embedded tools do: a real-time (or virtual) IOKernel
 * with a KextRuntime over the kexts of an extensions folder, every personality in the catalogue
 * (kexts load on demand when matching picks them, as at boot), a machine description applied to
 * the platform expert, and the kernel server that answers user tasks.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { IOKernel, IOKitServer, getPMRootDomain } from "../kernel/index.ts";
import { KextRuntime, KextSet, buildPersonalityCache } from "../kext/index.ts";
import { isOSDictionary } from "../libkern/index.ts";
import { bootMachine, defaultMachine, MachineDescriptionError, parseMachineDescription, type MachineDescription, type VirtualMachine } from "../drivers/index.ts";
import { KERNEL_KPI, loadBootKexts } from "./bootSystem.ts";
import { importKextModule, prefetchKextModules } from "./importKextModule.ts";
import { loadKextSet } from "./loadKextSet.ts";
import { addKextRoutines } from "./kextRoutines.ts";
import { addDeviceRoutines } from "./deviceRoutines.ts";
import { addPowerRoutines } from "./powerRoutines.ts";
import { readMachineFile } from "./readMachineFile.ts";

export interface BootOptions {
  /** Extensions folder; undefined: the project's bundled kexts if present, else none. */
  readonly extensions?: string | null;
  /** Machine description: a plist dictionary with `Model` and optional `Properties` for the platform expert. */
  readonly machine?: string;
  /** Follow the wall clock (default true: the daemon's mode). */
  readonly realTime?: boolean;
  readonly logCapacity?: number;
  /** Build the machine's hardware (default true: the described machine, else VirtualMac1,1). */
  readonly hardware?: boolean;
}

/** A booted kernel and its server. */
export interface BootedKernel {
  readonly kernel: IOKernel;
  readonly server: IOKitServer;
  readonly runtime: KextRuntime;
  /** Kexts found in the extensions folder. */
  readonly kextCount: number;
  readonly extensions: string | null;
  /** The virtual hardware, when a machine was built. */
  readonly machine: VirtualMachine | undefined;
}

/**
 * The project's bundled kexts (found upward from this module): `extensions/` — the families, the
 * KPI pseudo-kexts, the samples and the prebuilt kexts of `kexts/`, as `npm run build` makes it —
 * else the `kexts/` folder itself, if any.
 */
export function bundledKextsFolder(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "package.json"))) {
      for (const name of ["extensions", "kexts"]) if (existsSync(join(dir, name))) return join(dir, name);
    }
    dir = dirname(dir);
  }
  return null;
}

/**
 * Reads a machine description: a device-tree style description (docs/machine.md: `model`, `pci`, …),
 * checked whole before anything boots, or the short form `{Model, Properties}` for the platform
 * expert alone.
 */
function readMachine(path: string): { model?: string; properties?: Map<string, import("../libkern/index.ts").OSValue>; description?: MachineDescription } {
  const v = readMachineFile(path);
  if (!isOSDictionary(v)) throw new Error(`${path}: a machine description is a dictionary`);
  if (!v.has("Model")) {
    let description;
    try {
      description = parseMachineDescription(v);
    } catch (e) {
      if (!(e instanceof MachineDescriptionError)) throw e;
      throw new Error(`${path}: ${e.message}`);
    }
    return { model: description.model, description };
  }
  const model = v.get("Model");
  const props = v.get("Properties");
  return { ...(typeof model === "string" ? { model } : {}), ...(isOSDictionary(props) ? { properties: props } : {}) };
}

/** Boots a kernel. */
export async function bootKernel(options: BootOptions = {}): Promise<BootedKernel> {
  const extensions = options.extensions === undefined ? bundledKextsFolder() : options.extensions;
  const set = extensions ? (await loadKextSet({ repositories: [extensions], systemExtensions: false })).set : new KextSet();
  await prefetchKextModules(set.all());
  const runtime = new KextRuntime(set, importKextModule, { kpi: KERNEL_KPI });
  const machine = options.machine ? readMachine(options.machine) : (options.hardware ?? true) ? { description: parseMachineDescription(defaultMachine()) } : {};
  const model = machine.model ?? machine.description?.model;
  const kernel = new IOKernel({
    realTime: options.realTime ?? true, kextLoader: runtime,
    ...(model !== undefined ? { platformName: model } : {}),
    ...(options.logCapacity !== undefined ? { logCapacity: options.logCapacity } : {}),
  });
  runtime.attachKernel(kernel);
  if (machine.properties) kernel.platform.setProperties(machine.properties);
  // The minimal platform: platform expert, IOResources, IOUserResources, and the power root.
  getPMRootDomain(kernel.platform);
  let vm: VirtualMachine | undefined;
  if (machine.description) {
    // The boot kext collection, the BSD layer's resource, then the machine's hardware.
    await loadBootKexts(kernel, runtime);
    vm = bootMachine(kernel, machine.description);
  }
  const personalities = buildPersonalityCache(set.all());
  if (personalities.length > 0) kernel.addDrivers(personalities, true);
  // The kext daemon is this process: deferred personalities may match now, and autounload (which
  // waits for an active kextd) runs 60 s after the registry goes quiet.
  kernel.catalogueSendData(8);
  const server = new IOKitServer(kernel);
  addKextRoutines(server, runtime);
  if (vm !== undefined) addDeviceRoutines(server, vm, runtime);
  addPowerRoutines(server, kernel);
  return { kernel, server, runtime, kextCount: set.all().length, extensions, machine: vm };
}
