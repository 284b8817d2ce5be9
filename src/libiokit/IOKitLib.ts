/**
 * IOKitLib for TypeScript: a user-space client of a kernel reached through a {@link Transport}
 * (in-process or a daemon's socket — the API cannot tell them apart).
 *
 * Objects the kernel hands out are {@link IOObjectRef}s naming a handle in this connection's
 * name space; `release()` gives one reference back, and closing the library releases them all.
 * Kernel errors arrive as IOReturnError with the kernel's code.
 *
 * Events (matching and interest notifications, async completions) arrive addressed to a handle.
 * A reply and the first events after it can arrive in the same read, before the caller has
 * registered for them, so events for handles nobody listens to yet are held (boundedly) and handed
 * over when the listener registers.
 */
import { IOReturnError, kIOReturnBadArgument, kIOReturnSuccess, type IOReturn } from "../base/index.ts";
import {
  Routine, kIOAsyncCompletionNotificationType, kIOMaxScalars, kIOServiceMessageNotificationType, snapshotFromWire,
  type Transport, type WireValue,
} from "../ipc/index.ts";
import type { IORegistrySnapshot } from "../formats/index.ts";
import type { OSDictionary, OSValue } from "../libkern/index.ts";
import { listDevices, openDevice, type DevEntry, type DeviceFile } from "./DeviceFile.ts";

/** Notification types of `addMatchingNotification`. */
export type MatchingNotificationType =
  | "IOServicePublish" | "IOServiceFirstPublish" | "IOServiceMatched" | "IOServiceFirstMatch" | "IOServiceTerminate" | "IOServiceWillTerminate";

/** Interest types of `addInterestNotification`. */
export type InterestType = "IOGeneralInterest" | "IOBusyInterest" | "IOAppPowerStateInterest" | "IOPriorityPowerStateInterest";

/** Inputs and output sizes of a method call. */
export interface MethodCall {
  readonly scalarInput?: readonly (bigint | number)[];
  readonly structureInput?: Uint8Array;
  readonly scalarOutputCount?: number;
  /** Bytes of structure output wanted; `kIOConnectMethodVarOutputSize` (-3) for a kernel-sized one. */
  readonly structureOutputSize?: number;
}

/** What a method call returns. */
export interface MethodResult {
  readonly scalarOutput: bigint[];
  readonly structureOutput: Uint8Array;
}

/** An async completion: the result and the arguments the driver sent. */
export type AsyncCompletion = (result: IOReturn, args: bigint[]) => void;

const MAX_HELD_EVENTS = 4096;

/** A connection to a kernel. */
export class IOKitLib {
  readonly transport: Transport;
  readonly #listeners = new Map<number, (payload: WireValue) => void>();
  readonly #held = new Map<number, WireValue[]>();
  #heldCount = 0;
  #port: Promise<number> | undefined;
  #nextRef = 1n;
  readonly #completions = new Map<bigint, AsyncCompletion>();

  constructor(transport: Transport) {
    this.transport = transport;
    transport.onEvent((port, payload) => this.#event(port, payload));
  }

  /** Calls a kernel routine by name (the compat layer and tools use this). */
  call(op: string, ...args: WireValue[]): Promise<WireValue> {
    return this.transport.call(op, args);
  }

  #event(port: number, payload: WireValue): void {
    const l = this.#listeners.get(port);
    if (l) return l(payload);
    if (this.#heldCount >= MAX_HELD_EVENTS) return;
    const q = this.#held.get(port) ?? [];
    q.push(payload);
    this.#held.set(port, q);
    this.#heldCount++;
  }

  /** @internal Routes events for `port` to `fn`, first those already held. */
  listen(port: number, fn: (payload: WireValue) => void): void {
    this.#listeners.set(port, fn);
    const q = this.#held.get(port);
    if (q) {
      this.#held.delete(port);
      this.#heldCount -= q.length;
      for (const p of q) fn(p);
    }
  }

  /** @internal */
  unlisten(port: number): void {
    this.#listeners.delete(port);
    const q = this.#held.get(port);
    if (q) this.#heldCount -= q.length;
    this.#held.delete(port);
  }

  /** Wraps a service handle. */
  service(handle: number): IOServiceRef {
    return new IOServiceRef(this, handle);
  }

  /** `IOServiceGetMatchingServices`: active services whose matching has finished. */
  async getMatchingServices(matching: OSDictionary): Promise<IOServiceRef[]> {
    const hs = await this.call(Routine.getMatchingServices, matching);
    return handles(hs).map((h) => this.service(h));
  }

  /** `IOServiceGetMatchingService`: the first, or undefined. */
  async getMatchingService(matching: OSDictionary): Promise<IOServiceRef | undefined> {
    const all = await this.getMatchingServices(matching);
    for (const s of all.slice(1)) await s.release();
    return all[0];
  }

  /** `IORegistryGetRootEntry`. */
  async rootEntry(): Promise<IORegistryEntryRef> {
    return new IORegistryEntryRef(this, asHandle(await this.call(Routine.getRootEntry)));
  }

  /** `IORegistryEntryFromPath` (e.g. `IOService:/IOResources`). */
  async entryFromPath(path: string): Promise<IORegistryEntryRef> {
    return new IOServiceRef(this, asHandle(await this.call(Routine.entryFromPath, path)));
  }

  /** The whole registry in one call (what ioreg reads). */
  async registrySnapshot(): Promise<IORegistrySnapshot> {
    return snapshotFromWire(await this.call(Routine.registrySnapshot));
  }

  /** `IOKitWaitQuiet`: resolves when the service plane is quiet; rejects kIOReturnTimeout after `timeoutMs`. */
  async waitQuiet(timeoutMs?: number): Promise<void> {
    await this.call(Routine.serviceWaitQuiet, 0, timeoutMs ?? null);
  }

  /**
   * `IOServiceAddMatchingNotification`: `callback` gets services as they reach the state `type`
   * names; for the publish and matched types it first gets those already there (arming).
   */
  async addMatchingNotification(type: MatchingNotificationType, matching: OSDictionary, callback: (services: IOServiceRef[]) => void): Promise<IONotification> {
    const r = await this.call(Routine.addMatchingNotification, type, matching);
    if (!Array.isArray(r) || typeof r[0] !== "number") throw new IOReturnError(kIOReturnBadArgument, "bad notification reply");
    const handle = r[0];
    const initial = handles(r[1] ?? []).map((h) => this.service(h));
    if (initial.length > 0) callback(initial);
    this.listen(handle, (p) => {
      if (Array.isArray(p) && Array.isArray(p[2])) callback(handles(p[2]).map((h) => this.service(h)));
    });
    return new IONotification(this, handle);
  }

  /** `IOServiceAddInterestNotification`: `callback(messageType, argument)` for messages about `service`. */
  async addInterestNotification(service: IOServiceRef, type: InterestType, callback: (messageType: number, argument: WireValue) => void): Promise<IONotification> {
    const handle = asHandle(await this.call(Routine.addInterestNotification, service.handle, type));
    this.listen(handle, (p) => {
      if (Array.isArray(p) && p[1] === kIOServiceMessageNotificationType && typeof p[3] === "number") callback(p[3], p[4] ?? null);
    });
    return new IONotification(this, handle);
  }

  /** The notification port for async completions (created on first use). */
  asyncPort(): Promise<number> {
    this.#port ??= this.call(Routine.portCreate).then((p) => {
      const port = asHandle(p);
      this.listen(port, (payload) => this.#completion(payload));
      return port;
    });
    return this.#port;
  }

  /** @internal Registers a one-shot completion; returns its reference value. */
  addCompletion(fn: AsyncCompletion): bigint {
    const ref = this.#nextRef++;
    this.#completions.set(ref, fn);
    return ref;
  }

  /** @internal */
  dropCompletion(ref: bigint): void {
    this.#completions.delete(ref);
  }

  #completion(p: WireValue): void {
    if (!Array.isArray(p) || p[1] !== kIOAsyncCompletionNotificationType || !Array.isArray(p[2])) return;
    const ref = p[2][1];
    if (typeof ref !== "bigint") return;
    const fn = this.#completions.get(ref);
    if (!fn) return;
    this.#completions.delete(ref);
    fn(typeof p[3] === "number" ? p[3] : kIOReturnSuccess, bigints(p[4] ?? null));
  }

  /** The kernel log: lines (time in ns, text) and how many were dropped. */
  async kernelLog(): Promise<{ lines: Array<{ timeNs: number; text: string }>; dropped: number }> {
    const r = await this.call(Routine.kernelLog);
    if (!Array.isArray(r) || !Array.isArray(r[0])) return { lines: [], dropped: 0 };
    const lines = r[0].flatMap((l) => (Array.isArray(l) && typeof l[0] === "number" && typeof l[1] === "string" ? [{ timeNs: l[0], text: l[1] }] : []));
    return { lines, dropped: typeof r[1] === "number" ? r[1] : 0 };
  }

  /** `open(2)` on a device node (`/dev/<name>`); rejects with an ErrnoError. */
  open(path: string, flags?: number): Promise<DeviceFile> {
    return openDevice(this, path, flags);
  }

  /** The nodes in `/dev`. */
  devices(): Promise<DevEntry[]> {
    return listDevices(this);
  }

  /** Handles this connection holds in the kernel (the port-name count). */
  async handleCount(): Promise<number> {
    return Number(await this.call(Routine.handleCount));
  }

  /** Closes the connection; the kernel releases everything it held. */
  close(): void {
    this.transport.close();
  }
}

function asHandle(v: WireValue): number {
  if (typeof v !== "number") throw new IOReturnError(kIOReturnBadArgument, "kernel returned no handle");
  return v;
}

/** The numbers of a wire array (handles). */
export function handles(v: WireValue): number[] {
  return Array.isArray(v) ? (v as WireValue[]).filter((x): x is number => typeof x === "number") : [];
}

/** The empty structure every call without one sends (and an absent output reads as): no bytes to change. */
const kNoStructure = Object.freeze(new Uint8Array(0)) as Uint8Array;

/** `IOConnectCallMethod`'s outputs from the kernel's reply. */
function methodResult(r: WireValue): MethodResult {
  if (!Array.isArray(r)) throw new IOReturnError(kIOReturnBadArgument, "bad method reply");
  return { scalarOutput: bigints(r[0] ?? null), structureOutput: r[1] instanceof Uint8Array ? r[1] : kNoStructure };
}

/** The bigints of a wire array (scalars). */
export function bigints(v: WireValue): bigint[] {
  return Array.isArray(v) ? (v as WireValue[]).filter((x): x is bigint => typeof x === "bigint") : [];
}

/** A kernel object this connection names. */
export class IOObjectRef {
  readonly lib: IOKitLib;
  readonly handle: number;

  constructor(lib: IOKitLib, handle: number) {
    this.lib = lib;
    this.handle = handle;
  }

  /** `IOObjectRelease`. */
  async release(): Promise<void> {
    await this.lib.call(Routine.objectRelease, this.handle);
  }

  /** `IOObjectGetClass`. */
  async className(): Promise<string> {
    return String(await this.lib.call(Routine.objectGetClass, this.handle));
  }

  /** `IOObjectConformsTo`. */
  async conformsTo(className: string): Promise<boolean> {
    return (await this.lib.call(Routine.objectConformsTo, this.handle, className)) === true;
  }
}

/** A registry entry. */
export class IORegistryEntryRef extends IOObjectRef {
  /** `IORegistryEntryCreateCFProperties`: the whole property table. */
  async properties(): Promise<OSDictionary> {
    return (await this.lib.call(Routine.entryGetProperties, this.handle)) as OSDictionary;
  }

  /** `IORegistryEntryCreateCFProperty`: one key, or undefined. */
  async property(key: string): Promise<OSValue | undefined> {
    return ((await this.lib.call(Routine.entryGetProperty, this.handle, key)) ?? undefined) as OSValue | undefined;
  }

  /** `IORegistryEntrySearchCFProperty`: this entry, then (options) its descendants or ancestors. */
  async searchProperty(key: string, options: { plane?: string; recursive?: boolean; parents?: boolean } = {}): Promise<OSValue | undefined> {
    const flags = (options.recursive ? 1 : 0) | (options.parents ? 2 : 0);
    return ((await this.lib.call(Routine.entrySearchProperty, this.handle, options.plane ?? "IOService", key, flags)) ?? undefined) as OSValue | undefined;
  }

  /** `IORegistryEntryGetName` / `GetNameInPlane`. */
  async name(plane?: string): Promise<string> {
    return String(await this.lib.call(Routine.entryGetName, this.handle, plane ?? null));
  }

  /** `IORegistryEntryGetPath`. */
  async path(plane = "IOService"): Promise<string> {
    return String(await this.lib.call(Routine.entryGetPath, this.handle, plane));
  }

  /** `IORegistryEntryGetRegistryEntryID`. */
  async entryID(): Promise<bigint> {
    return (await this.lib.call(Routine.entryGetID, this.handle)) as bigint;
  }

  /** `IORegistryEntryGetChildIterator`, drained. */
  async children(plane = "IOService"): Promise<IOServiceRef[]> {
    return handles(await this.lib.call(Routine.entryGetChildren, this.handle, plane)).map((h) => this.lib.service(h));
  }

  /** `IORegistryEntryGetParentIterator`, drained. */
  async parents(plane = "IOService"): Promise<IOServiceRef[]> {
    return handles(await this.lib.call(Routine.entryGetParents, this.handle, plane)).map((h) => this.lib.service(h));
  }
}

/** A service. */
export class IOServiceRef extends IORegistryEntryRef {
  /** `IOServiceOpen(service, task, type)`. */
  async open(type = 0): Promise<IOConnectRef> {
    return new IOConnectRef(this.lib, asHandle(await this.lib.call(Routine.serviceOpen, this.handle, type, null)));
  }

  /** `IOServiceGetBusyState`. */
  async busyState(): Promise<number> {
    return Number(await this.lib.call(Routine.serviceGetBusyState, this.handle));
  }

  /** `IOServiceWaitQuiet`. */
  async waitQuiet(timeoutMs?: number): Promise<void> {
    await this.lib.call(Routine.serviceWaitQuiet, this.handle, timeoutMs ?? null);
  }
}

/** A connection to a user client (`io_connect_t`, itself an `io_object_t`). */
export class IOConnectRef extends IOObjectRef {
  /** `IOConnectCallMethod`. */
  callMethod(selector: number, call: MethodCall = {}): Promise<MethodResult> {
    return this.#call(selector, call, null);
  }

  /**
   * `IOConnectCallAsyncMethod`: the synchronous part's result, and `completion` later with the
   * driver's `sendAsyncResult64` result and arguments.
   */
  async callAsyncMethod(selector: number, call: MethodCall, completion: AsyncCompletion): Promise<MethodResult> {
    const port = await this.lib.asyncPort();
    const ref = this.lib.addCompletion(completion);
    try {
      return await this.#call(selector, call, [BigInt(port), ref]);
    } catch (e) {
      this.lib.dropCompletion(ref);
      throw e;
    }
  }

  #call(selector: number, call: MethodCall, asyncRef: bigint[] | null): Promise<MethodResult> {
    const input = call.scalarInput ?? [];
    if (input.length > kIOMaxScalars || (call.scalarOutputCount ?? 0) > kIOMaxScalars) {
      return Promise.reject(new IOReturnError(kIOReturnBadArgument, `at most ${kIOMaxScalars} scalars each way`));
    }
    let scalars = input as readonly (bigint | number)[];
    if (!scalars.every((x) => typeof x === "bigint")) {
      try {
        scalars = input.map((x) => (typeof x === "bigint" ? x : BigInt(x)));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.lib.call(Routine.connectMethod, this.handle, selector, scalars as bigint[], call.structureInput ?? kNoStructure,
      call.scalarOutputCount ?? 0, call.structureOutputSize ?? 0, asyncRef).then(methodResult);
  }


  /** `IOConnectMapMemory64`: the user client's memory of `type`. */
  async mapMemory(type: number, options = 0): Promise<IOMemoryMap> {
    const r = await this.lib.call(Routine.connectMapMemory, this.handle, type, options);
    if (!Array.isArray(r) || typeof r[0] !== "number" || typeof r[1] !== "number") throw new IOReturnError(kIOReturnBadArgument, "bad map reply");
    return new IOMemoryMap(this, type, r[0], r[1], r[3] instanceof Uint8Array ? r[3] : undefined);
  }

  /** `IOServiceClose`. */
  async close(): Promise<void> {
    await this.lib.call(Routine.serviceClose, this.handle);
  }
}

/**
 * A mapping of user-client memory. In one process `bytes` is the driver's buffer itself; across
 * processes `bytes` is undefined and `read`/`write` copy ranges (see docs/ipc.md).
 */
export class IOMemoryMap {
  readonly connect: IOConnectRef;
  readonly type: number;
  readonly handle: number;
  readonly size: number;
  readonly bytes: Uint8Array | undefined;

  constructor(connect: IOConnectRef, type: number, handle: number, size: number, bytes: Uint8Array | undefined) {
    this.connect = connect;
    this.type = type;
    this.handle = handle;
    this.size = size;
    this.bytes = bytes;
  }

  async read(offset = 0, length = this.size - offset): Promise<Uint8Array> {
    if (this.bytes) return this.bytes.slice(offset, offset + length);
    return (await this.connect.lib.call(Routine.memoryRead, this.handle, offset, length)) as Uint8Array;
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    if (this.bytes && offset + data.length <= this.bytes.length) this.bytes.set(data, offset);
    else await this.connect.lib.call(Routine.memoryWrite, this.handle, offset, data);
  }

  /** `IOConnectUnmapMemory64`. */
  async unmap(): Promise<void> {
    await this.connect.lib.call(Routine.connectUnmapMemory, this.connect.handle, this.type, this.handle);
  }
}

/** A notification registration (`io_object_t` of a notification). */
export class IONotification extends IOObjectRef {
  /** Stops delivery and frees the kernel's notification object. */
  async remove(): Promise<void> {
    this.lib.unlisten(this.handle);
    await this.lib.call(Routine.objectRelease, this.handle);
  }
}
