/**
 * SampleHIDMouse: a HID driver for one mouse (VendorID/ProductID match on `IOHIDInterface`, probe
 * score above the generic IOHIDEventDriver so it wins). It walks the interface's parsed report
 * descriptor for the X, Y and button elements instead of assuming the boot layout, decodes each
 * report on its work loop, and keeps the pointer position and click count as properties.
 *
 * Work loop: reports are decoded under a command gate on the provider's work loop (the HID
 * interrupt pipe's completions arrive there). Power: two states; in state 0 reports are ignored.
 * User client: {@link SampleHIDMouseUserClient} (pointer position, last report, reset).
 *
 * Careful-driver behaviour: a report shorter than the elements need is dropped and counted (one log
 * line); a descriptor without X/Y fails start with a log line.
 */
import type { IOService as IOServiceType } from "../../src/kernel/index.ts";
import { IOCommandGate, IOService, kIOPMDeviceUsable, kIOPMPowerOn } from "../../src/kernel/index.ts";
import { IOHIDInterface, readField, type HIDElement } from "../../src/drivers/index.ts";
import { num } from "../../src/libkern/index.ts";

const POWER_STATES = [
  { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
  { version: 1, capabilityFlags: kIOPMDeviceUsable | kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: kIOPMPowerOn },
];

export { SampleHIDMouseUserClient } from "./SampleHIDMouseUserClient.ts";

interface Field { readonly bitOffset: number; readonly size: number; readonly signed: boolean }

export class SampleHIDMouse extends IOService {
  #x = 0; #y = 0; #clicks = 0; #short = 0; #buttons = 0;
  #powered = true;
  /** The gate reports are handled under (the user client runs there too). */
  gate: IOCommandGate | undefined;
  /** The last input report, as received. */
  lastReport = new Uint8Array(0);

  get pointer(): { x: number; y: number; clicks: number } { return { x: this.#x, y: this.#y, clicks: this.#clicks }; }
  resetPointer(): void {
    this.#x = 0;
    this.#y = 0;
    this.setProperty("PointerX", num(0, 32));
    this.setProperty("PointerY", num(0, 32));
  }

  override start(provider: IOServiceType): boolean {
    if (!super.start(provider) || !(provider instanceof IOHIDInterface)) return false;
    const d = provider.reportDescriptor;
    const field = (page: number, usage: number): Field | undefined => {
      for (const e of d?.elements ?? []) {
        if (e.kind !== "input" || e.usagePage !== page) continue;
        const i = e.usages.indexOf(usage);
        if (i >= 0) return { bitOffset: e.bitOffset + i * e.reportSize, size: e.reportSize, signed: e.logicalMin < 0 };
      }
      return undefined;
    };
    const fx = field(1, 0x30), fy = field(1, 0x31);
    const buttons = d?.elements.find((e: HIDElement) => e.kind === "input" && e.usagePage === 9);
    if (fx === undefined || fy === undefined) {
      this.IOLog(`SampleHIDMouse: ${provider.getName()}: no X/Y elements in the report descriptor`);
      return false;
    }
    const need = Math.ceil(Math.max(fx.bitOffset + fx.size, fy.bitOffset + fy.size) / 8);
    const gate = IOCommandGate.commandGate(this);
    this.getWorkLoop().addEventSource(gate);
    this.gate = gate;
    this.resources.defer(() => this.getWorkLoop().removeEventSource(gate));
    const ok = provider.openWithHandler(this, (report) => {
      if (report.length < need) {
        if (this.#short++ === 0) this.IOLog(`SampleHIDMouse: short report (${report.length} of ${need} bytes); dropping`);
        return;
      }
      if (this.#powered) void gate.runAction(() => { this.#handle(report, fx, fy, buttons); return 0; });
    });
    if (!ok) return false;
    this.resources.defer(() => provider.close(this));
    this.PMinit();
    provider.joinPMtree(this);
    this.registerPowerDriver(this, POWER_STATES);
    this.changePowerStateTo(1);
    this.resources.defer(() => this.PMstop());
    this.registerService();
    return true;
  }

  #handle(report: Uint8Array, fx: Field, fy: Field, buttons: HIDElement | undefined): void {
    this.lastReport = report.slice();
    const sx = (v: number, f: Field) => (f.signed && v & (1 << (f.size - 1)) ? v - (1 << f.size) : v);
    this.#x += sx(readField(report, fx.bitOffset, fx.size), fx);
    this.#y += sx(readField(report, fy.bitOffset, fy.size), fy);
    const b = buttons ? readField(report, buttons.bitOffset, buttons.reportSize * buttons.reportCount) : 0;
    if (b & ~this.#buttons & 1) this.#clicks++;
    this.#buttons = b;
    this.setProperty("PointerX", num(this.#x, 32));
    this.setProperty("PointerY", num(this.#y, 32));
    this.setProperty("Clicks", num(this.#clicks, 32));
  }

  /** The interface is going away: close it so its termination can finish. */
  override didTerminate(provider: IOServiceType, options: number): boolean {
    if (provider.isOpen(this)) provider.close(this);
    return super.didTerminate(provider, options);
  }

  override setPowerState(state: number, _device: IOServiceType): number {
    this.#powered = state !== 0;
    return 0;
  }
}
