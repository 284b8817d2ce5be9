/**
 * SampleCharDevice: the rolling exercise of a driver course — a driver for a virtual device, turned
 * into a character device, with data passing between user space and the kernel both ways.
 *
 * - personality: `IOProviderClass` IOResources with `IOResourceMatch` IOBSD (a character device
 *   needs the BSD layer), its own `IOMatchCategory`, and `IOUserClientClass`;
 * - the device: {@link SampleLoopbackHardware}, a loopback FIFO — what is written comes back to be
 *   read after a short latency (upper-cased in mode 1), announced by an interrupt;
 * - start: a private work loop with an `IOInterruptEventSource` (the device's interrupt), an
 *   `IOCommandGate` (BSD entry points and the user client run under it; a blocking read sleeps on
 *   it) and an `IOTimerEventSource` (powers the device down a second after the last close); then
 *   `cdevsw_add` and `devfs_make_node` make `/dev/samplechar` (root:wheel 0666);
 * - BSD entry points: open/close, read (blocks until data, EAGAIN with O_NONBLOCK), write, ioctl
 *   (`FIONREAD`, GETSTATS, SETMODE, FLUSH; ENOTTY otherwise);
 * - power: two states; state 0 stops the device's clock, state 1 restarts it; opens raise it;
 * - user client: {@link SampleCharDeviceUserClient} (scalar and structure methods);
 * - stop: the node and the switch go, sleeping readers wake with ENXIO, event sources are removed.
 */
import type { IOService as IOServiceType, Scheduler, Uio, DevNode, CharDeviceSwitch } from "../../src/kernel/index.ts";
import {
  DEVFS_CHAR, EAGAIN, EBADF, EINTR, EINVAL, ENOTTY, ENXIO, FIONREAD, FWRITE, GID_WHEEL, IOCommandGate, IOInterruptEventSource,
  IOService, IOTimerEventSource, IOWorkLoop, IO_NDELAY, THREAD_INTERRUPTED, UID_ROOT, cdevsw_add, cdevsw_remove, devfs_make_node,
  devfs_remove, getPMRootDomain, kIOPMDeviceUsable, kIOPMPowerOn, makedev, uiomove,
} from "../../src/kernel/index.ts";
import { num } from "../../src/libkern/index.ts";
import {
  SAMPLECHAR_IOC_FLUSH, SAMPLECHAR_IOC_GETSTATS, SAMPLECHAR_IOC_SETMODE, kSampleCharDeviceName, kSampleCharModeUpperCase,
} from "./SampleCharDeviceShared.ts";

export { SampleCharDeviceUserClient } from "./SampleCharDeviceUserClient.ts";

const FIFO_SIZE = 4096;
const READ_QUEUE_LIMIT = 65536;
const LATENCY_NS = 200_000; // 200 µs from transmit to receive
const IDLE_POWER_DOWN_MS = 1000;
const POWER_STATES = [
  { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
  { version: 1, capabilityFlags: kIOPMDeviceUsable | kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: kIOPMPowerOn },
];

/**
 * The virtual device: a transmit FIFO the device clocks into its receive FIFO after
 * {@link LATENCY_NS}, raising its interrupt line when data is ready. With the clock stopped
 * (powered down) bytes wait in the transmit FIFO. Input arriving from "outside" goes straight to
 * the receive FIFO.
 */
export class SampleLoopbackHardware {
  readonly tx: number[] = [];
  readonly rx: number[] = [];
  mode = 0;
  #clock = false;
  #busy = false;
  readonly #scheduler: Scheduler;
  readonly #raise: () => void;
  constructor(scheduler: Scheduler, raise: () => void) {
    this.#scheduler = scheduler;
    this.#raise = raise;
  }
  get txSpace(): number { return FIFO_SIZE - this.tx.length; }
  /** Queues bytes for transmission; returns how many fit. */
  transmit(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.txSpace);
    for (let i = 0; i < n; i++) this.tx.push(bytes[i] as number);
    this.#kick();
    return n;
  }
  /** Data arriving on the device's input. */
  receive(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, FIFO_SIZE - this.rx.length);
    for (let i = 0; i < n; i++) this.rx.push(bytes[i] as number);
    if (n > 0 && this.#clock) this.#raise();
    return n;
  }
  setClock(on: boolean): void {
    this.#clock = on;
    if (on) this.#kick();
    if (on && this.rx.length > 0) this.#raise();
  }
  #kick(): void {
    if (!this.#clock || this.#busy || this.tx.length === 0) return;
    this.#busy = true;
    this.#scheduler.postAfter(LATENCY_NS, () => {
      this.#busy = false;
      if (!this.#clock) return;
      const room = FIFO_SIZE - this.rx.length;
      const moved = this.tx.splice(0, room);
      const upper = this.mode === kSampleCharModeUpperCase;
      for (const b of moved) this.rx.push(upper && b >= 0x61 && b <= 0x7a ? b - 0x20 : b);
      if (moved.length > 0) this.#raise();
      this.#kick();
    }, "SampleLoopbackHardware clock");
  }
}

/** Counters the driver keeps, read by ioctl and the user client. */
export interface SampleCharStats { bytesRead: number; bytesWritten: number; interrupts: number; opens: number }

export class SampleCharDevice extends IOService {
  readonly stats: SampleCharStats = { bytesRead: 0, bytesWritten: 0, interrupts: 0, opens: 0 };
  /** Received bytes waiting for read(2). */
  readonly readQueue: number[] = [];
  hardware: SampleLoopbackHardware | undefined;
  gate: IOCommandGate | undefined;
  #major = -1;
  #node: DevNode | null = null;
  #stopping = false;
  #overruns = 0;
  #openFiles = 0;
  #idle: IOTimerEventSource | undefined;
  readonly #cdevsw: CharDeviceSwitch = {
    d_open: () => this.#open(),
    d_close: () => this.#close(),
    d_read: (_dev, uio, ioflag) => this.#read(uio, ioflag),
    d_write: (_dev, uio, ioflag) => this.#write(uio, ioflag),
    d_ioctl: (_dev, cmd, data, fflag) => this.#ioctl(cmd, data, fflag),
  };

  override start(provider: IOServiceType): boolean {
    if (!super.start(provider)) return false;
    const loop = IOWorkLoop.workLoop(this.getWorkLoop().scheduler, "SampleCharDevice");
    const gate = IOCommandGate.commandGate(this);
    const irq = IOInterruptEventSource.interruptEventSource(this, () => this.#interruptOccurred());
    const idle = IOTimerEventSource.timerEventSource(this, () => {
      if (this.#openFiles === 0) this.changePowerStateTo(0);
    });
    if (irq === null) return false;
    this.hardware = new SampleLoopbackHardware(loop.scheduler, () => irq.interruptOccurred());
    loop.addEventSource(gate);
    loop.addEventSource(irq);
    loop.addEventSource(idle);
    irq.enable();
    this.gate = gate;
    this.resources.defer(() => {
      this.hardware?.setClock(false);
      idle.cancelTimeout();
      loop.removeEventSource(idle);
      loop.removeEventSource(irq);
      loop.removeEventSource(gate);
      loop.release();
    });
    // The BSD side: a major number, then the node.
    this.#major = cdevsw_add(this, -24, this.#cdevsw);
    if (this.#major < 0) {
      this.IOLog("SampleCharDevice: no free character-device major");
      return false;
    }
    this.resources.defer(() => cdevsw_remove(this, this.#major, this.#cdevsw));
    this.#node = devfs_make_node(this, makedev(this.#major, 0), DEVFS_CHAR, UID_ROOT, GID_WHEEL, 0o666, kSampleCharDeviceName);
    if (this.#node === null) {
      this.IOLog(`SampleCharDevice: cannot make /dev/${kSampleCharDeviceName}`);
      return false;
    }
    const node = this.#node;
    this.resources.defer(() => devfs_remove(this, node));
    this.setProperties([["BSD Name", kSampleCharDeviceName], ["BSD Major", num(this.#major, 32)], ["BSD Minor", num(0, 32)]]);
    // Power: two states, under the root domain (a virtual device has no power parent of its own).
    this.PMinit();
    getPMRootDomain(this).joinPMtree(this);
    this.registerPowerDriver(this, POWER_STATES);
    this.changePowerStateTo(1);
    this.resources.defer(() => this.PMstop());
    // Idle: power down a second after start unless someone opens the device.
    idle.setTimeoutMS(IDLE_POWER_DOWN_MS);
    this.#idle = idle;
    this.registerService();
    this.IOLog(`SampleCharDevice: /dev/${kSampleCharDeviceName} is major ${this.#major}`);
    return true;
  }

  override stop(provider: IOServiceType): void {
    this.#stopping = true;
    this.gate?.commandWakeup(this.readQueue);
    this.gate?.commandWakeup(this.hardware);
    super.stop(provider);
  }

  override setPowerState(state: number, _device: IOServiceType): number {
    this.hardware?.setClock(state !== 0);
    this.setProperty("Powered", state !== 0);
    return 0; // kIOPMAckImplied
  }

  /** Secondary interrupt time, on the work loop: drain the receive FIFO, wake readers and writers. */
  #interruptOccurred(): void {
    const hw = this.hardware;
    if (hw === undefined) return;
    this.stats.interrupts++;
    const bytes = hw.rx.splice(0);
    const room = READ_QUEUE_LIMIT - this.readQueue.length;
    if (bytes.length > room && this.#overruns++ === 0) this.IOLog(`SampleCharDevice: read queue full; dropping ${bytes.length - room} bytes`);
    for (const b of bytes.slice(0, Math.max(0, room))) this.readQueue.push(b);
    this.gate?.commandWakeup(this.readQueue);
    this.gate?.commandWakeup(hw);
  }

  #open(): number {
    this.#idle?.cancelTimeout();
    this.#openFiles++;
    this.stats.opens++;
    this.changePowerStateTo(1);
    return 0;
  }

  #close(): number {
    this.#openFiles = 0; // d_close runs on the last close
    this.#idle?.setTimeoutMS(IDLE_POWER_DOWN_MS);
    return 0;
  }

  #read(uio: Uio, ioflag: number): Promise<number> {
    return this.#gated(async (gate) => {
      while (this.readQueue.length === 0) {
        if (this.#stopping) return ENXIO;
        if (ioflag & IO_NDELAY) return EAGAIN;
        if ((await gate.commandSleep(this.readQueue, 0, true)) === THREAD_INTERRUPTED) return EINTR;
      }
      const n = Math.min(uio.resid(), this.readQueue.length);
      const err = uiomove(Uint8Array.from(this.readQueue.splice(0, n)), n, uio);
      if (err === 0) this.stats.bytesRead += n;
      return err;
    });
  }

  #write(uio: Uio, ioflag: number): Promise<number> {
    return this.#gated(async (gate) => {
      const hw = this.hardware;
      if (hw === undefined) return ENXIO;
      while (hw.txSpace === 0) {
        if (this.#stopping) return ENXIO;
        if (ioflag & IO_NDELAY) return EAGAIN;
        if ((await gate.commandSleep(hw, 0, true)) === THREAD_INTERRUPTED) return EINTR;
      }
      const chunk = new Uint8Array(Math.min(uio.resid(), hw.txSpace));
      const err = uiomove(chunk, chunk.length, uio);
      if (err !== 0) return err;
      this.stats.bytesWritten += hw.transmit(chunk);
      return 0;
    });
  }

  #ioctl(cmd: number, data: Uint8Array, fflag: number): Promise<number> {
    return this.#gated(() => {
      const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
      switch (cmd) {
        case FIONREAD: v.setUint32(0, this.readQueue.length, true); return 0;
        case SAMPLECHAR_IOC_GETSTATS: {
          const s = this.stats;
          [s.bytesRead, s.bytesWritten, s.interrupts, s.opens].forEach((x, i) => v.setBigUint64(i * 8, BigInt(x), true));
          return 0;
        }
        case SAMPLECHAR_IOC_SETMODE:
          if (!(fflag & FWRITE)) return EBADF;
          return this.setMode(v.getUint32(0, true)) ? 0 : EINVAL;
        case SAMPLECHAR_IOC_FLUSH: this.readQueue.length = 0; return 0;
        default: return ENOTTY;
      }
    });
  }

  /** Sets the device's mode (0 loopback, 1 upper-case); false for another value. */
  setMode(mode: number): boolean {
    if (this.hardware === undefined || (mode !== 0 && mode !== 1)) return false;
    this.hardware.mode = mode;
    return true;
  }

  /** Runs `fn` under the command gate; ENXIO once the driver is going away. */
  async #gated(fn: (gate: IOCommandGate) => number | Promise<number>): Promise<number> {
    const gate = this.gate;
    if (gate === undefined || this.#stopping) return ENXIO;
    const r = await gate.runAction(() => fn(gate));
    return r >= 0 && r < 0x10000 ? r : ENXIO; // an IOReturn: the gate went away under us
  }
}
