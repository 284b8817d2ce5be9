/**
 * IOHIDFamily's `IOHIDInterface`: the nub a HID transport publishes for event drivers, carrying
 * the device's identity and its parsed report descriptor as Apple's properties (`Transport`,
 * `VendorID`, `ProductID`, `PrimaryUsagePage`, `PrimaryUsage`, `DeviceUsagePairs`,
 * `MaxInputReportSize`, `ReportInterval`, …). Input reports reach the client that opened it.
 */
import { IOService, OSMetaClass } from "../../kernel/index.ts";
import type { HIDReportDescriptor } from "./parseReportDescriptor.ts";

export const kIOHIDFamilyBundleID = "com.apple.iokit.IOHIDFamily";

/** An input report handler: (report bytes, timestamp in ns). */
export type HIDReportHandler = (report: Uint8Array, timestamp: number) => void;

export class IOHIDInterface extends IOService {
  #handler: HIDReportHandler | undefined;
  #descriptor: HIDReportDescriptor | undefined;

  /** @internal The transport binds the parsed descriptor. */
  bindDescriptor(d: HIDReportDescriptor): void {
    this.#descriptor = d;
  }
  get reportDescriptor(): HIDReportDescriptor | undefined {
    return this.#descriptor;
  }

  /** Opens the interface for `client` with its report handler (`IOHIDInterface::open(client, options, action)`). */
  openWithHandler(client: IOService, handler: HIDReportHandler): boolean {
    if (!this.open(client)) return false;
    this.#handler = handler;
    return true;
  }

  override handleClose(forClient: IOService, options: number): void {
    this.#handler = undefined;
    super.handleClose(forClient, options);
  }

  /** The transport delivers an input report. */
  handleReport(report: Uint8Array, timestamp: number): void {
    this.#handler?.(report, timestamp);
  }
}
OSMetaClass.define(IOHIDInterface, "IOHIDInterface", { kmodName: kIOHIDFamilyBundleID });
