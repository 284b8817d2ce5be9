/**
 * SampleVirtualVolumeUserClient: a RAID utility's view of the volume. A classic `IOUserClient` with
 * a bounds-checked dispatch table (samples/common/SampleUserClient.ts).
 *
 *   0 GetGeometry  → 3 scalars: block size, block count, members
 *   1 ReadBlock    1 scalar (block number) → 512-byte structure (through the stripe map)
 *   2 GetStats     → 2 scalars: completion interrupts, whether the members are online
 */
import type { IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnIOError, kIOReturnSuccess } from "../../src/base/index.ts";
import { SampleUserClient, sampleMethod } from "../common/SampleUserClient.ts";
import type { SampleVirtualVolume } from "./SampleVirtualVolume.ts";

const online = (d: SampleVirtualVolume): boolean => d.volume !== undefined;

const sMethods: readonly IOExternalMethodDispatch[] = [
  sampleMethod<SampleVirtualVolume>(({ volume: v }, a) => {
    [v?.blockSize ?? 0, v?.blockCount ?? 0, v?.members.length ?? 0].forEach((x, i) => (a.scalarOutput[i] = BigInt(x)));
    return kIOReturnSuccess;
  }, { scalarOut: 3 }, online),
  sampleMethod<SampleVirtualVolume>(({ volume: v }, a) => {
    const lba = a.scalarInput[0] ?? 0n;
    if (v === undefined || lba >= BigInt(v.blockCount)) return kIOReturnBadArgument;
    const block = v.readBlocks(Number(lba), 1);
    if (block === undefined) return kIOReturnIOError;
    a.structureOutput.set(block.subarray(0, 512));
    return kIOReturnSuccess;
  }, { scalarIn: 1, structOut: 512 }, online),
  sampleMethod<SampleVirtualVolume>(({ volume: v }, a) => {
    a.scalarOutput[0] = BigInt(v?.completions ?? 0);
    a.scalarOutput[1] = v?.online ? 1n : 0n;
    return kIOReturnSuccess;
  }, { scalarOut: 2 }, online),
];

export class SampleVirtualVolumeUserClient extends SampleUserClient {
  override get methods(): readonly IOExternalMethodDispatch[] {
    return sMethods;
  }
}
