/**
 * SampleHIDMouseUserClient: what a pointer utility asks the mouse driver. A classic `IOUserClient`
 * with a bounds-checked dispatch table (samples/common/SampleUserClient.ts); methods run under the
 * driver's command gate, so a report being decoded on the work loop is never seen half-applied.
 *
 *   0 GetPointer    → 3 scalars: X, Y (signed, as 64-bit two's complement), clicks
 *   1 LastReport    → structure (variable): the last input report as the device sent it
 *   2 ResetPointer  → X and Y back to 0
 */
import type { IOExternalMethodArguments, IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { kIOUCVariableStructureSize } from "../../src/kernel/index.ts";
import { kIOReturnSuccess } from "../../src/base/index.ts";
import { SampleUserClient, sampleMethod, type MethodShape } from "../common/SampleUserClient.ts";
import type { SampleHIDMouse } from "./SampleHIDMouse.ts";

const gated = (fn: (d: SampleHIDMouse, a: IOExternalMethodArguments) => void, shape: MethodShape): IOExternalMethodDispatch =>
  sampleMethod<SampleHIDMouse>((d, a) => d.gate!.runAction(() => (fn(d, a), kIOReturnSuccess)), shape, (d) => d.gate !== undefined);

const sMethods: readonly IOExternalMethodDispatch[] = [
  gated((d, a) => {
    a.scalarOutput[0] = BigInt.asUintN(64, BigInt(d.pointer.x));
    a.scalarOutput[1] = BigInt.asUintN(64, BigInt(d.pointer.y));
    a.scalarOutput[2] = BigInt(d.pointer.clicks);
  }, { scalarOut: 3 }),
  gated((d, a) => {
    const n = Math.min(a.structureOutput.length, d.lastReport.length);
    a.structureOutput.set(d.lastReport.subarray(0, n));
    a.structureOutputSize = n;
  }, { structOut: kIOUCVariableStructureSize }),
  gated((d) => d.resetPointer(), {}),
];

export class SampleHIDMouseUserClient extends SampleUserClient {
  override get methods(): readonly IOExternalMethodDispatch[] {
    return sMethods;
  }
}
