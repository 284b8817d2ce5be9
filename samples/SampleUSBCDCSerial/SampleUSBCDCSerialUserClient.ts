/**
 * SampleUSBCDCSerialUserClient: line settings and modem state of the CDC port, for a utility that
 * should not have to open the tty. A classic `IOUserClient` with a bounds-checked dispatch table
 * (samples/common/SampleUserClient.ts); line-coding calls become CDC class requests to the device.
 *
 *   0 GetLineCoding  → 7-byte structure (GET_LINE_CODING: dwDTERate, bCharFormat, bParityType, bDataBits)
 *   1 SetBaudRate    1 scalar (300…4 000 000) → SET_LINE_CODING at that rate, 8N1
 *   2 GetState       → 4 scalars: SERIAL_STATE bits, notifications, bytes in, bytes out
 */
import type { IOExternalMethodDispatch } from "../../src/kernel/index.ts";
import { kIOReturnBadArgument, kIOReturnNotAttached, kIOReturnNotResponding, kIOReturnSuccess } from "../../src/base/index.ts";
import { SampleUserClient, sampleMethod } from "../common/SampleUserClient.ts";
import type { SampleUSBCDCSerial } from "./SampleUSBCDCSerial.ts";

const attached = (d: SampleUSBCDCSerial): boolean => d.control !== undefined;

const sMethods: readonly IOExternalMethodDispatch[] = [
  sampleMethod<SampleUSBCDCSerial>((d, a) => {
    const ifnum = d.control?.interfaceNumber ?? 0;
    const coding = d.control?.deviceRequestData({ bmRequestType: 0xa1, bRequest: 0x21, wValue: 0, wIndex: ifnum, wLength: 7 });
    if (coding === undefined || coding.length < 7) return kIOReturnNotResponding;
    a.structureOutput.set(coding.subarray(0, 7));
    return kIOReturnSuccess;
  }, { structOut: 7 }, attached),
  sampleMethod<SampleUSBCDCSerial>((d, a) => {
    const baud = a.scalarInput[0] ?? 0n;
    if (baud < 300n || baud > 4_000_000n) return kIOReturnBadArgument;
    const coding = new Uint8Array(7);
    new DataView(coding.buffer).setUint32(0, Number(baud), true);
    coding[6] = 8;
    return d.control?.deviceRequest({ bmRequestType: 0x21, bRequest: 0x20, wValue: 0, wIndex: d.control.interfaceNumber, wLength: 7 }, coding) ?? kIOReturnNotAttached;
  }, { scalarIn: 1 }, attached),
  sampleMethod<SampleUSBCDCSerial>((d, a) => {
    [d.serialState, d.notifications, d.stream?.bytesIn ?? 0, d.stream?.bytesOut ?? 0].forEach((x, i) => (a.scalarOutput[i] = BigInt(x)));
    return kIOReturnSuccess;
  }, { scalarOut: 4 }, attached),
];

export class SampleUSBCDCSerialUserClient extends SampleUserClient {
  override get methods(): readonly IOExternalMethodDispatch[] {
    return sMethods;
  }
}
