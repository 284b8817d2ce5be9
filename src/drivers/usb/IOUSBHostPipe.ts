/**
 * `IOUSBHostPipe`: one endpoint of an interface. `io(length)` for IN and `io(data)` for OUT are
 * asynchronous and resolve to an {@link IOUSBIOResult} (status, bytes transferred, data); an
 * unplugged device or `abort()` completes pending transfers with kIOReturnAborted, a STALL with
 * kUSBHostReturnPipeStalled — the statuses a driver's completion routine sees.
 */
import { kIOReturnAborted, kIOReturnSuccess, iokitFamilyErr, type IOReturn } from "../../base/index.ts";
import type { VirtualUSBDevice } from "../hardware/index.ts";
import type { EndpointDescription } from "../machine/index.ts";

/** `kUSBHostReturnPipeStalled` (sub-system USB, 0x4f). */
export const kUSBHostReturnPipeStalled = iokitFamilyErr(1, 0x4f);

export interface IOUSBIOResult { readonly status: IOReturn; readonly bytesTransferred: number; readonly data: Uint8Array }

export class IOUSBHostPipe {
  readonly endpoint: EndpointDescription;
  readonly #device: VirtualUSBDevice;
  #aborted = false;
  constructor(device: VirtualUSBDevice, endpoint: EndpointDescription) {
    this.#device = device;
    this.endpoint = endpoint;
  }
  get address(): number { return this.endpoint.bEndpointAddress; }
  get isIn(): boolean { return (this.endpoint.bEndpointAddress & 0x80) !== 0; }
  /** 2 bulk, 3 interrupt (`bmAttributes & 3`). */
  get type(): number { return this.endpoint.bmAttributes & 3; }
  getEndpointDescriptor(): EndpointDescription { return this.endpoint; }

  /** An IN transfer of up to `length` bytes, or an OUT transfer of `data`. */
  async io(arg: number | Uint8Array): Promise<IOUSBIOResult> {
    if (this.#aborted) return { status: kIOReturnAborted, bytesTransferred: 0, data: new Uint8Array(0) };
    if (typeof arg === "number") {
      const r = await this.#device.transferIn(this.address, arg);
      const data = r.data.subarray(0, arg);
      return { status: r.status === "ok" ? kIOReturnSuccess : r.status === "stall" ? kUSBHostReturnPipeStalled : kIOReturnAborted, bytesTransferred: data.length, data };
    }
    const r = this.#device.transferOut(this.address, arg);
    return { status: r.status === "ok" ? kIOReturnSuccess : r.status === "stall" ? kUSBHostReturnPipeStalled : kIOReturnAborted, bytesTransferred: r.status === "ok" ? arg.length : 0, data: new Uint8Array(0) };
  }

  /** Completes pending transfers with kIOReturnAborted (`abort()`); the pipe stays usable only if `reopen`. */
  abort(reopen = false): void {
    this.#aborted = !reopen;
    this.#device.abort(this.address);
  }
}
