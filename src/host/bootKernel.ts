/**
 * Boots a kernel the way the daemon and the embedded tools do: a real-time (or virtual) IOKernel
 * with a KextRuntime over the kexts of an extensions folder, every personality in the catalogue
 * (kexts load on demand when matching picks them, as at boot), a machine description applied to
 * the platform expert, and the kernel server that answers user tasks.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { IOKernel, IOKitServer, getPMRootDomain } from "../kernel/index.ts";
import { KextRuntime, KextSet, buildPersonalityCache } from "../kext/index.ts";
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../formats/index.ts";
import { isOSDictionary } from "../libkern/index.ts";
import { importKextModule } from "./importKextModule.ts";
import { loadKextSet } from "./loadKextSet.ts";
import { addKextRoutines } from "./kextRoutines.ts";

export interface BootOptions {
  /** Extensions folder; undefined: the project's bundled kexts if present, else none. */
  readonly extensions?: string | null;
  /** Machine description: a plist dictionary with `Model` and optional `Properties` for the platform expert. */
  readonly machine?: string;
  /** Follow the wall clock (default true: the daemon's mode). */
  readonly realTime?: boolean;
  readonly logCapacity?: number;
}

/** A booted kernel and its server. */
export interface BootedKernel {
  readonly kernel: IOKernel;
  readonly server: IOKitServer;
  readonly runtime: KextRuntime;
  /** Kexts found in the extensions folder. */
  readonly kextCount: number;
  readonly extensions: string | null;
}

/** The project's own `kexts/` folder (found upward from this module), if any. */
export function bundledKextsFolder(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const k = join(dir, "kexts");
    if (existsSync(join(dir, "package.json")) && existsSync(k)) return k;
    dir = dirname(dir);
  }
  return null;
}

/** Reads a machine description: `{Model: string, Properties: dict}`. */
function readMachine(path: string): { model?: string; properties?: Map<string, import("../libkern/index.ts").OSValue> } {
  const bytes = new Uint8Array(readFileSync(path));
  const v = isBinaryPlist(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(new TextDecoder().decode(bytes));
  if (!isOSDictionary(v)) throw new Error(`${path}: a machine description is a dictionary`);
  const model = v.get("Model");
  const props = v.get("Properties");
  return { ...(typeof model === "string" ? { model } : {}), ...(isOSDictionary(props) ? { properties: props } : {}) };
}

/** Boots a kernel. */
export async function bootKernel(options: BootOptions = {}): Promise<BootedKernel> {
  const extensions = options.extensions === undefined ? bundledKextsFolder() : options.extensions;
  const set = extensions ? (await loadKextSet({ repositories: [extensions], systemExtensions: false })).set : new KextSet();
  const runtime = new KextRuntime(set, importKextModule);
  const machine = options.machine ? readMachine(options.machine) : {};
  const kernel = new IOKernel({
    realTime: options.realTime ?? true, kextLoader: runtime,
    ...(machine.model !== undefined ? { platformName: machine.model } : {}),
    ...(options.logCapacity !== undefined ? { logCapacity: options.logCapacity } : {}),
  });
  runtime.attachKernel(kernel);
  if (machine.properties) kernel.platform.setProperties(machine.properties);
  // The minimal platform: platform expert, IOResources, IOUserResources, and the power root.
  getPMRootDomain(kernel.platform);
  const personalities = buildPersonalityCache(set.all());
  if (personalities.length > 0) kernel.addDrivers(personalities, true);
  const server = new IOKitServer(kernel);
  addKextRoutines(server, runtime);
  return { kernel, server, runtime, kextCount: set.all().length, extensions };
}
