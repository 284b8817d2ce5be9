/**
 * AppleSamplePCIUserClient, after the user client of Apple's AppleSamplePCI sample: a classic
 * `IOUserClient` whose `externalMethod` bounds-checks the selector and hands the kernel an
 * `IOExternalMethodDispatch` entry, so counts and sizes are checked before a method runs
 * (samples/common/SampleUserClient.ts).
 *
 *   0 ReadConfig    1 scalar (config-space offset, dword aligned, < 256) → 1 scalar (the dword)
 *   1 ReadRegister  1 scalar (BAR0 offset, dword aligned, < 0x28) → 1 scalar
 *   2 WriteScratch  1 scalar → the scratch register (0x04)
 *   3 GetInfo       → 16-byte structure: vendor/device ID (u32), interrupts (u32), BAR0 physical address (u64)
 *
 * Memory type 0 is the driver's DMA buffer (IOConnectMapMemory64), as the Apple sample shares one.
 */
import type { ClientMemory, IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnSuccess, kIOReturnUnsupported } from "../../src/base/index.ts";
import { SampleUserClient, sampleMethod } from "../common/SampleUserClient.ts";
import type { AppleSamplePCI } from "./AppleSamplePCI.ts";

/** A method reading the dword at a user-given offset (aligned, below `limit`) with `read`. */
const readDword = (limit: number, read: (d: AppleSamplePCI, offset: number) => number | undefined): IOExternalMethodDispatch =>
  sampleMethod<AppleSamplePCI>((d, a) => {
    const off = a.scalarInput[0] ?? 0n;
    const value = off < BigInt(limit) && (off & 3n) === 0n ? read(d, Number(off)) : undefined;
    if (value === undefined) return kIOReturnBadArgument;
    a.scalarOutput[0] = BigInt(value);
    return kIOReturnSuccess;
  }, { scalarIn: 1, scalarOut: 1 });

const sMethods: readonly IOExternalMethodDispatch[] = [
  readDword(256, (d, off) => d.pciDevice?.configRead32(off)),
  readDword(0x28, (d, off) => d.registers?.read32(off)),
  sampleMethod<AppleSamplePCI>((d, a) => {
    d.registers?.write32(0x04, Number(BigInt.asUintN(32, a.scalarInput[0] ?? 0n)));
    return kIOReturnSuccess;
  }, { scalarIn: 1 }),
  sampleMethod<AppleSamplePCI>((d, a) => {
    const v = new DataView(a.structureOutput.buffer, a.structureOutput.byteOffset, 16);
    v.setUint32(0, d.pciDevice?.configRead32(0) ?? 0, true);
    v.setUint32(4, d.interruptCount, true);
    v.setBigUint64(8, d.registers?.physicalAddress ?? 0n, true);
    return kIOReturnSuccess;
  }, { structOut: 16 }),
];

export class AppleSamplePCIUserClient extends SampleUserClient {
  override get methods(): readonly IOExternalMethodDispatch[] {
    return sMethods;
  }

  override clientMemoryForType(type: number): ClientMemory {
    const buffer = (this.getProvider() as AppleSamplePCI | undefined)?.dmaBuffer;
    if (type !== 0 || buffer === undefined) return { ret: kIOReturnUnsupported };
    return { ret: kIOReturnSuccess, memory: buffer.retain() };
  }
}
