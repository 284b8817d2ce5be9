/**
 * Test fixtures: a kernel with the root domain and drivers that record every setPowerState call
 * (`calls`), with a configurable answer. Used by the power tests only.
 */
import { OSMetaClass } from "../object/index.ts";
import { IOKernel, IOService } from "../service/index.ts";
import type { IOPMPowerState } from "./IOPMPowerState.ts";
import { IOPMrootDomain } from "./IOPMrootDomain.ts";
import "./IOServicePMMethods.ts";
import { IOPMAckImplied, kIOPMDeviceUsable, kIOPMPowerOn } from "./pmConstants.ts";

export const TWO_STATES: readonly IOPMPowerState[] = [
  { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
  { version: 1, capabilityFlags: kIOPMDeviceUsable | kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: kIOPMPowerOn },
];

/** One recorded call. */
export interface PowerCall {
  readonly device: string;
  readonly state: number;
  readonly timeNs: number;
}

/** A driver that records its setPowerState calls and answers with `answer(state)`. */
export class RecordingDriver extends IOService {
  static calls: PowerCall[] = [];
  answer: (state: number, self: RecordingDriver) => unknown = () => IOPMAckImplied;
  states: readonly IOPMPowerState[] = TWO_STATES;

  override setPowerState(state: number, _device: IOService): number {
    RecordingDriver.calls.push({ device: this.getName(), state, timeNs: this.getWorkLoop().scheduler.now() });
    return this.answer(state, this) as number;
  }
}
OSMetaClass.define(RecordingDriver, "RecordingDriver", { kmodName: "com.example.recording" });

/** A fresh kernel with its root domain installed and settled. */
export async function pmKernel(): Promise<{ kernel: IOKernel; root: IOPMrootDomain }> {
  const kernel = new IOKernel();
  const root = IOPMrootDomain.forService(kernel.resources);
  await kernel.scheduler.runAll();
  return { kernel, root };
}

/** Attaches a RecordingDriver named `name` under `provider` and brings it into the power tree. */
export function addDevice(kernel: IOKernel, provider: IOService, name: string, setup?: (d: RecordingDriver) => void): RecordingDriver {
  const d = new RecordingDriver(kernel.registry, { name });
  d.init();
  d.setProperty("CFBundleIdentifier", "com.example.recording");
  setup?.(d);
  d.attach(provider);
  d.PMinit();
  provider.joinPMtree(d);
  d.registerPowerDriver(d, d.states);
  d.makeUsable();
  d.release();
  return d;
}
