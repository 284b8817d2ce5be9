/**
 * A generated machine for power-management work: a kernel with a seeded random tree of devices
 * that have power states, until the default virtual Mac exists. `iokit cycle sleep` and the `pm`
 * benchmark run on it; anything that yields a {@link PowerMachine} (the default Mac, later) can
 * replace it — that interface is the seam.
 *
 * Shape. Device i (1…n) picks its provider among the platform and devices 1…i−1 with a seeded
 * xorshift32 PRNG (a new top-level device with probability 1/8, otherwise a uniformly chosen
 * earlier device whose depth is below `maxDepth`). Devices with children are `SimPowerBridge`s
 * (off / low power / on); leaves are `SimPowerDevice` (off / on, acknowledging at once) or,
 * one in four, `SimPowerAsyncDevice` (returns 50 ms and acknowledges after `ackDelayMs` of
 * virtual time). Every device joins the power tree under its provider in `start`, registers its
 * states and calls `makeUsable()`.
 *
 * Faults (for tests and demos) turn chosen leaves into misbehaving drivers of a third-party bundle:
 * one never acknowledges, one throws in setPowerState, one acknowledges twice, one returns
 * nonsense.
 */
import { OSMetaClass } from "../object/index.ts";
import type { IOKernel } from "../service/index.ts";
import { IOKernel as Kernel, IOService } from "../service/index.ts";
import type { IOPMPowerState } from "./IOPMPowerState.ts";
import { IOPMrootDomain } from "./IOPMrootDomain.ts";
import "./IOServicePMMethods.ts";
import { IOPMAckImplied, kIOPMDeviceUsable, kIOPMLowPower, kIOPMPowerOn } from "./pmConstants.ts";

/** A machine the PM tools can cycle. */
export interface PowerMachine {
  readonly kernel: IOKernel;
  readonly rootDomain: IOPMrootDomain;
  /** The power-managed devices, in creation order. */
  readonly devices: readonly IOService[];
}

/** Parameters of {@link generatePowerMachine}. */
export interface PowerMachineOptions {
  readonly devices?: number;
  readonly seed?: number;
  readonly maxDepth?: number;
  /** Virtual ms an asynchronous device takes to acknowledge (default 2). */
  readonly ackDelayMs?: number;
  readonly faults?: { readonly neverAck?: number; readonly throws?: number; readonly doubleAck?: number; readonly nonsense?: number };
}

const OFF_ON: readonly IOPMPowerState[] = [
  { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
  { version: 1, capabilityFlags: kIOPMDeviceUsable | kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: kIOPMPowerOn },
];
const BRIDGE: readonly IOPMPowerState[] = [
  OFF_ON[0]!,
  { version: 1, capabilityFlags: kIOPMLowPower, outputPowerCharacter: kIOPMLowPower, inputPowerRequirement: kIOPMPowerOn },
  OFF_ON[1]!,
];

/** Base of the generated devices: joins the tree under its provider and asks to be usable. */
export class SimPowerDevice extends IOService {
  /** Set by the generator: a fault to act out. */
  fault: "neverAck" | "throws" | "doubleAck" | "nonsense" | undefined;
  ackDelayMs = 2;

  protected powerStates(): readonly IOPMPowerState[] {
    return OFF_ON;
  }

  override start(provider: IOService): boolean {
    this.PMinit();
    provider.joinPMtree(this);
    this.registerPowerDriver(this, this.powerStates());
    this.makeUsable();
    return true;
  }

  override stop(_provider: IOService): void {
    this.PMstop();
  }

  override setPowerState(_ordinal: number, _device: IOService): number {
    switch (this.fault) {
      case "neverAck":
        return 50_000;
      case "throws":
        throw new Error("simulated driver bug");
      case "doubleAck":
        this.acknowledgeSetPowerState();
        this.acknowledgeSetPowerState();
        return IOPMAckImplied;
      case "nonsense":
        return "ok" as unknown as number;
      default:
        return IOPMAckImplied;
    }
  }
}
OSMetaClass.define(SimPowerDevice, "SimPowerDevice", { kmodName: "com.iokit-ts.sim" });

/** A bridge: off, low power, on. */
export class SimPowerBridge extends SimPowerDevice {
  protected override powerStates(): readonly IOPMPowerState[] {
    return BRIDGE;
  }
}
OSMetaClass.define(SimPowerBridge, "SimPowerBridge", { kmodName: "com.iokit-ts.sim" });

/** A device that acknowledges asynchronously after `ackDelayMs` of virtual time. */
export class SimPowerAsyncDevice extends SimPowerDevice {
  override setPowerState(ordinal: number, device: IOService): number {
    if (this.fault) return super.setPowerState(ordinal, device);
    this.getWorkLoop().scheduler.postAfter(this.ackDelayMs * 1_000_000, () => this.acknowledgeSetPowerState(), "SimPowerAsyncDevice ack");
    return 50_000;
  }
}
OSMetaClass.define(SimPowerAsyncDevice, "SimPowerAsyncDevice", { kmodName: "com.iokit-ts.sim" });

/** xorshift32 from a seed. */
function prng(seed: number): () => number {
  let x = (seed | 0) === 0 ? 0x9e3779b9 : seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

/** The provider index (0 = the platform) of each device 1…n: the generated tree's shape. */
export function generateTreeShape(devices: number, seed: number, maxDepth = 6): number[] {
  const rand = prng(seed);
  const parent = [-1];
  const depth = [0];
  for (let i = 1; i <= devices; i++) {
    let p = 0;
    if (i > 1 && rand() >= 0.125) {
      p = 1 + Math.floor(rand() * (i - 1));
      while (p !== 0 && depth[p]! >= maxDepth) p = parent[p]!;
    }
    parent.push(p);
    depth.push(depth[p]! + 1);
  }
  return parent;
}

/** Builds a kernel with a generated power tree and runs it until every device is usable. */
export async function generatePowerMachine(options: PowerMachineOptions = {}): Promise<PowerMachine> {
  const n = Math.max(1, Math.trunc(options.devices ?? 200));
  const seed = options.seed ?? 1;
  const kernel = new Kernel({ seed });
  const rootDomain = IOPMrootDomain.forService(kernel.resources);
  await kernel.scheduler.runAll();
  const shape = generateTreeShape(n, seed, options.maxDepth ?? 6);
  const hasChildren = new Set(shape.slice(1));
  const rand = prng(seed ^ 0x5bd1e995);
  const devices: SimPowerDevice[] = [];
  const providers: IOService[] = [kernel.platform];
  const leaves: SimPowerDevice[] = [];
  for (let i = 1; i <= n; i++) {
    const Cls = hasChildren.has(i) ? SimPowerBridge : rand() < 0.25 ? SimPowerAsyncDevice : SimPowerDevice;
    const d = new Cls(kernel.registry, { name: `${Cls.name.replace(/^SimPower/, "sim-")}@${i}`.toLowerCase() });
    d.ackDelayMs = options.ackDelayMs ?? 2;
    d.init();
    d.setProperty("CFBundleIdentifier", "com.iokit-ts.sim");
    devices.push(d);
    providers.push(d);
    if (!hasChildren.has(i)) leaves.push(d);
  }
  const faults = options.faults ?? {};
  const kinds: ["neverAck" | "throws" | "doubleAck" | "nonsense", number][] = [
    ["neverAck", faults.neverAck ?? 0], ["throws", faults.throws ?? 0], ["doubleAck", faults.doubleAck ?? 0], ["nonsense", faults.nonsense ?? 0],
  ];
  let li = 0;
  for (const [kind, count] of kinds) {
    for (let k = 0; k < count && li < leaves.length; k++) {
      const d = leaves[leaves.length - 1 - li++]!;
      d.fault = kind;
      d.setProperty("CFBundleIdentifier", "com.example.faulty");
    }
  }
  for (let i = 1; i <= n; i++) {
    const d = devices[i - 1]!;
    const p = providers[shape[i]!]!;
    d.attach(p);
    d.start(p);
    d.registerService();
    d.release();
  }
  await kernel.scheduler.runAll();
  return { kernel, rootDomain, devices };
}
