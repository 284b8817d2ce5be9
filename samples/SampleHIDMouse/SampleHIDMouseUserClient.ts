/**
 * SampleHIDMouseUserClient: what a pointer utility asks the mouse driver. A classic `IOUserClient`
 * with a bounds-checked dispatch table; methods run under the driver's command gate, so a report
 * being decoded on the work loop is never seen half-applied.
 *
 *   0 GetPointer    → 3 scalars: X, Y (signed, as 64-bit two's complement), clicks
 *   1 LastReport    → structure (variable): the last input report as the device sent it
 *   2 ResetPointer  → X and Y back to 0
 */
import type { IOExternalMethodArguments, IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { IOUserClient } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnNotAttached, kIOReturnSuccess, type IOReturn } from "../../src/base/index.ts";
import type { SampleHIDMouse } from "./SampleHIDMouse.ts";

const V = 0xffffffff; // kIOUCVariableStructureSize
const entry = (fn: (d: SampleHIDMouse, a: IOExternalMethodArguments) => void, so: number, sto: number): IOExternalMethodDispatch => ({
  function: (target, _ref, args) => {
    const d = (target as SampleHIDMouseUserClient).getProvider() as SampleHIDMouse | undefined;
    return d?.gate === undefined ? kIOReturnNotAttached : d.gate.runAction(() => (fn(d, args), kIOReturnSuccess));
  },
  checkScalarInputCount: 0, checkStructureInputSize: 0, checkScalarOutputCount: so, checkStructureOutputSize: sto,
});

const sMethods: readonly IOExternalMethodDispatch[] = [
  entry((d, a) => {
    a.scalarOutput[0] = BigInt.asUintN(64, BigInt(d.pointer.x));
    a.scalarOutput[1] = BigInt.asUintN(64, BigInt(d.pointer.y));
    a.scalarOutput[2] = BigInt(d.pointer.clicks);
  }, 3, 0),
  entry((d, a) => {
    const n = Math.min(a.structureOutput.length, d.lastReport.length);
    a.structureOutput.set(d.lastReport.subarray(0, n));
    a.structureOutputSize = n;
  }, 0, V),
  entry((d) => d.resetPointer(), 0, 0),
];

export class SampleHIDMouseUserClient extends IOUserClient {
  override externalMethod(selector: number, args: IOExternalMethodArguments): IOReturn | Promise<IOReturn> {
    if (selector >= sMethods.length) return kIOReturnBadArgument;
    return super.externalMethod(selector, args, sMethods[selector], this);
  }

  override clientClose(): IOReturn {
    this.terminate();
    return kIOReturnSuccess;
  }
}
