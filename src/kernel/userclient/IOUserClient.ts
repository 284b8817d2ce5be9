/**
 * IOUserClient: the kernel object behind a user task's connection to a service (`IOServiceOpen`).
 *
 * A user client is an IOService attached to the service it serves (not registered). Calls from the
 * task arrive in {@link IOUserClient.externalMethod} with an {@link IOExternalMethodArguments}; a
 * driver either passes an {@link IOExternalMethodDispatch} entry for the selector, whose checks the
 * base class applies with Apple's exact results, or keeps a legacy `getTargetAndMethodForIndex`
 * table. {@link IOUserClient2022} adds the stricter rules of the 2022 API: bounds-checked selectors,
 * async only where allowed, per-selector entitlements, mandatory locking and entitlement properties
 * (checked at open by `newUserClient`).
 *
 * Async completions (`sendAsyncResult64`) leave through the port sink the kernel server installs
 * when it hands the connection to the task; a task that has gone drops them silently, as a dead
 * Mach port does.
 */
import {
  kIOReturnBadArgument, kIOReturnIPCError, kIOReturnMessageTooLarge, kIOReturnNoCompletion, kIOReturnNotPermitted,
  kIOReturnNotPrivileged, kIOReturnSuccess, kIOReturnUnsupported, type IOReturn,
} from "../../base/index.ts";
import { kIOAsyncCompletionNotificationType, kIOUCVariableStructureSize, kMaxAsyncArgs, kOSNotificationMessageID, type WireValue } from "../../ipc/index.ts";
import type { OSDictionary } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOService } from "../service/index.ts";
import type { IOMemoryDescriptor } from "./IOMemoryDescriptor.ts";
import { clientHasPrivilege, taskHasEntitlement, type UserTask } from "./UserTask.ts";

/** The arguments of one `IOConnectCallMethod` as the driver sees them (`IOExternalMethodArguments`). */
export interface IOExternalMethodArguments {
  readonly selector: number;
  /** The wake port's handle, or null for a synchronous call. */
  readonly asyncWakePort: number | null;
  /** The async reference (8 slots; slot 0 holds the port), or null. */
  readonly asyncReference: bigint[] | null;
  readonly scalarInput: readonly bigint[];
  readonly scalarInputCount: number;
  readonly structureInput: Uint8Array;
  readonly structureInputSize: number;
  /** Set when the input came out of line (more than 4096 bytes). */
  readonly structureInputDescriptor: IOMemoryDescriptor | null;
  /** Zeroed before dispatch; `scalarOutputCount` entries. */
  readonly scalarOutput: bigint[];
  scalarOutputCount: number;
  /** The output buffer the task asked for; the driver may shrink `structureOutputSize`. */
  readonly structureOutput: Uint8Array;
  structureOutputSize: number;
  /** Set when the output goes out of line (more than 4096 bytes). */
  readonly structureOutputDescriptor: IOMemoryDescriptor | null;
  structureOutputDescriptorSize: number;
  /** A variable-size output the driver allocates (`kIOConnectMethodVarOutputSize`). */
  structureVariableOutputData: Uint8Array | null;
}

/** A dispatch function: `(target, reference, arguments) → IOReturn`. */
export type IOExternalMethodAction = (target: unknown, reference: unknown, args: IOExternalMethodArguments) => IOReturn | Promise<IOReturn>;

/** `IOExternalMethodDispatch`: the function and the counts/sizes it requires. */
export interface IOExternalMethodDispatch {
  readonly function: IOExternalMethodAction | null;
  readonly checkScalarInputCount: number;
  readonly checkStructureInputSize: number;
  readonly checkScalarOutputCount: number;
  readonly checkStructureOutputSize: number;
}

/** `IOExternalMethodDispatch2022`: adds async permission and a per-selector entitlement. */
export interface IOExternalMethodDispatch2022 extends IOExternalMethodDispatch {
  readonly allowAsync: boolean;
  readonly checkEntitlement?: string | null;
}

/** Legacy method types (`flags & kIOUCTypeMask`). */
export const kIOUCScalarIScalarO = 0;
export const kIOUCScalarIStructO = 2;
export const kIOUCStructIStructO = 3;
export const kIOUCScalarIStructI = 4;
export const kIOUCTypeMask = 0x0000000f;
export const kIOUCForegroundOnly = 0x00000010;

/** What a legacy method receives. */
export interface IOLegacyMethodCall {
  readonly scalarInput: readonly bigint[];
  readonly scalarOutput: bigint[];
  readonly structureInput: Uint8Array;
  readonly structureOutput: Uint8Array;
  structureOutputSize: number;
}

/** A legacy `IOExternalMethod` {object, func, flags, count0, count1}. */
export interface IOExternalMethod {
  readonly object: unknown;
  readonly func: (target: unknown, call: IOLegacyMethodCall) => IOReturn;
  readonly flags: number;
  readonly count0: number;
  readonly count1: number;
}

/** What `clientMemoryForType` returns. */
export interface ClientMemory {
  readonly ret: IOReturn;
  readonly options?: number;
  readonly memory?: IOMemoryDescriptor;
}

/** Where async messages to the task go: (port handle, message). @internal */
export type TaskPortSink = (port: number, message: WireValue) => void;

const noop = (): void => undefined;

/** The base class of user clients. */
export class IOUserClient extends IOService {
  #task: UserTask | undefined;
  #sink: TaskPortSink | undefined;
  /** The settling of the last asynchronous call under the default lock; undefined when free. */
  #lock: Promise<unknown> | undefined;
  /** The connection type `IOServiceOpen` passed. */
  connectionType = 0;
  /** Calls are serialized (`IOUserClientDefaultLocking`). @internal */
  defaultLocking = false;
  /** Set once clientClose/clientDied ran. @internal */
  closed = false;

  /** The task that opened the connection. */
  get owningTask(): UserTask | undefined {
    return this.#task;
  }

  /** `initWithTask(owningTask, securityID, type, properties)`: false refuses the open (kIOReturnBadArgument). */
  initWithTask(owningTask: UserTask, _securityID: unknown, type: number, properties?: OSDictionary): boolean {
    this.#task = owningTask;
    this.connectionType = type;
    return this.init(properties);
  }

  /** `IOServiceClose`: the task closed the connection. The default is unsupported (subclasses terminate). */
  clientClose(): IOReturn {
    return kIOReturnUnsupported;
  }

  /** The task died or dropped its last reference: the default closes. */
  clientDied(): IOReturn {
    return this.clientClose();
  }

  /** `clientMemoryForType(type, &options, &memory)`: the default has none. */
  clientMemoryForType(_type: number): ClientMemory {
    return { ret: kIOReturnUnsupported };
  }

  /** Legacy table lookup; the default has no methods. */
  getTargetAndMethodForIndex(_index: number): IOExternalMethod | undefined {
    return undefined;
  }

  /** Legacy async table lookup; the default has no methods. */
  getAsyncTargetAndMethodForIndex(_index: number): IOExternalMethod | undefined {
    return undefined;
  }

  /** `clientHasPrivilege(task, name)`. */
  static clientHasPrivilege(task: UserTask, name: string): IOReturn {
    return clientHasPrivilege(task, name);
  }

  /**
   * `externalMethod(selector, args, dispatch, target, reference)`. With a dispatch entry, each check
   * not equal to kIOUCVariableStructureSize must match exactly (else kIOReturnBadArgument); a
   * missing function gives kIOReturnNoCompletion. Without one, the legacy table is used.
   * The base class does not bounds-check the selector: subclasses must.
   */
  externalMethod(selector: number, args: IOExternalMethodArguments, dispatch?: IOExternalMethodDispatch, target?: unknown, reference?: unknown): IOReturn | Promise<IOReturn> {
    if (dispatch) {
      const structIn = args.structureInputDescriptor ? args.structureInputDescriptor.getLength() : args.structureInputSize;
      const structOut = args.structureOutputDescriptor ? args.structureOutputDescriptorSize : args.structureOutputSize;
      if (dispatch.checkScalarInputCount !== kIOUCVariableStructureSize && args.scalarInputCount !== dispatch.checkScalarInputCount) return kIOReturnBadArgument;
      if (dispatch.checkStructureInputSize !== kIOUCVariableStructureSize && structIn !== dispatch.checkStructureInputSize) return kIOReturnBadArgument;
      if (dispatch.checkScalarOutputCount !== kIOUCVariableStructureSize && args.scalarOutputCount !== dispatch.checkScalarOutputCount) return kIOReturnBadArgument;
      if (dispatch.checkStructureOutputSize !== kIOUCVariableStructureSize && structOut !== dispatch.checkStructureOutputSize) return kIOReturnBadArgument;
      if (!dispatch.function) return kIOReturnNoCompletion;
      return dispatch.function(target ?? this, reference, args);
    }
    return this.#legacyMethod(selector, args);
  }

  #legacyMethod(selector: number, args: IOExternalMethodArguments): IOReturn {
    const method = args.asyncWakePort !== null ? this.getAsyncTargetAndMethodForIndex(selector) : this.getTargetAndMethodForIndex(selector);
    if (!method) return kIOReturnUnsupported;
    if ((method.flags & kIOUCForegroundOnly) !== 0 && this.#task?.gpuDenied) return kIOReturnNotPermitted;
    if (args.structureInputDescriptor || args.structureOutputDescriptor) return kIOReturnIPCError;
    const type = method.flags & kIOUCTypeMask;
    const variable = method.count1 === kIOUCVariableStructureSize;
    let inCount: number;
    let outCount: number;
    let outCheck: number | undefined;
    switch (type) {
      case kIOUCScalarIScalarO: inCount = args.scalarInputCount; outCount = args.scalarOutputCount; outCheck = method.count1; break;
      case kIOUCScalarIStructO: inCount = args.scalarInputCount; outCount = args.structureOutputSize; outCheck = variable ? undefined : method.count1; break;
      case kIOUCStructIStructO: inCount = args.structureInputSize; outCount = args.structureOutputSize; outCheck = variable ? undefined : method.count1; break;
      case kIOUCScalarIStructI: inCount = args.scalarInputCount; outCount = args.structureInputSize; outCheck = variable ? undefined : method.count1; break;
      default: return kIOReturnBadArgument;
    }
    const cls = this.className;
    if (inCount !== method.count0) {
      this.IOLog(`externalMethod:${selector} ${cls}: IOUserClient inputCount count mismatch 0x${inCount.toString(16)} 0x${method.count0.toString(16)}`);
      return kIOReturnBadArgument;
    }
    if (outCheck !== undefined && outCount !== outCheck) {
      this.IOLog(`externalMethod:${selector} ${cls}: IOUserClient outputCount count mismatch 0x${outCount.toString(16)} 0x${outCheck.toString(16)}`);
      return kIOReturnBadArgument;
    }
    const call: IOLegacyMethodCall = {
      scalarInput: args.scalarInput, scalarOutput: args.scalarOutput, structureInput: args.structureInput,
      structureOutput: args.structureOutput, structureOutputSize: args.structureOutputSize,
    };
    const r = method.func(method.object ?? this, call);
    args.structureOutputSize = Math.min(call.structureOutputSize, args.structureOutputSize);
    return r;
  }

  /**
   * `sendAsyncResult64(reference, result, args)`: a completion message (ID 53, type 150) to the port
   * in `reference[0]`, with slot 0 zeroed. More than 16 arguments → kIOReturnMessageTooLarge; no
   * port → silent success.
   */
  sendAsyncResult64(reference: readonly bigint[], result: IOReturn, args: readonly bigint[] = []): IOReturn {
    if (args.length > kMaxAsyncArgs) return kIOReturnMessageTooLarge;
    const port = Number(reference[0] ?? 0n);
    if (port === 0 || this.#sink === undefined) return kIOReturnSuccess;
    const ref = [...reference];
    ref[0] = 0n;
    this.#sink(port, [kOSNotificationMessageID, kIOAsyncCompletionNotificationType, ref, result >>> 0, [...args]]);
    return kIOReturnSuccess;
  }

  /** @internal The kernel server routes this client's async messages to its task. */
  setTaskPortSink(sink: TaskPortSink | undefined): void {
    this.#sink = sink;
  }

  /**
   * @internal Runs `fn` under the default lock when locking is on: calls complete in order. With the
   * lock free `fn` runs at once (a synchronous method returns its IOReturn without a promise hop);
   * while an asynchronous one holds it, later calls queue behind it.
   */
  withLock<T>(fn: () => T | Promise<T>): T | Promise<T> {
    if (!this.defaultLocking) return fn();
    const held = this.#lock;
    const next = held === undefined ? fn() : held.then(fn, fn);
    if (!(next instanceof Promise)) return next;
    const tail: Promise<unknown> = next.then(noop, noop);
    this.#lock = tail;
    void tail.then(() => {
      if (this.#lock === tail) this.#lock = undefined;
    });
    return next;
  }
}
OSMetaClass.define(IOUserClient, "IOUserClient");

/** The 2022 user client: stricter dispatch and mandatory open-time properties. */
export class IOUserClient2022 extends IOUserClient {
  /**
   * `dispatchExternalMethod(selector, args, table, target, reference)`: selector out of range →
   * kIOReturnBadArgument; async call to an entry without `allowAsync` → kIOReturnBadArgument; a
   * `checkEntitlement` the task lacks → kIOReturnNotPrivileged; then the usual checks.
   */
  dispatchExternalMethod(selector: number, args: IOExternalMethodArguments, table: readonly IOExternalMethodDispatch2022[], target?: unknown, reference?: unknown): IOReturn | Promise<IOReturn> {
    if (!Number.isInteger(selector) || selector < 0 || selector >= table.length) return kIOReturnBadArgument;
    const entry = table[selector] as IOExternalMethodDispatch2022;
    if (args.asyncWakePort !== null && !entry.allowAsync) return kIOReturnBadArgument;
    if (entry.checkEntitlement && !(this.owningTask && taskHasEntitlement(this.owningTask, entry.checkEntitlement))) return kIOReturnNotPrivileged;
    return super.externalMethod(selector, args, entry, target, reference);
  }
}
OSMetaClass.define(IOUserClient2022, "IOUserClient2022");
