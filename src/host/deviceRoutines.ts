/**
 * The hot-plug routines a host with virtual hardware adds to the kernel server: plug a USB device
 * (a device node as in docs/machine.md, checked like a machine description) into a root port of
 * the machine's xHCI controller, unplug one, list the ports. Plugging raises the controller's
 * port-change interrupt, exactly as a cable would: the controller driver enumerates the device,
 * matching attaches drivers (loading kexts on demand); unplugging terminates the device's stack.
 * Each routine answers once the service plane is quiet again, with the services that appeared or
 * went away, so a client sees the result of its plug.
 *
 * Trust: attach and detach are privileged (the `.priv` socket, uid 0), like `kextload`: plugging
 * hardware changes what drivers run for every user; listing is open to all.
 *
 * Autounload is the kernel's business and runs on its own clock: a detach reports the kexts that
 * are idle now, which the scan `sConsiderUnloadDelay` (60 s) after the registry goes quiet unloads.
 */
import { IOReturnError, kIOReturnBadArgument, kIOReturnBusy, kIOReturnNoDevice, kIOReturnNotResponding, kIOReturnUnsupported } from "../base/index.ts";
import { MachineDescriptionError, parseUSBDeviceDescription, type USBDeviceDescription, type VirtualMachine, type XHCIController } from "../drivers/index.ts";
import { Routine, type WireValue } from "../ipc/index.ts";
import { IOService, type IOKernel, type IOKitServer, type IORegistryEntry, type RoutineArgs } from "../kernel/index.ts";
import { kConsiderUnloadDelaySeconds, type KextRuntime } from "../kext/index.ts";
import { isOSDictionary, OSNumber, type OSDictionary } from "../libkern/index.ts";

/** How long a plug or unplug may take to settle (matching, kext loads), in the kernel's ms. */
const SETTLE_MS = 30_000;
/** How long a controller may take to notice a port change (ns of the kernel's clock). */
const CHANGE_WAIT_NS = 2_000_000_000;
/** At most this many services are reported for one device. */
const MAX_REPORTED = 10_000;

/** Services in the IOService plane from `entry` down, depth first, with their depth (0: `entry`). */
function subtree(entry: IORegistryEntry): Array<[IORegistryEntry, number]> {
  const out: Array<[IORegistryEntry, number]> = [];
  const stack: Array<[IORegistryEntry, number]> = [[entry, 0]];
  while (stack.length > 0 && out.length < MAX_REPORTED) {
    const [e, d] = stack.pop() as [IORegistryEntry, number];
    out.push([e, d]);
    const kids = e.getChildEntries("IOService");
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i] as IORegistryEntry, d + 1]);
  }
  return out;
}

/** On the wire: `[depth, name, location, class, active]` per service. */
const servicesToWire = (list: Array<[IORegistryEntry, number]>): WireValue =>
  list.map(([e, d]): WireValue => [d, e.getName(), e.getLocation() ?? null, e.className, !(e instanceof IOService) || !e.isInactive()]);

/** The active IOUSBHostDevice on root port `port` (its `locationID` carries the port in bits 20–23). */
function deviceOnPort(kernel: IOKernel, port: number): IOService | undefined {
  for (const d of kernel.registry.findByClass("IOUSBHostDevice")) {
    const loc = d.getProperty("locationID");
    if (d instanceof IOService && loc instanceof OSNumber && Number((loc.value >> 20n) & 0xfn) === port && !d.isInactive()) return d;
  }
  return undefined;
}

function controller(machine: VirtualMachine): XHCIController {
  const hc = machine.usb;
  if (hc === undefined) throw new IOReturnError(kIOReturnUnsupported, "the machine has no USB controller");
  return hc;
}

function checkPort(hc: XHCIController, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port >= hc.ports.length) throw new IOReturnError(kIOReturnBadArgument, `no such port ${port} (1-${hc.ports.length - 1})`);
  return port;
}

/** The device node checked as a machine description's USB node; `port` (if any) overrides the node's. */
function describe(hc: XHCIController, node: OSDictionary, port: number | null): USBDeviceDescription {
  const copy = new Map(node);
  if (port !== null) copy.set("port", new OSNumber(BigInt(checkPort(hc, port)), 64));
  else if (!copy.has("port")) {
    const free = hc.ports.findIndex((d, p) => p > 0 && d === undefined);
    if (free < 0) throw new IOReturnError(kIOReturnBusy, "every USB port is taken");
    copy.set("port", new OSNumber(BigInt(free), 64));
  }
  try {
    return parseUSBDeviceDescription(copy, "usb");
  } catch (e) {
    if (e instanceof MachineDescriptionError) throw new IOReturnError(kIOReturnBadArgument, e.message);
    throw e;
  }
}

/**
 * Resolves true once the controller driver has taken the port change (the change bit is cleared in
 * its interrupt handler, which runs on the kernel's scheduler), false if it never does (no driver
 * listens to the controller): only then is the new or departing device's busy count in the tree,
 * so that waiting for quiet means something.
 */
function portChangeTaken(kernel: IOKernel, hc: XHCIController, port: number): Promise<boolean> {
  const scheduler = kernel.scheduler;
  const giveUp = scheduler.now() + CHANGE_WAIT_NS;
  return new Promise((resolve) => {
    let turns = 0;
    const check = (): void => {
      if (!hc.changedPorts().includes(port)) resolve(true);
      // Bounded both ways: virtual time does not move while tasks are due, real time does.
      else if (++turns > 10_000 || scheduler.now() > giveUp) resolve(false);
      else scheduler.post(check, "xHCI port change wait");
    };
    kernel.scheduler.post(check, "xHCI port change wait");
  });
}

/** Plugs a device; resolves once matching settled: `[port, product, services]`. */
export async function attachUSBDevice(kernel: IOKernel, machine: VirtualMachine, node: OSDictionary, port: number | null): Promise<WireValue> {
  const hc = controller(machine);
  const desc = describe(hc, node, port);
  if (hc.plug(desc) === undefined) throw new IOReturnError(kIOReturnBusy, `port ${desc.port} is already taken`);
  if (await portChangeTaken(kernel, hc, desc.port)) await kernel.platform.waitQuiet(SETTLE_MS);
  const dev = deviceOnPort(kernel, desc.port);
  if (dev === undefined) throw new IOReturnError(kIOReturnNotResponding, `port ${desc.port}: the device did not enumerate`);
  return [desc.port, desc.product ?? null, servicesToWire(subtree(dev))];
}

/** Unplugs the device on `port`; resolves once termination settled: `[port, product, services, idleKexts, delay]`. */
export async function detachUSBDevice(kernel: IOKernel, machine: VirtualMachine, runtime: KextRuntime | undefined, port: number): Promise<WireValue> {
  const hc = controller(machine);
  const plugged = hc.ports[checkPort(hc, port)];
  if (plugged === undefined) throw new IOReturnError(kIOReturnNoDevice, `nothing on port ${port}`);
  const dev = deviceOnPort(kernel, port);
  const gone = dev === undefined ? [] : subtree(dev);
  hc.unplug(port);
  if (await portChangeTaken(kernel, hc, port)) await kernel.platform.waitQuiet(SETTLE_MS);
  return [port, plugged.desc.product ?? null, servicesToWire(gone), runtime?.idleKexts() ?? [], kConsiderUnloadDelaySeconds];
}

/** The controller's root ports: `[portCount, [[port, product, idVendor, idProduct], …]]`. */
export function listUSBPorts(machine: VirtualMachine): WireValue {
  const hc = controller(machine);
  const out: WireValue[] = [];
  hc.ports.forEach((d, p) => {
    if (p > 0 && d !== undefined) out.push([p, d.desc.product ?? null, d.desc.idVendor, d.desc.idProduct]);
  });
  return [hc.ports.length - 1, out];
}

/** Adds the hot-plug routines for `machine` to `server` (attach and detach need a privileged task). */
export function addDeviceRoutines(server: IOKitServer, machine: VirtualMachine, runtime?: KextRuntime): void {
  const kernel = server.kernel;
  const node = (a: RoutineArgs): OSDictionary => {
    const v = a.values[0];
    return isOSDictionary(v) ? v : a.bad(0, "a USB device node (dictionary)");
  };
  server.addRoutine(Routine.deviceAttach, (_s, a) => attachUSBDevice(kernel, machine, node(a), a.optNumber(1)), { privileged: true });
  server.addRoutine(Routine.deviceDetach, (_s, a) => detachUSBDevice(kernel, machine, runtime, a.int(0)), { privileged: true });
  server.addRoutine(Routine.deviceList, () => listUSBPorts(machine));
}
