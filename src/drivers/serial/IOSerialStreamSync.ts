/**
 * IOSerialFamily: `IOSerialStreamSync`, the nub a serial driver publishes for one port (the
 * synchronous stream interface: enqueue/dequeue bytes, events for line state), and
 * `IOSerialBSDClient`, which matches it and gives the port its BSD names — `IOTTYBaseName` +
 * `IOTTYSuffix` from the nub, published as `IOTTYDevice`, `IOCalloutDevice` (`/dev/cu.<name>`) and
 * `IODialinDevice` (`/dev/tty.<name>`). Names are unique per kernel: a clash gets a numeric suffix.
 *
 * The BSD client is also the process side of the port: `write(bytes)`, `read()`, open/close.
 */
import { IOReturnError, kIOReturnNotOpen, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { IOService, OSMetaClass, type RegistryHost } from "../../kernel/index.ts";

export const kIOSerialFamilyBundleID = "com.apple.iokit.IOSerialFamily";

/** The driver side of a port (what a driver's stream nub implements). */
export interface SerialPort {
  /** Queues bytes for transmission; returns how many were accepted. */
  enqueueData(bytes: Uint8Array): number;
  /** Takes up to `max` received bytes. */
  dequeueData(max: number): Uint8Array;
  /** Line settings (baud rate, data bits). */
  setBaudRate(baud: number): IOReturn;
}

export class IOSerialStreamSync extends IOService implements SerialPort {
  /** Received bytes waiting for the BSD client. */
  protected readonly rxBuffer: number[] = [];
  /** Called when data arrives (the BSD client's wakeup). */
  dataAvailable: (() => void) | undefined;

  enqueueData(_bytes: Uint8Array): number { return 0; }
  dequeueData(max: number): Uint8Array { return Uint8Array.from(this.rxBuffer.splice(0, max)); }
  setBaudRate(_baud: number): IOReturn { return kIOReturnSuccess; }
  /** Drivers call this with received bytes. */
  protected received(bytes: Iterable<number>): void {
    for (const b of bytes) if (this.rxBuffer.length < 65536) this.rxBuffer.push(b);
    this.dataAvailable?.();
  }
}
OSMetaClass.define(IOSerialStreamSync, "IOSerialStreamSync", { kmodName: kIOSerialFamilyBundleID });

/** The modem-style stream USB CDC drivers publish. */
export class IOModemSerialStreamSync extends IOSerialStreamSync {}
OSMetaClass.define(IOModemSerialStreamSync, "IOModemSerialStreamSync", { kmodName: kIOSerialFamilyBundleID });

const namesInUse = new WeakMap<RegistryHost, Set<string>>();

export class IOSerialBSDClient extends IOService {
  #stream: IOSerialStreamSync | undefined;
  #open = false;
  #name: string | undefined;

  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOSerialStreamSync)) return false;
    this.#stream = provider;
    const base = provider.stringProperty("IOTTYBaseName") ?? "serial";
    let suffix = provider.stringProperty("IOTTYSuffix") ?? "";
    const used = namesInUse.get(this.registry) ?? new Set<string>();
    namesInUse.set(this.registry, used);
    for (let i = 1; used.has(base + suffix); i++) suffix = String(i);
    const name = base + suffix;
    used.add(name);
    this.#name = name;
    this.resources.defer(() => used.delete(name));
    this.setProperties([
      ["IOTTYBaseName", base], ["IOTTYSuffix", suffix], ["IOTTYDevice", name], ["IOCalloutDevice", `/dev/cu.${name}`],
      ["IODialinDevice", `/dev/tty.${name}`], ["IOSerialBSDClientType", provider instanceof IOModemSerialStreamSync ? "IOModemSerialStream" : "IORS232SerialStream"],
    ]);
    this.registerService();
    return true;
  }

  /** `/dev/cu.<name>`. */
  get calloutDevice(): string | undefined {
    return this.#name === undefined ? undefined : `/dev/cu.${this.#name}`;
  }

  /** open(2) on the callout device. */
  openPort(): IOReturn {
    if (this.#stream === undefined || this.isInactive()) return kIOReturnNotOpen;
    this.#open = true;
    return kIOReturnSuccess;
  }
  closePort(): void {
    this.#open = false;
  }
  /** write(2): bytes accepted by the driver. */
  write(bytes: Uint8Array): number {
    if (!this.#open || this.#stream === undefined) throw new IOReturnError(kIOReturnNotOpen, `${this.calloutDevice ?? "serial port"} is not open`);
    return this.#stream.enqueueData(bytes);
  }
  /** read(2): whatever has arrived (possibly nothing). */
  read(max = 1024): Uint8Array {
    if (!this.#open || this.#stream === undefined) throw new IOReturnError(kIOReturnNotOpen, `${this.calloutDevice ?? "serial port"} is not open`);
    return this.#stream.dequeueData(max);
  }
}
OSMetaClass.define(IOSerialBSDClient, "IOSerialBSDClient", { kmodName: kIOSerialFamilyBundleID });
