/**
 * The USB HID transport (`IOUSBHostHIDDevice`, an IOHIDDevice): matches HID interfaces (class 3),
 * fetches and parses the report descriptor, sets idle, publishes an {@link IOHIDInterface} and
 * keeps an interrupt-IN read outstanding, handing each report to the interface.
 *
 * Careful-driver behaviour: a report shorter than its report ID's input size is dropped with one
 * log line (counted in `ShortReports`); a malformed descriptor fails start with the parser's
 * offset; an aborted pipe (unplug, termination) ends the read loop quietly.
 */
import { kIOReturnAborted, kIOReturnSuccess } from "../../base/index.ts";
import { IOService, OSMetaClass, joinPowerTree, kIOServiceAsynchronous, kOffOnPowerStates } from "../../kernel/index.ts";
import { fromJS, n } from "../machine/index.ts";
import { IOUSBHostInterface, type IOUSBHostPipe } from "../usb/index.ts";
import { IOHIDInterface, kIOHIDFamilyBundleID } from "./IOHIDInterface.ts";
import { parseReportDescriptor, type HIDReportDescriptor } from "./parseReportDescriptor.ts";

/** The IOHIDDevice base: what every HID transport publishes. */
export class IOHIDDevice extends IOService {}
OSMetaClass.define(IOHIDDevice, "IOHIDDevice", { kmodName: kIOHIDFamilyBundleID });

/** Input report size in bytes for `reportID` (including the ID byte when IDs are used). */
function inputSize(d: HIDReportDescriptor, reportID: number): number {
  let bits = 0;
  for (const e of d.elements) if (e.kind === "input" && e.reportID === reportID) bits = Math.max(bits, e.bitOffset + e.reportSize * e.reportCount);
  return Math.ceil(bits / 8) + (d.reportIDs.length > 0 ? 1 : 0);
}

export class IOUSBHostHIDDevice extends IOHIDDevice {
  #pipe: IOUSBHostPipe | undefined;
  #nub: IOHIDInterface | undefined;
  #short = 0;
  #running = false;

  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOUSBHostInterface)) return false;
    const desc = provider.descriptor;
    const ifnum = provider.interfaceNumber;
    const bytes = provider.deviceRequestData({ bmRequestType: 0x81, bRequest: 6, wValue: 0x2200, wIndex: ifnum, wLength: desc?.reportDescriptorLength ?? 4096 });
    if (bytes === undefined || bytes.length === 0) {
      this.IOLog(`IOUSBHostHIDDevice: ${provider.getName()}: no report descriptor`);
      return false;
    }
    let parsed: HIDReportDescriptor;
    try {
      parsed = parseReportDescriptor(bytes);
    } catch (e) {
      this.IOLog(`IOUSBHostHIDDevice: ${provider.getName()}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    provider.deviceRequest({ bmRequestType: 0x21, bRequest: 0x0a, wValue: 0, wIndex: ifnum, wLength: 0 });
    const epAddr = provider.findEndpoint(3, true);
    const pipe = epAddr === undefined ? undefined : provider.copyPipe(epAddr);
    if (pipe === undefined) {
      this.IOLog(`IOUSBHostHIDDevice: ${provider.getName()}: no interrupt IN endpoint`);
      return false;
    }
    this.#pipe = pipe;
    const device = provider.getDevice();
    const first = parsed.applications[0] ?? { usagePage: 0, usage: 0 };
    const props: Array<[string, import("../../libkern/index.ts").OSValue]> = [
      ["Transport", "USB"], ["VendorID", device?.getProperty("idVendor") ?? n(0)], ["ProductID", device?.getProperty("idProduct") ?? n(0)],
      ["VersionNumber", device?.getProperty("bcdDevice") ?? n(0)], ["LocationID", provider.getProperty("locationID") ?? n(0)], ["CountryCode", n(0)],
      ["PrimaryUsagePage", n(first.usagePage)], ["PrimaryUsage", n(first.usage)],
      ["DeviceUsagePairs", fromJS(parsed.applications.map((a) => ({ DeviceUsagePage: n(a.usagePage), DeviceUsage: n(a.usage) })))],
      ["MaxInputReportSize", n(parsed.maxInputReportSize)], ["MaxOutputReportSize", n(parsed.maxOutputReportSize)], ["MaxFeatureReportSize", n(parsed.maxFeatureReportSize)],
      ["ReportInterval", n(pipe.endpoint.bInterval * 1000)], ["ReportDescriptor", bytes.slice()], ["HIDDefaultBehavior", ""],
    ];
    const product = device?.getProperty("USB Product Name"), vendor = device?.getProperty("USB Vendor Name"), serial = device?.getProperty("USB Serial Number");
    if (typeof product === "string") props.push(["Product", product]);
    if (typeof vendor === "string") props.push(["Manufacturer", vendor]);
    if (typeof serial === "string") props.push(["SerialNumber", serial]);
    this.setProperties(props);
    const nub = new IOHIDInterface(this.registry);
    nub.init();
    nub.setProperties(props.filter(([k]) => k !== "ReportDescriptor" && k !== "HIDDefaultBehavior"));
    nub.bindDescriptor(parsed);
    nub.attach(this);
    this.#nub = nub;
    nub.registerService(kIOServiceAsynchronous);
    nub.release();
    joinPowerTree(this, provider, kOffOnPowerStates, 1);
    this.#running = true;
    void this.#readLoop(parsed);
    this.registerService();
    return true;
  }

  async #readLoop(d: HIDReportDescriptor): Promise<void> {
    const pipe = this.#pipe;
    while (this.#running && pipe) {
      const r = await pipe.io(pipe.endpoint.wMaxPacketSize);
      if (r.status === kIOReturnAborted || !this.#running) return;
      if (r.status !== kIOReturnSuccess) {
        this.IOLog(`IOUSBHostHIDDevice: interrupt read failed 0x${(r.status >>> 0).toString(16)}; stopping reads`);
        return;
      }
      const id = d.reportIDs.length > 0 ? (r.data[0] ?? 0) : 0;
      const want = inputSize(d, id);
      if (r.bytesTransferred < want) {
        if (this.#short++ === 0) this.IOLog(`IOUSBHostHIDDevice: ${this.getName()}: short report ${r.bytesTransferred} of ${want} bytes (report ID ${id}); dropping short reports`);
        this.setProperty("ShortReports", n(this.#short));
        continue;
      }
      this.#nub?.handleReport(r.data, this.getWorkLoop().scheduler.now());
    }
  }

  override stop(provider: IOService): void {
    this.#running = false;
    this.#pipe?.abort();
    this.#pipe = undefined;
    this.PMstop();
    super.stop(provider);
  }
}
OSMetaClass.define(IOUSBHostHIDDevice, "IOUSBHostHIDDevice", { kmodName: kIOHIDFamilyBundleID });
