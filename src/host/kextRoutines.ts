/**
 * The kext-management routines the daemon adds to the kernel server (`kext_request` in XNU): load
 * by path or identifier, unload (`-b`, classes `-c`, personalities-only `-p`), and the loaded list
 * kextstat prints. Load and unload need a privileged task.
 */
import { kIOReturnSuccess, stringFromReturn, type IOReturn } from "../base/index.ts";
import { IOService, type IOKitServer } from "../kernel/index.ts";
import { Routine, type WireValue } from "../ipc/index.ts";
import { type KextRuntime, type LoadedKext } from "../kext/index.ts";
import { dict } from "../libkern/index.ts";
import { loadKextSet } from "./loadKextSet.ts";

/** Services a kext's classes drive now: "Class (name)". */
function startedBy(rt: KextRuntime, bundleID: string): string[] {
  return rt.kernel.registry.findByProperty("CFBundleIdentifier", bundleID)
    .filter((e): e is IOService => e instanceof IOService && !e.isInactive() && e.getKmodName() === bundleID)
    .map((s) => `${s.className} on ${s.getProvider()?.getName() ?? "?"}`);
}

/** Loads kexts at `paths` (adding them to the runtime's set) and identifiers; waits for quiet. */
export async function loadKexts(rt: KextRuntime, paths: readonly string[], ids: readonly string[]): Promise<Array<{ id: string; ret: IOReturn; started: string[] }>> {
  const targets = [...ids];
  if (paths.length > 0) {
    const { named, set } = await loadKextSet({ kexts: paths, systemExtensions: false });
    for (const k of set.all()) if (k.bundleID !== undefined && rt.set.withIdentifier(k.bundleID).length === 0) rt.set.add(k);
    for (const k of named) if (k.bundleID !== undefined) targets.push(k.bundleID);
  }
  const out: Array<{ id: string; ret: IOReturn; started: string[] }> = [];
  for (const id of targets) out.push({ id, ret: await rt.loadKextWithIdentifier(id), started: [] });
  await rt.kernel.platform.waitQuiet(10_000);
  for (const r of out) r.started.push(...startedBy(rt, r.id));
  return out;
}

/** `kextunload -c CLASS`: terminate its instances and remove its personalities. */
function terminateClass(rt: KextRuntime, className: string): number {
  const victims = rt.kernel.registry.findByClass(className).filter((e): e is IOService => e instanceof IOService && !e.isInactive());
  for (const v of victims) v.terminate();
  rt.kernel.removeDrivers(dict({ IOClass: className }), false);
  return victims.length;
}

/** `kextunload -p -b ID`: terminate the kext's services and remove its personalities, keep the code. */
function terminateModule(rt: KextRuntime, bundleID: string): number {
  const victims = rt.kernel.registry.findByProperty("CFBundleIdentifier", bundleID)
    .filter((e): e is IOService => e instanceof IOService && !e.isInactive() && e.getKmodName() === bundleID);
  for (const v of victims) v.terminate();
  rt.kernel.removeDrivers(dict({ CFBundleIdentifier: bundleID }), false);
  return victims.length;
}

/** A loaded kext on the wire (what formatKextstat reads). */
export function loadedToWire(k: LoadedKext): WireValue {
  return [k.tag, k.bundleID, k.version, k.isKernelComponent, k.refs, [...k.dependencyTags], k.started, [...k.classes]];
}

/** Adds the kext routines to `server`. */
export function addKextRoutines(server: IOKitServer, rt: KextRuntime): void {
  server.addRoutine(Routine.kextLoad, async (_s, a) => {
    const r = await loadKexts(rt, a.strings(0), a.strings(1));
    return r.map((x): WireValue => [x.id, x.ret, x.started]);
  }, { privileged: true });
  server.addRoutine(Routine.kextUnload, async (_s, a) => {
    const ids = a.strings(0);
    const classes = a.strings(1);
    const personalitiesOnly = a.values[2] === true;
    const out: WireValue[] = [];
    for (const c of classes) out.push([c, kIOReturnSuccess, `${terminateClass(rt, c)} instances terminated`]);
    for (const id of ids) {
      if (personalitiesOnly) {
        out.push([id, kIOReturnSuccess, `${terminateModule(rt, id)} services terminated`]);
        continue;
      }
      const r = await rt.unloadKextWithIdentifier(id, true);
      out.push([id, r, r === kIOReturnSuccess ? "unloaded" : stringFromReturn(r)]);
    }
    await rt.kernel.platform.waitQuiet(10_000).catch(() => undefined);
    return out;
  }, { privileged: true });
  server.addRoutine(Routine.kextStat, () => rt.loadedKexts().map(loadedToWire));
}
