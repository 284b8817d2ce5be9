/**
 * The machine `iokit cycle sleep` and the `pm` benchmark cycle by default: a virtual Mac booted
 * exactly as `iokit boot --once` boots it ({@link bootSystem}: the machine description, the
 * extensions folders, kexts loaded on demand), on virtual time, as a {@link PowerMachine} — its
 * root domain and every service that joined the power tree (the families' nubs and controllers,
 * the sample drivers, any third-party kext that called `PMinit`).
 */
import { IOPMrootDomain, IOService, pmOf, type PowerMachine } from "../kernel/index.ts";
import { bootSystem, type BootedSystem, type SystemBootOptions } from "./bootSystem.ts";

/** A booted virtual Mac as a machine the power tools can cycle. */
export interface BootedPowerMachine extends PowerMachine {
  readonly system: BootedSystem;
}

/** The power-managed services of a kernel (root domain and its parent excluded), in registry order. */
export function powerManagedServices(system: BootedSystem): IOService[] {
  return system.kernel.registry.findByClass("IOService", { conforms: true })
    .filter((s): s is IOService => s instanceof IOService && !(s instanceof IOPMrootDomain) && pmOf(s) !== undefined && s.className !== "IORootParent");
}

/** Boots a machine (default: VirtualMac1,1 with the bundled extensions) on virtual time. */
export async function bootPowerMachine(options: Omit<SystemBootOptions, "realTime"> = {}): Promise<BootedPowerMachine> {
  const system = await bootSystem({ ...options, realTime: false });
  const rootDomain = IOPMrootDomain.forService(system.kernel.resources);
  return { system, kernel: system.kernel, rootDomain, devices: powerManagedServices(system) };
}
