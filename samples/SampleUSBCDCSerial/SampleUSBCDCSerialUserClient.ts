/**
 * SampleUSBCDCSerialUserClient: line settings and modem state of the CDC port, for a utility that
 * should not have to open the tty. A classic `IOUserClient` with a bounds-checked dispatch table;
 * line-coding calls become CDC class requests to the device.
 *
 *   0 GetLineCoding  → 7-byte structure (GET_LINE_CODING: dwDTERate, bCharFormat, bParityType, bDataBits)
 *   1 SetBaudRate    1 scalar (300…4 000 000) → SET_LINE_CODING at that rate, 8N1
 *   2 GetState       → 4 scalars: SERIAL_STATE bits, notifications, bytes in, bytes out
 */
import type { IOExternalMethodArguments, IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { IOUserClient } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnNotAttached, kIOReturnNotResponding, kIOReturnSuccess, type IOReturn } from "../../src/base/index.ts";
import type { SampleUSBCDCSerial } from "./SampleUSBCDCSerial.ts";

const entry = (fn: (d: SampleUSBCDCSerial, a: IOExternalMethodArguments) => IOReturn, si: number, so: number, sto: number): IOExternalMethodDispatch => ({
  function: (target, _ref, args) => {
    const d = (target as SampleUSBCDCSerialUserClient).getProvider() as SampleUSBCDCSerial | undefined;
    return d?.control === undefined ? kIOReturnNotAttached : fn(d, args);
  },
  checkScalarInputCount: si, checkStructureInputSize: 0, checkScalarOutputCount: so, checkStructureOutputSize: sto,
});

const sMethods: readonly IOExternalMethodDispatch[] = [
  entry((d, a) => {
    const ifnum = d.control?.interfaceNumber ?? 0;
    const coding = d.control?.deviceRequestData({ bmRequestType: 0xa1, bRequest: 0x21, wValue: 0, wIndex: ifnum, wLength: 7 });
    if (coding === undefined || coding.length < 7) return kIOReturnNotResponding;
    a.structureOutput.set(coding.subarray(0, 7));
    return kIOReturnSuccess;
  }, 0, 0, 7),
  entry((d, a) => {
    const baud = a.scalarInput[0] ?? 0n;
    if (baud < 300n || baud > 4_000_000n) return kIOReturnBadArgument;
    const coding = new Uint8Array(7);
    new DataView(coding.buffer).setUint32(0, Number(baud), true);
    coding[6] = 8;
    return d.control?.deviceRequest({ bmRequestType: 0x21, bRequest: 0x20, wValue: 0, wIndex: d.control.interfaceNumber, wLength: 7 }, coding) ?? kIOReturnNotAttached;
  }, 1, 0, 0),
  entry((d, a) => {
    [d.serialState, d.notifications, d.stream?.bytesIn ?? 0, d.stream?.bytesOut ?? 0].forEach((x, i) => (a.scalarOutput[i] = BigInt(x)));
    return kIOReturnSuccess;
  }, 0, 4, 0),
];

export class SampleUSBCDCSerialUserClient extends IOUserClient {
  override externalMethod(selector: number, args: IOExternalMethodArguments): IOReturn | Promise<IOReturn> {
    if (selector >= sMethods.length) return kIOReturnBadArgument;
    return super.externalMethod(selector, args, sMethods[selector], this);
  }

  override clientClose(): IOReturn {
    this.terminate();
    return kIOReturnSuccess;
  }
}
