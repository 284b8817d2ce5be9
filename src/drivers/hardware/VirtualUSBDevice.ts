/**
 * A virtual USB device: answers standard control requests from its descriptors (GET_DESCRIPTOR,
 * SET_ADDRESS, SET/GET_CONFIGURATION, HID class requests, CDC line coding) and moves data on its
 * bulk and interrupt endpoints. Input the device produces (key presses, touches, serial bytes)
 * waits in per-endpoint queues until the host polls the endpoint with an IN transfer.
 *
 * Fault `short-transfer`: every IN transfer delivers half of what it should.
 */
import type { USBDeviceDescription } from "../machine/index.ts";
import { configurationDescriptor, deviceDescriptor, kUSBConfDesc, kUSBDeviceDesc, kUSBReportDesc, kUSBStringDesc, stringDescriptor } from "./usbDescriptors.ts";

/** A SETUP packet. */
export interface USBSetup { readonly bmRequestType: number; readonly bRequest: number; readonly wValue: number; readonly wIndex: number; readonly wLength: number }
/** A transfer's outcome: `stall` is a protocol STALL. */
export interface USBTransferResult { readonly status: "ok" | "stall" | "aborted"; readonly data: Uint8Array }

const STALL: USBTransferResult = { status: "stall", data: new Uint8Array(0) };

export class VirtualUSBDevice {
  readonly desc: USBDeviceDescription;
  address = 0;
  configuration = 0;
  readonly #queues = new Map<number, Uint8Array[]>();
  readonly #waiters = new Map<number, Array<(r: USBTransferResult) => void>>();
  lineCoding = Uint8Array.from([0x00, 0xc2, 0x01, 0x00, 0, 0, 8]); // 115200 8N1
  connected = true;

  constructor(desc: USBDeviceDescription) {
    this.desc = desc;
  }

  #iface(number: number) {
    return this.desc.configurations.find((c) => c.bConfigurationValue === this.configuration)?.interfaces.find((i) => i.bInterfaceNumber === number)
      ?? this.desc.configurations[0]?.interfaces.find((i) => i.bInterfaceNumber === number);
  }

  /** A control transfer on endpoint 0. */
  control(setup: USBSetup, data?: Uint8Array): USBTransferResult {
    if (!this.connected) return { status: "aborted", data: new Uint8Array(0) };
    const reply = (bytes: Uint8Array | undefined): USBTransferResult => (bytes === undefined ? STALL : { status: "ok", data: bytes.slice(0, setup.wLength) });
    const type = (setup.bmRequestType >> 5) & 3;
    if (type === 0) {
      switch (setup.bRequest) {
        case 6: { // GET_DESCRIPTOR
          const dt = setup.wValue >> 8, index = setup.wValue & 0xff;
          if (dt === kUSBDeviceDesc) return reply(deviceDescriptor(this.desc));
          if (dt === kUSBConfDesc) { const c = this.desc.configurations[index]; return reply(c && configurationDescriptor(this.desc, c)); }
          if (dt === kUSBStringDesc) return reply(stringDescriptor(this.desc, index));
          if (dt === kUSBReportDesc) return reply(this.#iface(setup.wIndex)?.reportDescriptor);
          return STALL;
        }
        case 5: this.address = setup.wValue & 0x7f; return reply(new Uint8Array(0));
        case 8: return reply(Uint8Array.from([this.configuration]));
        case 9:
          if (setup.wValue !== 0 && !this.desc.configurations.some((c) => c.bConfigurationValue === setup.wValue)) return STALL;
          this.configuration = setup.wValue;
          return reply(new Uint8Array(0));
        case 11: return reply(new Uint8Array(0)); // SET_INTERFACE
        case 0: return reply(Uint8Array.from([0, 0])); // GET_STATUS
        default: return STALL;
      }
    }
    if (type === 1) {
      switch (setup.bRequest) {
        case 0x0a: case 0x0b: return reply(new Uint8Array(0)); // HID SET_IDLE, SET_PROTOCOL
        case 0x20: if (data) this.lineCoding = data.slice(0, 7); return reply(new Uint8Array(0)); // CDC SET_LINE_CODING
        case 0x21: return reply(this.lineCoding); // CDC GET_LINE_CODING
        case 0x22: { // CDC SET_CONTROL_LINE_STATE: a modem answers DTR with DCD+DSR in a SERIAL_STATE notification
          const ep = this.interruptIn;
          const state = setup.wValue & 1 ? 0x03 : 0;
          if (this.desc.model === "cdc-acm" && ep !== undefined) this.produce(ep, Uint8Array.from([0xa1, 0x20, 0, 0, setup.wIndex & 0xff, setup.wIndex >> 8, 2, 0, state, 0]));
          return reply(new Uint8Array(0));
        }
        default: return STALL;
      }
    }
    return STALL;
  }

  /** The device has data for the host on IN endpoint `address`. */
  produce(address: number, data: Uint8Array): void {
    const w = this.#waiters.get(address)?.shift();
    if (w) { w(this.#deliver(data)); return; }
    const q = this.#queues.get(address) ?? [];
    if (q.length < 1024) q.push(data);
    this.#queues.set(address, q);
  }

  #deliver(data: Uint8Array): USBTransferResult {
    return { status: "ok", data: this.desc.faults.has("short-transfer") ? data.slice(0, data.length >> 1) : data };
  }

  /** An IN transfer: resolves when the device has data (or is unplugged). */
  transferIn(address: number, _length: number): Promise<USBTransferResult> {
    if (!this.connected) return Promise.resolve({ status: "aborted", data: new Uint8Array(0) });
    const q = this.#queues.get(address);
    const first = q?.shift();
    if (first !== undefined) return Promise.resolve(this.#deliver(first));
    return new Promise((resolve) => {
      const list = this.#waiters.get(address) ?? [];
      list.push(resolve);
      this.#waiters.set(address, list);
    });
  }

  /** An OUT transfer. CDC data interfaces echo what they receive (a loopback plug on the serial line). */
  transferOut(address: number, data: Uint8Array): USBTransferResult {
    if (!this.connected) return { status: "aborted", data: new Uint8Array(0) };
    if (this.desc.model === "cdc-acm") {
      const inEp = this.desc.configurations[0]?.interfaces.flatMap((i) => i.endpoints).find((e) => (e.bmAttributes & 3) === 2 && (e.bEndpointAddress & 0x80) !== 0);
      if (inEp) this.produce(inEp.bEndpointAddress, data.slice());
    }
    void address;
    return { status: "ok", data: new Uint8Array(0) };
  }

  /** Pending IN transfers complete with `aborted` (unplug, pipe abort). */
  abort(address?: number): void {
    for (const [ep, list] of this.#waiters) {
      if (address !== undefined && ep !== address) continue;
      for (const w of list.splice(0)) w({ status: "aborted", data: new Uint8Array(0) });
    }
  }

  /** The first interrupt IN endpoint (where HID reports go). */
  get interruptIn(): number | undefined {
    return this.desc.configurations[0]?.interfaces.flatMap((i) => i.endpoints).find((e) => (e.bmAttributes & 3) === 3 && (e.bEndpointAddress & 0x80) !== 0)?.bEndpointAddress;
  }

  /** Keyboard: a boot-protocol report with `usages` pressed (then release with an empty list). */
  pressKeys(usages: readonly number[], modifiers = 0): void {
    const ep = this.interruptIn;
    if (ep === undefined) return;
    const r = new Uint8Array(8);
    r[0] = modifiers;
    usages.slice(0, 6).forEach((u, i) => { r[2 + i] = u; });
    this.produce(ep, r);
  }

  /** Trackpad/digitizer: one contact report (report ID 1: tip, contact id, x, y as 16-bit). */
  touch(x: number, y: number, tip = true, contact = 0): void {
    const ep = this.interruptIn;
    if (ep === undefined) return;
    this.produce(ep, Uint8Array.from([1, (tip ? 1 : 0) | (contact << 2), x & 0xff, x >> 8, y & 0xff, y >> 8, 1]));
  }

  /** Mouse: a boot-protocol report. */
  move(dx: number, dy: number, buttons = 0): void {
    const ep = this.interruptIn;
    if (ep === undefined) return;
    this.produce(ep, Uint8Array.from([buttons, dx & 0xff, dy & 0xff]));
  }
}
