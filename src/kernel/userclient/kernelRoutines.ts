/**
 * The kernel routines a task may call (XNU's `is_io_*` in IOUserClient.cpp), keyed by
 * {@link Routine} name. Each takes the task's session and its positional arguments and returns a
 * wire value or throws an IOReturnError; the server turns either into a reply.
 */
import {
  IOReturnError, kIOReturnBadArgument, kIOReturnIPCError, kIOReturnNoMemory, kIOReturnNotFound, kIOReturnSuccess,
  kIOReturnUnsupported, type IOReturn,
} from "../../base/index.ts";
import {
  Routine, kIOConnectMethodVarOutputSize, kIOInbandStructMax, kIOMaxScalars, kIOServicePublishNotificationType,
  kIOServiceMatchedNotificationType, kIOServiceTerminatedNotificationType, kOSAsyncRef64Count, kOSNotificationMessageID,
  snapshotToWire, type WireValue,
} from "../../ipc/index.ts";
import type { OSValue } from "../../libkern/index.ts";
import { IORegistryEntry } from "../registry/index.ts";
import {
  IOService, gIOBusyInterest, gIOFirstMatchNotification, gIOFirstPublishNotification, gIOGeneralInterest, gIOMatchedNotification,
  gIOPublishNotification, gIOTerminatedNotification, gIOWillTerminateNotification, type IOInterestType, type IONotificationType,
} from "../service/index.ts";
import { IOMemoryDescriptor, kIOMapUserOptionsMask } from "./IOMemoryDescriptor.ts";
import type { IOExternalMethodArguments, IOUserClient } from "./IOUserClient.ts";
import type { IOKitSession } from "./IOKitSession.ts";
import { newUserClient } from "./newUserClient.ts";
import { RoutineArgs } from "./RoutineArgs.ts";
import { BSD_ROUTINES } from "./bsdRoutines.ts";
import { IONotificationPortObject, IOServiceMessageUserNotification, IOServiceUserNotification } from "./userNotifications.ts";

/** A kernel routine. */
export type KernelRoutine = (s: IOKitSession, a: RoutineArgs) => WireValue | Promise<WireValue>;

/** A routine and whether it needs a privileged task. */
export interface RoutineEntry {
  readonly privileged: boolean;
  readonly fn: KernelRoutine;
}

/** Largest structure output the kernel allocates for a call (the frame limit leaves room for the rest). */
export const kMaxStructureOutput = 8 * 1024 * 1024;

const MATCHING_TYPES: ReadonlyMap<string, number> = new Map([
  [gIOPublishNotification, kIOServicePublishNotificationType], [gIOFirstPublishNotification, kIOServicePublishNotificationType],
  [gIOMatchedNotification, kIOServiceMatchedNotificationType], [gIOFirstMatchNotification, kIOServiceMatchedNotificationType],
  [gIOTerminatedNotification, kIOServiceTerminatedNotificationType], [gIOWillTerminateNotification, kIOServiceTerminatedNotificationType],
]);

/** Interest types a task may register; the power ones are delivered by power management. */
export const kIOAppPowerStateInterest = "IOAppPowerStateInterest";
export const kIOPriorityPowerStateInterest = "IOPriorityPowerStateInterest";
const INTEREST_TYPES = new Set<string>([gIOGeneralInterest, gIOBusyInterest, kIOAppPowerStateInterest, kIOPriorityPowerStateInterest]);

const entryOf = (s: IOKitSession, h: number): IORegistryEntry => s.lookup(h, "entry").obj;

function serviceOf(s: IOKitSession, h: number): IOService {
  const e = entryOf(s, h);
  if (!(e instanceof IOService)) throw new IOReturnError(kIOReturnBadArgument, `0x${h.toString(16)} is not a service`);
  return e;
}

function planeArg(s: IOKitSession, a: RoutineArgs, i: number): string {
  const p = a.str(i);
  if (!s.kernel.registry.getPlane(p)) throw new IOReturnError(kIOReturnBadArgument, `no plane ${p}`);
  return p;
}

function propertiesOf(s: IOKitSession, e: IORegistryEntry): Map<string, OSValue> {
  if (e === s.kernel.registry.root) s.kernel.refreshDiagnostics();
  return new Map(e.properties);
}

function connectMethod(s: IOKitSession, a: RoutineArgs): WireValue | Promise<WireValue> {
  const uc = s.lookup(a.u32(0), "connect").obj;
  const selector = a.u32(1);
  const scalarInput = a.scalars(2, kIOMaxScalars);
  const structureInput = a.bytes(3);
  const scalarOutputCount = a.u32(4);
  const outSize = a.int(5);
  if (scalarOutputCount > kIOMaxScalars) throw new IOReturnError(kIOReturnBadArgument, `at most ${kIOMaxScalars} output scalars`);
  if (outSize > 0xffffffff) throw new IOReturnError(kIOReturnIPCError, "structure output larger than UINT_MAX");
  const variable = outSize === kIOConnectMethodVarOutputSize;
  if (!variable && outSize < 0) return a.bad(5, "a size or kIOConnectMethodVarOutputSize");
  // Divergence from XNU: an out-of-line output is a buffer the kernel allocates, so it is bounded.
  if (outSize > kMaxStructureOutput) throw new IOReturnError(kIOReturnNoMemory, `structure output of ${outSize} bytes exceeds ${kMaxStructureOutput}`);
  let asyncWakePort: number | null = null;
  let asyncReference: bigint[] | null = null;
  const ref = a.values[6];
  if (ref !== null && ref !== undefined) {
    const refs = a.scalars(6, kOSAsyncRef64Count);
    if (refs.length === 0) return a.bad(6, "an async reference starting with a port");
    asyncWakePort = Number(refs[0]);
    s.lookup(asyncWakePort, "port");
    asyncReference = [...refs, ...new Array<bigint>(kOSAsyncRef64Count - refs.length).fill(0n)];
  }
  const size = variable ? 0 : outSize;
  const args: IOExternalMethodArguments = {
    selector, asyncWakePort, asyncReference, scalarInput, scalarInputCount: scalarInput.length, structureInput,
    structureInputSize: structureInput.length,
    structureInputDescriptor: structureInput.length > kIOInbandStructMax ? new IOMemoryDescriptor(structureInput) : null,
    scalarOutput: new Array<bigint>(scalarOutputCount).fill(0n), scalarOutputCount,
    structureOutput: size === 0 ? kNoBytes : new Uint8Array(size), structureOutputSize: size,
    structureOutputDescriptor: null, structureOutputDescriptorSize: 0, structureVariableOutputData: null,
  };
  if (size > kIOInbandStructMax) {
    (args as { structureOutputDescriptor: IOMemoryDescriptor | null }).structureOutputDescriptor = new IOMemoryDescriptor(args.structureOutput);
    args.structureOutputDescriptorSize = size;
  }
  let ret: IOReturn | Promise<IOReturn>;
  try {
    ret = uc.withLock(() => uc.externalMethod(selector, args));
  } catch (e) {
    releaseMethodArgs(args);
    throw e;
  }
  // A synchronous method answers at once; an asynchronous one when its promise settles.
  if (!(ret instanceof Promise)) return methodReply(uc, args, ret, size, variable, scalarOutputCount);
  return ret.then((r) => methodReply(uc, args, r, size, variable, scalarOutputCount), (e: unknown) => {
    releaseMethodArgs(args);
    throw e;
  });
}

/** The zero-length output buffer every call without structure output shares (nothing to write). */
const kNoBytes = Object.freeze(new Uint8Array(0)) as Uint8Array;

function releaseMethodArgs(args: IOExternalMethodArguments): void {
  args.structureInputDescriptor?.release();
  args.structureOutputDescriptor?.release();
}

/** The reply of `io_connect_method` once the driver returned `ret`: its outputs, or its error. */
function methodReply(uc: IOUserClient, args: IOExternalMethodArguments, ret: IOReturn, size: number, variable: boolean, scalarOutputCount: number): WireValue {
  releaseMethodArgs(args);
  if (typeof ret !== "number") throw new IOReturnError(kIOReturnBadArgument, `${uc.className}::externalMethod returned no IOReturn`);
  if (ret !== kIOReturnSuccess) throw new IOReturnError(ret >>> 0, `${uc.className}::externalMethod(${args.selector})`);
  const outLen = Math.max(0, args.structureOutputDescriptor ? Math.min(args.structureOutputDescriptorSize, size) : Math.min(args.structureOutputSize, size));
  const out = args.structureOutput;
  const structOut = variable ? (args.structureVariableOutputData ?? kNoBytes) : outLen === out.length ? out : out.subarray(0, outLen);
  const n = Math.min(args.scalarOutputCount, scalarOutputCount);
  return [n === args.scalarOutput.length ? args.scalarOutput : args.scalarOutput.slice(0, n), structOut];
}

function addMatchingNotification(s: IOKitSession, a: RoutineArgs): WireValue {
  const type = a.str(0);
  const msgType = MATCHING_TYPES.get(type);
  if (msgType === undefined) return a.bad(0, "a notification type");
  const matching = a.dict(1);
  const note = new IOServiceUserNotification();
  let handle = 0;
  const initial: number[] = [];
  const notifier = s.kernel.addMatchingNotification(type as IONotificationType, matching, (service) => {
    if (handle === 0) initial.push(s.entryHandle(service));
    else s.send(handle, [kOSNotificationMessageID, msgType, [s.entryHandle(service)]]);
  });
  note.bind(() => notifier.remove());
  handle = s.addNotification(note);
  return [handle, initial];
}

function addInterestNotification(s: IOKitSession, a: RoutineArgs): WireValue {
  const h = a.u32(0);
  const service = serviceOf(s, h);
  const type = a.str(1);
  if (!INTEREST_TYPES.has(type)) return a.bad(1, "an interest type");
  const note = new IOServiceMessageUserNotification();
  let handle = 0;
  const registration = service.registerInterest(type as IOInterestType, (messageType, _provider, argument) => {
    if (handle !== 0) s.interestMessage(handle, h, messageType, argument);
    return kIOReturnSuccess;
  });
  note.bind(() => registration.remove());
  handle = s.addNotification(note);
  return handle;
}

async function waitQuiet(s: IOKitSession, a: RoutineArgs): Promise<WireValue> {
  const h = a.u32(0);
  const service = h === 0 ? s.kernel.platform : serviceOf(s, h);
  const timeout = a.optNumber(1);
  const r = await service.waitQuiet(timeout === null ? Infinity : Math.max(0, timeout));
  if (r !== kIOReturnSuccess) throw new IOReturnError(r, "waitQuiet timed out");
  return null;
}

function mapMemory(s: IOKitSession, a: RoutineArgs): WireValue {
  const connect = a.u32(0);
  const uc = s.lookup(connect, "connect").obj;
  const type = a.u32(1);
  const userOptions = a.u32(2);
  const m = uc.clientMemoryForType(type);
  if (m.ret !== kIOReturnSuccess || !m.memory) throw new IOReturnError(m.ret === kIOReturnSuccess ? kIOReturnUnsupported : m.ret, `${uc.className}::clientMemoryForType(${type})`);
  const options = ((m.options ?? 0) & ~kIOMapUserOptionsMask) | (userOptions & kIOMapUserOptionsMask);
  const h = s.addMap(m.memory, connect, type);
  return [h, m.memory.getLength(), options, s.sharedMemory ? m.memory.bytes : null];
}

function memoryRange(s: IOKitSession, a: RoutineArgs, length: number): { md: IOMemoryDescriptor; offset: number } {
  const md = s.lookup(a.u32(0), "map").obj;
  const offset = a.u32(1);
  if (offset + length > md.getLength()) throw new IOReturnError(kIOReturnBadArgument, `range ${offset}+${length} outside a mapping of ${md.getLength()} bytes`);
  return { md, offset };
}

const R = (fn: KernelRoutine, privileged = false): RoutineEntry => ({ fn, privileged });

/** The routine table. */
export const KERNEL_ROUTINES: ReadonlyMap<string, RoutineEntry> = new Map<string, RoutineEntry>([
  [Routine.getMatchingServices, R((s, a) => s.kernel.getMatchingServices(a.dict(0)).map((x) => s.entryHandle(x)))],
  [Routine.objectRelease, R((s, a) => (s.release(a.u32(0)), null))],
  [Routine.objectGetClass, R((s, a) => {
    const h = a.u32(0);
    return s.kindOf(h) === "connect" ? s.lookup(h, "connect").obj.className : entryOf(s, h).className;
  })],
  [Routine.objectConformsTo, R((s, a) => entryOf(s, a.u32(0)).conformsTo(a.str(1)))],
  [Routine.entryGetProperties, R((s, a) => propertiesOf(s, entryOf(s, a.u32(0))))],
  [Routine.entryGetProperty, R((s, a) => {
    const e = entryOf(s, a.u32(0));
    return propertiesOf(s, e).get(a.str(1)) ?? null;
  })],
  [Routine.entrySearchProperty, R((s, a) => {
    const e = entryOf(s, a.u32(0));
    const options = a.u32(3);
    return s.kernel.registry.searchProperty(e, a.str(2), planeArg(s, a, 1), { recursive: (options & 1) !== 0, parents: (options & 2) !== 0 }) ?? null;
  })],
  [Routine.entryGetName, R((s, a) => {
    const e = entryOf(s, a.u32(0));
    const p = a.optStr(1);
    return p === undefined ? e.getName() : e.getName(planeArg(s, a, 1));
  })],
  [Routine.entryGetPath, R((s, a) => {
    const path = s.kernel.registry.getPath(entryOf(s, a.u32(0)), planeArg(s, a, 1));
    if (path === undefined) throw new IOReturnError(kIOReturnBadArgument, "entry is not in that plane");
    return path;
  })],
  [Routine.entryGetID, R((s, a) => entryOf(s, a.u32(0)).entryID)],
  [Routine.entryGetChildren, R((s, a) => entryOf(s, a.u32(0)).getChildEntries(planeArg(s, a, 1)).map((e) => s.entryHandle(e)))],
  [Routine.entryGetParents, R((s, a) => entryOf(s, a.u32(0)).getParentEntries(planeArg(s, a, 1)).map((e) => s.entryHandle(e)))],
  [Routine.entryFromPath, R((s, a) => {
    const e = s.kernel.registry.fromPath(a.str(0));
    if (!e) throw new IOReturnError(kIOReturnNotFound, `no registry entry at ${a.str(0)}`);
    return s.entryHandle(e);
  })],
  [Routine.getRootEntry, R((s) => s.entryHandle(s.kernel.registry.root))],
  [Routine.registrySnapshot, R((s) => {
    s.kernel.refreshDiagnostics();
    return snapshotToWire(s.kernel.registry.toSnapshot());
  })],
  [Routine.serviceGetBusyState, R((s, a) => serviceOf(s, a.u32(0)).getBusyState())],
  [Routine.serviceWaitQuiet, R(waitQuiet)],
  [Routine.serviceOpen, R((s, a) => {
    const service = serviceOf(s, a.u32(0));
    const type = a.u32(1);
    const props = a.optDict(2);
    if (props !== undefined && props.size > 0) throw new IOReturnError(kIOReturnUnsupported, "IOServiceOpen: properties are not supported");
    const r = newUserClient(service, s.task, null, type);
    if (r.ret !== kIOReturnSuccess || !r.client) throw new IOReturnError(r.ret, `IOServiceOpen(${service.getName()}, ${type})`);
    return s.addConnect(r.client);
  })],
  [Routine.serviceClose, R((s, a) => (s.closeConnect(a.u32(0), false), null))],
  [Routine.connectMethod, R(connectMethod)],
  [Routine.connectMapMemory, R(mapMemory)],
  [Routine.connectUnmapMemory, R((s, a) => {
    const map = s.lookup(a.u32(2), "map");
    if (map.connect !== a.u32(0) || map.type !== a.u32(1)) throw new IOReturnError(kIOReturnBadArgument, "mapping belongs to another connection or type");
    s.unmap(a.u32(2));
    return null;
  })],
  [Routine.memoryRead, R((s, a) => {
    const length = a.u32(2);
    const { md, offset } = memoryRange(s, a, length);
    return md.bytes.slice(offset, offset + length);
  })],
  [Routine.memoryWrite, R((s, a) => {
    const data = a.bytes(2);
    const { md, offset } = memoryRange(s, a, data.length);
    md.bytes.set(data, offset);
    return null;
  })],
  [Routine.addMatchingNotification, R(addMatchingNotification)],
  [Routine.addInterestNotification, R(addInterestNotification)],
  [Routine.portCreate, R((s) => s.addPort(new IONotificationPortObject()))],
  [Routine.portDestroy, R((s, a) => (s.lookup(a.u32(0), "port"), s.release(a.u32(0)), null))],
  [Routine.kernelLog, R((s) => [s.kernel.logRing.lines().map((l): WireValue => [l.timeNs, l.text]), s.kernel.logRing.dropped])],
  [Routine.handleCount, R((s) => s.handleCount)],
  ...BSD_ROUTINES.map(([name, fn]): [string, RoutineEntry] => [name, R(fn)]),
]);
