/**
 * Apple's IOKitLib C API with its names, over {@link IOKitLib}. Out-parameters are `Out<T>` boxes
 * (`{value}`), results are `kern_return_t`/IOReturn, handles are numbers (`io_object_t`,
 * `io_connect_t`); iterators are client-side lists, as the kernel fills them in one reply.
 * Every call is asynchronous (returns a Promise): the kernel is in another process or on the
 * event loop. `kIOMainPortDefault` (0) means the library set with {@link IOKitSetMainPort}.
 */
import { IOReturnError, kIOReturnBadArgument, kIOReturnNoDevice, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { Routine, type WireValue } from "../../ipc/index.ts";
import type { OSDictionary, OSValue } from "../../libkern/index.ts";
import { IOKitLib, IOConnectRef, handles, type AsyncCompletion, type InterestType, type MatchingNotificationType } from "../IOKitLib.ts";
import { bsdNameMatching, nameMatching, serviceMatching } from "../matching.ts";

/** An out-parameter. */
export interface Out<T> {
  value?: T;
}
export type io_object_t = number;
export type io_service_t = number;
export type io_registry_entry_t = number;
export type io_connect_t = number;
export type io_iterator_t = number;
export type mach_port_t = number;

export const kIOMainPortDefault: mach_port_t = 0;
export const MACH_PORT_NULL = 0;
export const IO_OBJECT_NULL = 0;
export const kIORegistryIterateRecursively = 1;
export const kIORegistryIterateParents = 2;
export const kIOServicePlane = "IOService";

let mainLib: IOKitLib | undefined;
const libs = new Map<mach_port_t, IOKitLib>();
const iterators = new Map<io_iterator_t, { items: number[]; pos: number; lib: IOKitLib }>();
let nextIterator = 0x7000_0001;

/** Sets the library behind `kIOMainPortDefault`; returns its port. */
export function IOKitSetMainPort(lib: IOKitLib): mach_port_t {
  mainLib = lib;
  libs.set(1, lib);
  return 1;
}

function lib(port: mach_port_t): IOKitLib {
  const l = port === kIOMainPortDefault ? mainLib : libs.get(port);
  if (!l) throw new IOReturnError(kIOReturnNoDevice, "no IOKit main port (call IOKitSetMainPort)");
  return l;
}

/** Runs `fn`, turning an IOReturnError into its code. */
async function kr(fn: () => Promise<void>): Promise<IOReturn> {
  try {
    await fn();
    return kIOReturnSuccess;
  } catch (e) {
    if (e instanceof IOReturnError) return e.code;
    throw e;
  }
}

function newIterator(l: IOKitLib, items: WireValue): io_iterator_t {
  const it = nextIterator++;
  iterators.set(it, { items: handles(items), pos: 0, lib: l });
  return it;
}

/** `IOMainPort(bootstrap, &port)`. */
export function IOMainPort(_bootstrap: mach_port_t, port: Out<mach_port_t>): IOReturn {
  if (!mainLib) return kIOReturnNoDevice;
  port.value = 1;
  return kIOReturnSuccess;
}

export const IOServiceMatching = (name: string): OSDictionary => serviceMatching(name);
export const IOServiceNameMatching = (name: string): OSDictionary => nameMatching(name);
export const IOBSDNameMatching = (_port: mach_port_t, _options: number, bsdName: string): OSDictionary => bsdNameMatching(bsdName);

/** `IOServiceGetMatchingServices`: only services whose matching has finished (spec §1.7). */
export function IOServiceGetMatchingServices(port: mach_port_t, matching: OSDictionary, existing: Out<io_iterator_t>): Promise<IOReturn> {
  return kr(async () => {
    const l = lib(port);
    existing.value = newIterator(l, await l.call(Routine.getMatchingServices, matching));
  });
}

/** `IOServiceGetMatchingService`: the first match, or 0. */
export async function IOServiceGetMatchingService(port: mach_port_t, matching: OSDictionary): Promise<io_service_t> {
  const it: Out<io_iterator_t> = {};
  if ((await IOServiceGetMatchingServices(port, matching, it)) !== kIOReturnSuccess || it.value === undefined) return 0;
  const first = IOIteratorNext(it.value);
  for (let o = IOIteratorNext(it.value); o !== 0; o = IOIteratorNext(it.value)) await IOObjectRelease(o);
  IOObjectReleaseIterator(it.value);
  return first;
}

/** `IOIteratorNext`: the next object or 0. */
export function IOIteratorNext(iterator: io_iterator_t): io_object_t {
  const it = iterators.get(iterator);
  if (!it || it.pos >= it.items.length) return 0;
  return it.items[it.pos++] as number;
}

export function IOIteratorReset(iterator: io_iterator_t): void {
  const it = iterators.get(iterator);
  if (it) it.pos = 0;
}

export const IOIteratorIsValid = (iterator: io_iterator_t): boolean => iterators.has(iterator);

/** Releases an iterator (its remaining objects are not released). */
export function IOObjectReleaseIterator(iterator: io_iterator_t): void {
  iterators.delete(iterator);
}

/** `IOObjectRelease` on the default main port's objects (iterators too). */
export function IOObjectRelease(object: io_object_t): Promise<IOReturn> {
  if (iterators.delete(object)) return Promise.resolve(kIOReturnSuccess);
  return kr(async () => void (await lib(0).call(Routine.objectRelease, object)));
}

export function IOObjectGetClass(object: io_object_t, className: Out<string>): Promise<IOReturn> {
  return kr(async () => {
    className.value = String(await lib(0).call(Routine.objectGetClass, object));
  });
}

export async function IOObjectConformsTo(object: io_object_t, className: string): Promise<boolean> {
  try {
    return (await lib(0).call(Routine.objectConformsTo, object, className)) === true;
  } catch {
    return false;
  }
}

export function IORegistryGetRootEntry(port: mach_port_t): Promise<io_registry_entry_t> {
  return lib(port).call(Routine.getRootEntry).then((h) => Number(h));
}

export function IORegistryEntryFromPath(port: mach_port_t, path: string): Promise<io_registry_entry_t> {
  return lib(port).call(Routine.entryFromPath, path).then((h) => Number(h), () => 0);
}

export function IORegistryEntryCreateCFProperties(entry: io_registry_entry_t, properties: Out<OSDictionary>, _allocator?: unknown, _options = 0): Promise<IOReturn> {
  return kr(async () => {
    properties.value = (await lib(0).call(Routine.entryGetProperties, entry)) as OSDictionary;
  });
}

/** The property, or undefined (CF's NULL). */
export async function IORegistryEntryCreateCFProperty(entry: io_registry_entry_t, key: string, _allocator?: unknown, _options = 0): Promise<OSValue | undefined> {
  try {
    return ((await lib(0).call(Routine.entryGetProperty, entry, key)) ?? undefined) as OSValue | undefined;
  } catch {
    return undefined;
  }
}

export async function IORegistryEntrySearchCFProperty(entry: io_registry_entry_t, plane: string, key: string, _allocator: unknown, options: number): Promise<OSValue | undefined> {
  try {
    return ((await lib(0).call(Routine.entrySearchProperty, entry, plane, key, options)) ?? undefined) as OSValue | undefined;
  } catch {
    return undefined;
  }
}

export function IORegistryEntryGetName(entry: io_registry_entry_t, name: Out<string>): Promise<IOReturn> {
  return kr(async () => {
    name.value = String(await lib(0).call(Routine.entryGetName, entry, null));
  });
}

export function IORegistryEntryGetNameInPlane(entry: io_registry_entry_t, plane: string, name: Out<string>): Promise<IOReturn> {
  return kr(async () => {
    name.value = String(await lib(0).call(Routine.entryGetName, entry, plane));
  });
}

export function IORegistryEntryGetPath(entry: io_registry_entry_t, plane: string, path: Out<string>): Promise<IOReturn> {
  return kr(async () => {
    path.value = String(await lib(0).call(Routine.entryGetPath, entry, plane));
  });
}

export function IORegistryEntryGetRegistryEntryID(entry: io_registry_entry_t, id: Out<bigint>): Promise<IOReturn> {
  return kr(async () => {
    id.value = (await lib(0).call(Routine.entryGetID, entry)) as bigint;
  });
}

export function IORegistryEntryGetChildIterator(entry: io_registry_entry_t, plane: string, iterator: Out<io_iterator_t>): Promise<IOReturn> {
  return kr(async () => {
    iterator.value = newIterator(lib(0), await lib(0).call(Routine.entryGetChildren, entry, plane));
  });
}

export function IORegistryEntryGetParentIterator(entry: io_registry_entry_t, plane: string, iterator: Out<io_iterator_t>): Promise<IOReturn> {
  return kr(async () => {
    iterator.value = newIterator(lib(0), await lib(0).call(Routine.entryGetParents, entry, plane));
  });
}

export function IOServiceGetBusyState(service: io_service_t, busyState: Out<number>): Promise<IOReturn> {
  return kr(async () => {
    busyState.value = Number(await lib(0).call(Routine.serviceGetBusyState, service));
  });
}

/** A `mach_timespec_t`. */
export interface mach_timespec_t {
  readonly tv_sec: number;
  readonly tv_nsec: number;
}
const timeoutMs = (t: mach_timespec_t | null | undefined): number | null => (t ? t.tv_sec * 1000 + t.tv_nsec / 1e6 : null);

export function IOServiceWaitQuiet(service: io_service_t, waitTime?: mach_timespec_t | null): Promise<IOReturn> {
  return kr(async () => void (await lib(0).call(Routine.serviceWaitQuiet, service, timeoutMs(waitTime))));
}

/** `IOKitWaitQuiet(mainPort, waitTime)`: the whole service plane. */
export function IOKitWaitQuiet(port: mach_port_t, waitTime?: mach_timespec_t | null): Promise<IOReturn> {
  return kr(async () => void (await lib(port).call(Routine.serviceWaitQuiet, 0, timeoutMs(waitTime))));
}

/** `IOServiceOpen(service, owningTask, type, &connect)`. */
export function IOServiceOpen(service: io_service_t, _owningTask: mach_port_t, type: number, connect: Out<io_connect_t>): Promise<IOReturn> {
  return kr(async () => {
    connect.value = Number(await lib(0).call(Routine.serviceOpen, service, type, null));
  });
}

export function IOServiceClose(connect: io_connect_t): Promise<IOReturn> {
  return kr(async () => void (await lib(0).call(Routine.serviceClose, connect)));
}

/**
 * `IOConnectCallMethod`: `outputCnt`/`outputStructCnt` carry the capacities in and the actual
 * counts out, as in C.
 */
export function IOConnectCallMethod(
  connection: io_connect_t, selector: number, input: readonly bigint[] | null, inputCnt: number, inputStruct: Uint8Array | null,
  inputStructCnt: number, output: bigint[] | null, outputCnt: Out<number> | null, outputStruct: Uint8Array | null, outputStructCnt: Out<number> | null,
): Promise<IOReturn> {
  return kr(async () => {
    const ref = new IOConnectRef(lib(0), connection);
    const r = await ref.callMethod(selector, {
      scalarInput: (input ?? []).slice(0, inputCnt), structureInput: (inputStruct ?? new Uint8Array(0)).subarray(0, inputStructCnt),
      scalarOutputCount: outputCnt?.value ?? 0, structureOutputSize: outputStructCnt?.value ?? 0,
    });
    if (output) r.scalarOutput.forEach((v, i) => (output[i] = v));
    if (outputCnt) outputCnt.value = r.scalarOutput.length;
    if (outputStruct) outputStruct.set(r.structureOutput.subarray(0, outputStruct.length));
    if (outputStructCnt) outputStructCnt.value = r.structureOutput.length;
  });
}

/** `IOConnectCallScalarMethod`. */
export const IOConnectCallScalarMethod = (connection: io_connect_t, selector: number, input: readonly bigint[], inputCnt: number, output: bigint[] | null, outputCnt: Out<number> | null): Promise<IOReturn> =>
  IOConnectCallMethod(connection, selector, input, inputCnt, null, 0, output, outputCnt, null, null);

/** `IOConnectCallStructMethod`. */
export const IOConnectCallStructMethod = (connection: io_connect_t, selector: number, inputStruct: Uint8Array | null, inputStructCnt: number, outputStruct: Uint8Array | null, outputStructCnt: Out<number> | null): Promise<IOReturn> =>
  IOConnectCallMethod(connection, selector, null, 0, inputStruct, inputStructCnt, null, null, outputStruct, outputStructCnt);

/** An `IONotificationPortRef`: where notifications and async completions are delivered. */
export interface IONotificationPortRef {
  readonly lib: IOKitLib;
}

export const IONotificationPortCreate = (port: mach_port_t): IONotificationPortRef => ({ lib: lib(port) });
export function IONotificationPortDestroy(_notify: IONotificationPortRef): void {}

/** `IOConnectCallAsyncMethod`: `reference` is the callback and refcon (kIOAsyncCalloutFuncIndex/RefconIndex). */
export function IOConnectCallAsyncMethod(
  connection: io_connect_t, selector: number, wakePort: IONotificationPortRef, reference: { callback: (refcon: unknown, result: IOReturn, args: bigint[]) => void; refcon?: unknown },
  input: readonly bigint[] | null, inputCnt: number, inputStruct: Uint8Array | null, inputStructCnt: number,
  output: bigint[] | null, outputCnt: Out<number> | null, outputStruct: Uint8Array | null, outputStructCnt: Out<number> | null,
): Promise<IOReturn> {
  return kr(async () => {
    const ref = new IOConnectRef(wakePort.lib, connection);
    const done: AsyncCompletion = (result, args) => reference.callback(reference.refcon, result, args);
    const r = await ref.callAsyncMethod(selector, {
      scalarInput: (input ?? []).slice(0, inputCnt), structureInput: (inputStruct ?? new Uint8Array(0)).subarray(0, inputStructCnt),
      scalarOutputCount: outputCnt?.value ?? 0, structureOutputSize: outputStructCnt?.value ?? 0,
    }, done);
    if (output) r.scalarOutput.forEach((v, i) => (output[i] = v));
    if (outputCnt) outputCnt.value = r.scalarOutput.length;
    if (outputStruct) outputStruct.set(r.structureOutput.subarray(0, outputStruct.length));
    if (outputStructCnt) outputStructCnt.value = r.structureOutput.length;
  });
}

/** `IOServiceMatchingCallback(refcon, iterator)`. */
export type IOServiceMatchingCallback = (refcon: unknown, iterator: io_iterator_t) => void;

/**
 * `IOServiceAddMatchingNotification`: `notification` receives an iterator holding the services
 * already there (for publish/matched types); drain it to arm, as in C. Later matches call back.
 */
export function IOServiceAddMatchingNotification(
  notifyPort: IONotificationPortRef, type: MatchingNotificationType, matching: OSDictionary, callback: IOServiceMatchingCallback, refcon: unknown,
  notification: Out<io_iterator_t>,
): Promise<IOReturn> {
  return kr(async () => {
    const l = notifyPort.lib;
    let first = true;
    let initial: io_iterator_t = newIterator(l, []);
    const n = await l.addMatchingNotification(type, matching, (services) => {
      const it = newIterator(l, services.map((s) => s.handle));
      if (first) initial = it;
      else callback(refcon, it);
    });
    first = false;
    notification.value = initial;
    notificationIterators.set(initial, n.handle);
  });
}
const notificationIterators = new Map<io_iterator_t, number>();

/** `IOServiceInterestCallback(refcon, service, messageType, messageArgument)`. */
export type IOServiceInterestCallback = (refcon: unknown, service: io_service_t, messageType: number, messageArgument: WireValue) => void;

export function IOServiceAddInterestNotification(
  notifyPort: IONotificationPortRef, service: io_service_t, interestType: InterestType, callback: IOServiceInterestCallback, refcon: unknown,
  notification: Out<io_object_t>,
): Promise<IOReturn> {
  return kr(async () => {
    const l = notifyPort.lib;
    const n = await l.addInterestNotification(l.service(service), interestType, (type, arg) => callback(refcon, service, type, arg));
    notification.value = n.handle;
  });
}

/** `IOConnectMapMemory64`: `address` receives the mapping (bytes in-process, read/write across processes). */
export function IOConnectMapMemory64(
  connect: io_connect_t, memoryType: number, _intoTask: mach_port_t, address: Out<import("../IOKitLib.ts").IOMemoryMap>, size: Out<number>, options: number,
): Promise<IOReturn> {
  return kr(async () => {
    const m = await new IOConnectRef(lib(0), connect).mapMemory(memoryType, options);
    address.value = m;
    size.value = m.size;
  });
}

export function IOConnectUnmapMemory64(_connect: io_connect_t, _memoryType: number, _fromTask: mach_port_t, address: import("../IOKitLib.ts").IOMemoryMap): Promise<IOReturn> {
  return kr(() => address.unmap());
}

/** Releases a matching notification given its iterator. */
export function IONotificationRelease(iterator: io_iterator_t): Promise<IOReturn> {
  const h = notificationIterators.get(iterator);
  iterators.delete(iterator);
  if (h === undefined) return Promise.resolve(kIOReturnBadArgument);
  notificationIterators.delete(iterator);
  return kr(async () => void (await lib(0).call(Routine.objectRelease, h)));
}
