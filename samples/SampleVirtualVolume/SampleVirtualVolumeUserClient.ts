/**
 * SampleVirtualVolumeUserClient: a RAID utility's view of the volume. A classic `IOUserClient` with
 * a bounds-checked dispatch table.
 *
 *   0 GetGeometry  → 3 scalars: block size, block count, members
 *   1 ReadBlock    1 scalar (block number) → 512-byte structure (through the stripe map)
 *   2 GetStats     → 2 scalars: completion interrupts, whether the members are online
 */
import type { IOExternalMethodArguments, IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { IOUserClient } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnIOError, kIOReturnNotAttached, kIOReturnSuccess, type IOReturn } from "../../src/base/index.ts";
import type { SampleVirtualVolume, SampleVirtualVolumeDevice } from "./SampleVirtualVolume.ts";

const entry = (fn: (v: SampleVirtualVolumeDevice, a: IOExternalMethodArguments) => IOReturn, si: number, so: number, sto: number): IOExternalMethodDispatch => ({
  function: (target, _ref, args) => {
    const v = ((target as SampleVirtualVolumeUserClient).getProvider() as SampleVirtualVolume | undefined)?.volume;
    return v === undefined ? kIOReturnNotAttached : fn(v, args);
  },
  checkScalarInputCount: si, checkStructureInputSize: 0, checkScalarOutputCount: so, checkStructureOutputSize: sto,
});

const sMethods: readonly IOExternalMethodDispatch[] = [
  entry((v, a) => {
    [v.blockSize, v.blockCount, v.members.length].forEach((x, i) => (a.scalarOutput[i] = BigInt(x)));
    return kIOReturnSuccess;
  }, 0, 3, 0),
  entry((v, a) => {
    const lba = a.scalarInput[0] ?? 0n;
    if (lba >= BigInt(v.blockCount)) return kIOReturnBadArgument;
    const block = v.readBlocks(Number(lba), 1);
    if (block === undefined) return kIOReturnIOError;
    a.structureOutput.set(block.subarray(0, 512));
    return kIOReturnSuccess;
  }, 1, 0, 512),
  entry((v, a) => {
    a.scalarOutput[0] = BigInt(v.completions);
    a.scalarOutput[1] = v.online ? 1n : 0n;
    return kIOReturnSuccess;
  }, 0, 2, 0),
];

export class SampleVirtualVolumeUserClient extends IOUserClient {
  override externalMethod(selector: number, args: IOExternalMethodArguments): IOReturn | Promise<IOReturn> {
    if (selector >= sMethods.length) return kIOReturnBadArgument;
    return super.externalMethod(selector, args, sMethods[selector], this);
  }

  override clientClose(): IOReturn {
    this.terminate();
    return kIOReturnSuccess;
  }
}
