/**
 * AppleSamplePCIUserClient, after the user client of Apple's AppleSamplePCI sample: a classic
 * `IOUserClient` whose `externalMethod` bounds-checks the selector and hands the kernel an
 * `IOExternalMethodDispatch` entry, so counts and sizes are checked before a method runs.
 *
 *   0 ReadConfig    1 scalar (config-space offset, dword aligned, < 256) → 1 scalar (the dword)
 *   1 ReadRegister  1 scalar (BAR0 offset, dword aligned, < 0x28) → 1 scalar
 *   2 WriteScratch  1 scalar → the scratch register (0x04)
 *   3 GetInfo       → 16-byte structure: vendor/device ID (u32), interrupts (u32), BAR0 physical address (u64)
 *
 * Memory type 0 is the driver's DMA buffer (IOConnectMapMemory64), as the Apple sample shares one.
 */
import type { ClientMemory, IOExternalMethodArguments, IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { IOUserClient } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnNotAttached, kIOReturnSuccess, kIOReturnUnsupported, type IOReturn } from "../../src/base/index.ts";
import type { AppleSamplePCI } from "./AppleSamplePCI.ts";

const dword = (v: bigint, limit: number): number | undefined => (v < BigInt(limit) && (v & 3n) === 0n ? Number(v) : undefined);
const entry = (fn: (d: AppleSamplePCI, a: IOExternalMethodArguments) => IOReturn, si: number, so: number, sto = 0): IOExternalMethodDispatch => ({
  function: (target, _ref, args) => {
    const d = (target as AppleSamplePCIUserClient).driver;
    return d === undefined ? kIOReturnNotAttached : fn(d, args);
  },
  checkScalarInputCount: si, checkStructureInputSize: 0, checkScalarOutputCount: so, checkStructureOutputSize: sto,
});

const sMethods: readonly IOExternalMethodDispatch[] = [
  entry((d, a) => {
    const off = dword(a.scalarInput[0] ?? 0n, 256);
    if (off === undefined) return kIOReturnBadArgument;
    a.scalarOutput[0] = BigInt(d.pciDevice?.configRead32(off) ?? 0);
    return kIOReturnSuccess;
  }, 1, 1),
  entry((d, a) => {
    const off = dword(a.scalarInput[0] ?? 0n, 0x28);
    if (off === undefined || d.registers === undefined) return kIOReturnBadArgument;
    a.scalarOutput[0] = BigInt(d.registers.read32(off));
    return kIOReturnSuccess;
  }, 1, 1),
  entry((d, a) => {
    d.registers?.write32(0x04, Number(BigInt.asUintN(32, a.scalarInput[0] ?? 0n)));
    return kIOReturnSuccess;
  }, 1, 0),
  entry((d, a) => {
    const v = new DataView(a.structureOutput.buffer, a.structureOutput.byteOffset, 16);
    v.setUint32(0, d.pciDevice?.configRead32(0) ?? 0, true);
    v.setUint32(4, d.interruptCount, true);
    v.setBigUint64(8, d.registers?.physicalAddress ?? 0n, true);
    return kIOReturnSuccess;
  }, 0, 0, 16),
];

export class AppleSamplePCIUserClient extends IOUserClient {
  get driver(): AppleSamplePCI | undefined {
    return this.getProvider() as AppleSamplePCI | undefined;
  }

  override externalMethod(selector: number, args: IOExternalMethodArguments): IOReturn | Promise<IOReturn> {
    if (selector >= sMethods.length) return kIOReturnBadArgument;
    return super.externalMethod(selector, args, sMethods[selector], this);
  }

  override clientMemoryForType(type: number): ClientMemory {
    const buffer = this.driver?.dmaBuffer;
    if (type !== 0 || buffer === undefined) return { ret: kIOReturnUnsupported };
    return { ret: kIOReturnSuccess, memory: buffer.retain() };
  }

  override clientClose(): IOReturn {
    this.terminate();
    return kIOReturnSuccess;
  }
}
