/**
 * SampleCharDeviceUserClient: the I/O Kit way into SampleCharDevice, beside `/dev/samplechar`. An
 * `IOUserClient2022` with a bounds-checked dispatch table (counts and sizes checked by the kernel
 * before a method runs); methods run under the driver's command gate, so they never race the
 * interrupt handler or a BSD call.
 *
 *   0 GetStats  → 4 scalars (bytes read, bytes written, interrupts, opens)
 *   1 SetMode   1 scalar (0 loopback, 1 upper-case)
 *   2 Inject    structure in (1…4096 bytes): input arriving at the device → 1 scalar (accepted)
 *   3 Peek      structure out (any size): what a read would return now, not consumed
 */
import type { IOExternalMethodArguments, IOExternalMethodDispatch2022, IOService as IOServiceType, UserTask } from "../../src/kernel/index.ts";
import { IOUserClient2022, kIOUCVariableStructureSize } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnNotAttached, kIOReturnSuccess, type IOReturn } from "../../src/base/index.ts";
import type { OSDictionary } from "../../src/libkern/index.ts";
import type { SampleCharDevice } from "./SampleCharDevice.ts";

const V = kIOUCVariableStructureSize;
type Method = (driver: SampleCharDevice, a: IOExternalMethodArguments) => IOReturn;

const METHODS: ReadonlyArray<readonly [Method, number, number, number, number]> = [
  [(d, a) => {
    const s = d.stats;
    [s.bytesRead, s.bytesWritten, s.interrupts, s.opens].forEach((x, i) => (a.scalarOutput[i] = BigInt(x)));
    return kIOReturnSuccess;
  }, 0, 0, 4, 0],
  [(d, a) => (d.setMode(Number(a.scalarInput[0])) ? kIOReturnSuccess : kIOReturnBadArgument), 1, 0, 0, 0],
  [(d, a) => {
    if (a.structureInputSize === 0 || a.structureInputSize > 4096 || d.hardware === undefined) return kIOReturnBadArgument;
    a.scalarOutput[0] = BigInt(d.hardware.receive(a.structureInput));
    return kIOReturnSuccess;
  }, 0, V, 1, 0],
  [(d, a) => {
    const n = Math.min(a.structureOutput.length, d.readQueue.length);
    a.structureOutput.set(d.readQueue.slice(0, n));
    a.structureOutputSize = n;
    return kIOReturnSuccess;
  }, 0, 0, 0, V],
];

export class SampleCharDeviceUserClient extends IOUserClient2022 {
  static readonly sMethods: readonly IOExternalMethodDispatch2022[] = METHODS.map(([fn, si, sti, so, sto]) => ({
    function: (target, _ref, args) => {
      const driver = (target as SampleCharDeviceUserClient).getProvider() as SampleCharDevice | undefined;
      if (driver?.gate === undefined) return kIOReturnNotAttached;
      return driver.gate.runAction(() => fn(driver, args));
    },
    checkScalarInputCount: si, checkStructureInputSize: sti, checkScalarOutputCount: so, checkStructureOutputSize: sto, allowAsync: false,
  }));

  override initWithTask(task: UserTask, securityID: unknown, type: number, properties?: OSDictionary): boolean {
    if (!super.initWithTask(task, securityID, type, properties)) return false;
    // What IOUserClient2022 requires: locking policy and who may open (anyone).
    this.setProperties([
      ["IOUserClientDefaultLocking", true], ["IOUserClientDefaultLockingSetProperties", true],
      ["IOUserClientDefaultLockingSingleThreadExternalMethod", false], ["IOUserClientEntitlements", false],
    ]);
    return true;
  }

  override start(provider: IOServiceType): boolean {
    return super.start(provider) && (provider as { gate?: unknown }).gate !== undefined;
  }

  override externalMethod(selector: number, args: IOExternalMethodArguments): IOReturn | Promise<IOReturn> {
    return this.dispatchExternalMethod(selector, args, SampleCharDeviceUserClient.sMethods, this);
  }

  override clientClose(): IOReturn {
    this.terminate();
    return kIOReturnSuccess;
  }
}
