/**
 * IOHIDFamily's generic event driver, `IOHIDEventDriver`: opens an {@link IOHIDInterface}, decodes
 * each input report through the parsed elements and dispatches keyboard (usage page 7, key
 * down/up by diffing the pressed set), pointer (relative X/Y, wheel, buttons) and digitizer
 * (tip switch, contact identifier, absolute X/Y) events. Events go to `IOHIDEventDriver.listeners`
 * (the HID system's event queue) and the last 64 stay in `recentEvents`.
 */
import { IOService, OSMetaClass } from "../../kernel/index.ts";
import { n } from "../machine/index.ts";
import { IOHIDInterface, kIOHIDFamilyBundleID } from "./IOHIDInterface.ts";
import { readField, type HIDElement, type HIDReportDescriptor } from "./parseReportDescriptor.ts";

export type HIDEvent =
  | { readonly type: "keyboard"; readonly usagePage: number; readonly usage: number; readonly down: boolean; readonly timestamp: number }
  | { readonly type: "pointer"; readonly dx: number; readonly dy: number; readonly buttons: number; readonly wheel: number; readonly timestamp: number }
  | { readonly type: "digitizer"; readonly contact: number; readonly tip: boolean; readonly x: number; readonly y: number; readonly timestamp: number };

const signedField = (v: number, size: number, min: number): number => (min < 0 && size < 32 && v & (1 << (size - 1)) ? v - (1 << size) : v);

/** Field values of an element: [usage, value] pairs. */
function fields(e: HIDElement, body: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const isVariable = (e.flags & 2) !== 0;
  for (let i = 0; i < e.reportCount; i++) {
    const raw = readField(body, e.bitOffset + i * e.reportSize, e.reportSize);
    const v = signedField(raw, e.reportSize, e.logicalMin);
    if (isVariable) out.push([e.usages[i] ?? e.usages[e.usages.length - 1] ?? e.usageMin + i, v]);
    else if (v !== 0 || e.logicalMin !== 0) out.push([e.usageMin + v - e.logicalMin, 1]);
  }
  return out;
}

export class IOHIDEventDriver extends IOService {
  /** The HID system's event consumers. */
  static readonly listeners = new Set<(driver: IOHIDEventDriver, event: HIDEvent) => void>();
  readonly recentEvents: HIDEvent[] = [];
  #keys = new Set<number>();
  #count = 0;

  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOHIDInterface)) return false;
    const d = provider.reportDescriptor;
    if (d === undefined) return false;
    if (!provider.openWithHandler(this, (r, t) => this.#handleReport(d, r, t))) return false;
    this.resources.defer(() => provider.close(this));
    this.registerService();
    return true;
  }

  #dispatch(e: HIDEvent): void {
    this.#count++;
    this.recentEvents.push(e);
    if (this.recentEvents.length > 64) this.recentEvents.shift();
    for (const l of IOHIDEventDriver.listeners) l(this, e);
  }

  #handleReport(d: HIDReportDescriptor, report: Uint8Array, t: number): void {
    const id = d.reportIDs.length > 0 ? (report[0] ?? 0) : 0;
    const body = d.reportIDs.length > 0 ? report.subarray(1) : report;
    const pressed = new Set<number>();
    let keyboard = false, pointer = false, digitizer = false;
    let dx = 0, dy = 0, wheel = 0, buttons = 0, x = 0, y = 0, tip = false, contact = 0;
    for (const e of d.elements) {
      if (e.kind !== "input" || e.reportID !== id || (e.flags & 1) !== 0) continue; // skip constants
      for (const [usage, v] of fields(e, body)) {
        const page = usage > 0xffff ? usage >>> 16 : e.usagePage;
        const u = usage & 0xffff;
        if (page === 7) { keyboard = true; if (v !== 0 && u > 3) pressed.add(u); }
        else if (page === 9) { pointer = true; if (v) buttons |= 1 << (u - 1); }
        else if (page === 1 && (u === 0x30 || u === 0x31)) {
          if (e.collection.usagePage === 0x0d) { digitizer = true; if (u === 0x30) x = v; else y = v; }
          else { pointer = true; if (u === 0x30) dx = v; else dy = v; }
        } else if (page === 1 && u === 0x38) wheel = v;
        else if (page === 0x0d && u === 0x42) { digitizer = true; tip = v !== 0; }
        else if (page === 0x0d && u === 0x51) contact = v;
      }
    }
    if (keyboard) {
      for (const k of pressed) if (!this.#keys.has(k)) this.#dispatch({ type: "keyboard", usagePage: 7, usage: k, down: true, timestamp: t });
      for (const k of this.#keys) if (!pressed.has(k)) this.#dispatch({ type: "keyboard", usagePage: 7, usage: k, down: false, timestamp: t });
      this.#keys = pressed;
    }
    if (pointer && !keyboard) this.#dispatch({ type: "pointer", dx, dy, buttons, wheel, timestamp: t });
    if (digitizer) this.#dispatch({ type: "digitizer", contact, tip, x, y, timestamp: t });
  }

  /** The interface is going away: close it so its termination can finish. */
  override didTerminate(provider: IOService, options: number): boolean {
    if (provider.isOpen(this)) provider.close(this);
    return super.didTerminate(provider, options);
  }

  /** Events dispatched so far. */
  get eventCount(): number {
    return this.#count;
  }

  override stop(provider: IOService): void {
    this.setProperty("HIDEventCount", n(this.#count));
    super.stop(provider);
  }
}
OSMetaClass.define(IOHIDEventDriver, "IOHIDEventDriver", { kmodName: kIOHIDFamilyBundleID });
