/**
 * SampleUSBCDCSerial: a USB CDC-ACM serial driver. It matches the CDC *data* interface (class 0x0A)
 * of a modem-class device, finds the control interface beside it by iterating the device's
 * interfaces, sets the line coding (115200 8N1) and DTR/RTS with class requests, opens the bulk
 * pipes, and publishes an `IOModemSerialStreamSync` whose `IOSerialBSDClient` becomes
 * `/dev/cu.usbmodem<location>` — the name macOS gives CDC devices.
 *
 * Reads: one bulk-IN transfer is always outstanding; completions run on the driver's work loop
 * (`runAction`). A short transfer is normal for bulk (a packet shorter than wMaxPacketSize ends a
 * transfer) and is delivered as is; a stalled pipe is logged and reading stops; an aborted one
 * (unplug, termination) ends the loop quietly. Power: two states; the read loop pauses in state 0.
 *
 * Interrupts: the control interface's interrupt-IN endpoint carries the modem's notifications; a
 * transfer is always outstanding there and a SERIAL_STATE notification (DCD, DSR, …) is applied on
 * the work loop (`SerialState` property). User client: {@link SampleUSBCDCSerialUserClient} (line
 * coding via class requests, baud rate, serial state and byte counts).
 */
import type { IOService as IOServiceType } from "../../src/kernel/index.ts";
import { IOService, IOWorkLoop, kIOPMDeviceUsable, kIOPMPowerOn, kIOServiceAsynchronous } from "../../src/kernel/index.ts";
import { IOModemSerialStreamSync, IOUSBHostInterface, type IOUSBHostPipe } from "../../src/drivers/index.ts";
import { kIOReturnAborted, kIOReturnSuccess } from "../../src/base/index.ts";
import { num } from "../../src/libkern/index.ts";

export { SampleUSBCDCSerialUserClient } from "./SampleUSBCDCSerialUserClient.ts";

const POWER_STATES = [
  { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
  { version: 1, capabilityFlags: kIOPMDeviceUsable | kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: kIOPMPowerOn },
];

/** The stream nub: writes go to the bulk-OUT pipe. */
export class SampleUSBCDCSerialStream extends IOModemSerialStreamSync {
  out: IOUSBHostPipe | undefined;
  bytesOut = 0;
  bytesIn = 0;
  override enqueueData(bytes: Uint8Array): number {
    if (this.out === undefined) return 0;
    this.bytesOut += bytes.length;
    void this.out.io(bytes.slice());
    return bytes.length;
  }
  /** The driver hands up received bytes. */
  deliver(bytes: Uint8Array): void {
    this.bytesIn += bytes.length;
    this.received(bytes);
  }
}

export class SampleUSBCDCSerial extends IOService {
  #in: IOUSBHostPipe | undefined;
  #notify: IOUSBHostPipe | undefined;
  #stream: SampleUSBCDCSerialStream | undefined;
  /** The control interface (class requests go there). */
  control: IOUSBHostInterface | undefined;
  /** The last SERIAL_STATE bits (bit 0 DCD, bit 1 DSR) and how many notifications came. */
  serialState = 0;
  notifications = 0;

  /** The port's byte counters, for the user client. */
  get stream(): SampleUSBCDCSerialStream | undefined { return this.#stream; }
  #running = false;
  #powered = true;
  #loop: IOWorkLoop | undefined;

  override start(provider: IOServiceType): boolean {
    if (!super.start(provider) || !(provider instanceof IOUSBHostInterface)) return false;
    // Interface iteration: the ACM control interface is the CDC (class 2) interface of the same device.
    const device = provider.getDevice();
    const siblings = device?.getClients().filter((c): c is IOUSBHostInterface => c instanceof IOUSBHostInterface) ?? [];
    const control = siblings.find((i) => i.descriptor?.bInterfaceClass === 2);
    if (control === undefined) {
      this.IOLog("SampleUSBCDCSerial: no CDC control interface on this device");
      return false;
    }
    this.control = control;
    const ifnum = control.interfaceNumber;
    const notifyAddr = control.findEndpoint(3, true);
    this.#notify = notifyAddr === undefined ? undefined : control.copyPipe(notifyAddr);
    control.deviceRequest({ bmRequestType: 0x21, bRequest: 0x20, wValue: 0, wIndex: ifnum, wLength: 7 }, Uint8Array.from([0x00, 0xc2, 0x01, 0x00, 0, 0, 8]));
    control.deviceRequest({ bmRequestType: 0x21, bRequest: 0x22, wValue: 3, wIndex: ifnum, wLength: 0 });
    const inAddr = provider.findEndpoint(2, true), outAddr = provider.findEndpoint(2, false);
    const pin = inAddr === undefined ? undefined : provider.copyPipe(inAddr);
    const pout = outAddr === undefined ? undefined : provider.copyPipe(outAddr);
    if (pin === undefined || pout === undefined) {
      this.IOLog("SampleUSBCDCSerial: data interface lacks bulk endpoints");
      return false;
    }
    this.#in = pin;
    this.#loop = IOWorkLoop.workLoop(this.getWorkLoop().scheduler, "SampleUSBCDCSerial");
    const loop = this.#loop;
    this.resources.defer(() => loop.release());
    const stream = new SampleUSBCDCSerialStream(this.registry);
    stream.init();
    stream.out = pout;
    const location = device?.getProperty("locationID");
    const loc = typeof location === "object" && location !== null && "value" in location ? (Number(location.value) >>> 16).toString(16) : "1";
    stream.setProperties([["IOTTYBaseName", "usbmodem"], ["IOTTYSuffix", loc]]);
    stream.attach(this);
    stream.registerService(kIOServiceAsynchronous);
    stream.release();
    this.#stream = stream;
    this.PMinit();
    provider.joinPMtree(this);
    this.registerPowerDriver(this, POWER_STATES);
    this.changePowerStateTo(1);
    this.resources.defer(() => this.PMstop());
    this.#running = true;
    void this.#readLoop();
    void this.#notificationLoop();
    this.registerService();
    return true;
  }

  async #readLoop(): Promise<void> {
    while (this.#running && this.#in) {
      const r = await this.#in.io(this.#in.endpoint.wMaxPacketSize);
      if (r.status === kIOReturnAborted || !this.#running) return;
      if (r.status !== kIOReturnSuccess) {
        this.IOLog(`SampleUSBCDCSerial: bulk IN failed 0x${(r.status >>> 0).toString(16)}; stopping reads`);
        return;
      }
      if (!this.#powered) continue;
      await this.#loop?.runAction(() => this.#stream?.deliver(r.data));
    }
  }

  /** The interrupt pipe: modem notifications, applied on the work loop. */
  async #notificationLoop(): Promise<void> {
    while (this.#running && this.#notify) {
      const r = await this.#notify.io(16); // a 10-byte notification spans two 8-byte packets
      if (r.status !== kIOReturnSuccess || !this.#running) return;
      // SERIAL_STATE: bmRequestType 0xA1, bNotification 0x20, then a 16-bit state after the 8-byte header.
      if (r.data.length >= 10 && r.data[1] === 0x20) {
        const state = (r.data[8] as number) | ((r.data[9] as number) << 8);
        await this.#loop?.runAction(() => {
          this.serialState = state;
          this.notifications++;
          this.setProperty("SerialState", num(state, 16));
        });
      }
    }
  }

  override setPowerState(state: number, _device: IOServiceType): number {
    this.#powered = state !== 0;
    return 0;
  }

  override stop(provider: IOServiceType): void {
    this.#running = false;
    this.#in?.abort();
    this.#notify?.abort();
    super.stop(provider);
  }
}
