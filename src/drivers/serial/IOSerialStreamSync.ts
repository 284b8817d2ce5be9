/**
 * IOSerialFamily: `IOSerialStreamSync`, the nub a serial driver publishes for one port (the
 * synchronous stream interface: enqueue/dequeue bytes, events for line state), and
 * `IOSerialBSDClient`, which matches it and gives the port its BSD names — `IOTTYBaseName` +
 * `IOTTYSuffix` from the nub, published as `IOTTYDevice`, `IOCalloutDevice` (`/dev/cu.<name>`) and
 * `IODialinDevice` (`/dev/tty.<name>`), and makes both nodes in devfs under the family's
 * character-device major (minor `2·unit` dial-in, `2·unit + 1` callout), so processes open, read,
 * write and `FIONREAD` the port through `/dev` (IOKitLib's `open`). Names are unique per kernel: a
 * clash with an existing node gets a numeric suffix.
 *
 * The BSD client is also the in-kernel side of the port: `write(bytes)`, `read()`, open/close.
 */
import { IOReturnError, kIOReturnNotOpen, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import {
  D_TTY, DEVFS_CHAR, DevFS, EAGAIN, ENOTTY, ENXIO, FIONREAD, GID_WHEEL, IO_NDELAY, IOService, OSMetaClass, UID_ROOT, cdevsw_add,
  devfs_make_node, devfs_remove, makedev, minor, uiomove, type CharDeviceSwitch, type Uio, type dev_t,
} from "../../kernel/index.ts";

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
  /** Received bytes waiting. */
  get pending(): number { return this.rxBuffer.length; }
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

/** The serial family's character devices in one kernel: one major, ports by unit. */
interface SerialDevsw {
  readonly major: number;
  readonly ports: Map<number, IOSerialBSDClient>;
  nextUnit: number;
}
const devsws = new WeakMap<object, SerialDevsw>();

/** The family's switch, registered on first use in a kernel (XNU registers it once at class init). */
function serialDevsw(ctx: IOService): SerialDevsw | undefined {
  let d = devsws.get(ctx.registry);
  if (d !== undefined) return d;
  const ports = new Map<number, IOSerialBSDClient>();
  const port = (dev: dev_t): IOSerialBSDClient | undefined => ports.get(minor(dev) >> 1);
  const sw: CharDeviceSwitch = {
    d_type: D_TTY,
    d_open: (dev) => (port(dev)?.openPort() === kIOReturnSuccess ? 0 : ENXIO),
    d_close: (dev) => (port(dev)?.closePort(), 0),
    d_read: (dev, uio, ioflag) => port(dev)?.bsdRead(uio, ioflag) ?? ENXIO,
    d_write: (dev, uio) => port(dev)?.bsdWrite(uio) ?? ENXIO,
    d_ioctl: (dev, cmd, data) => {
      const p = port(dev);
      if (p === undefined) return ENXIO;
      if (cmd !== FIONREAD) return ENOTTY;
      new DataView(data.buffer, data.byteOffset, 4).setUint32(0, p.bytesAvailable, true);
      return 0;
    },
  };
  const maj = cdevsw_add(ctx, -1, sw);
  if (maj < 0) return undefined;
  d = { major: maj, ports, nextUnit: 0 };
  devsws.set(ctx.registry, d);
  return d;
}

export class IOSerialBSDClient extends IOService {
  #stream: IOSerialStreamSync | undefined;
  #open = false;
  #name: string | undefined;
  #readers: Array<() => void> = [];

  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOSerialStreamSync)) return false;
    const devsw = serialDevsw(this);
    if (devsw === undefined) return false;
    this.#stream = provider;
    const base = provider.stringProperty("IOTTYBaseName") ?? "serial";
    let suffix = provider.stringProperty("IOTTYSuffix") ?? "";
    const devfs = DevFS.of(this);
    for (let i = 1; devfs.lookup(`cu.${base}${suffix}`) || devfs.lookup(`tty.${base}${suffix}`); i++) suffix = String(i);
    const name = base + suffix;
    // Two nodes per port, as on macOS: the dial-in tty (minor 2u) and the callout cu (2u + 1).
    const unit = devsw.nextUnit++;
    const tty = devfs_make_node(this, makedev(devsw.major, unit << 1), DEVFS_CHAR, UID_ROOT, GID_WHEEL, 0o666, `tty.${name}`);
    const cu = devfs_make_node(this, makedev(devsw.major, (unit << 1) | 1), DEVFS_CHAR, UID_ROOT, GID_WHEEL, 0o666, `cu.${name}`);
    if (tty === null || cu === null) return false;
    devsw.ports.set(unit, this);
    provider.dataAvailable = () => this.#wakeReaders();
    this.resources.defer(() => {
      devfs_remove(this, tty);
      devfs_remove(this, cu);
      devsw.ports.delete(unit);
      provider.dataAvailable = undefined;
      this.#open = false;
      this.#wakeReaders();
    });
    this.#name = name;
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
    this.#wakeReaders();
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

  /** Received bytes not yet read. */
  get bytesAvailable(): number {
    return this.#stream?.pending ?? 0;
  }

  /** @internal `d_read`: what has arrived; blocks until something does unless non-blocking. */
  async bsdRead(uio: Uio, ioflag: number): Promise<number> {
    while (this.#open && this.#stream !== undefined && this.#stream.pending === 0) {
      if (ioflag & IO_NDELAY) return EAGAIN;
      await new Promise<void>((r) => this.#readers.push(r));
    }
    if (!this.#open || this.#stream === undefined) return ENXIO;
    const bytes = this.#stream.dequeueData(uio.resid());
    return uiomove(bytes, bytes.length, uio);
  }

  /** @internal `d_write`. */
  bsdWrite(uio: Uio): number {
    if (!this.#open || this.#stream === undefined) return ENXIO;
    const bytes = new Uint8Array(uio.resid());
    const err = uiomove(bytes, bytes.length, uio);
    if (err === 0) this.#stream.enqueueData(bytes);
    return err;
  }

  #wakeReaders(): void {
    for (const r of this.#readers.splice(0)) r();
  }
}
OSMetaClass.define(IOSerialBSDClient, "IOSerialBSDClient", { kmodName: kIOSerialFamilyBundleID });
