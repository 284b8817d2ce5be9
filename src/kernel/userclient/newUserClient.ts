/**
 * `IOService::newUserClient` and the open-time rules of `is_io_service_open_extended` (spec §7.1):
 * a service's own factory first, else the class named by its `IOUserClientClass` property, then the
 * creator, locking and entitlement properties.
 */
import {
  kIOReturnBadArgument, kIOReturnError, kIOReturnNoMemory, kIOReturnNotPrivileged, kIOReturnSuccess, kIOReturnUnsupported,
  type IOReturn,
} from "../../base/index.ts";
import type { OSDictionary } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import type { IOService, IOServiceClass } from "../service/index.ts";
import { IOUserClient, IOUserClient2022 } from "./IOUserClient.ts";
import { processCommandName, taskHasEntitlement, type UserTask } from "./UserTask.ts";

export const kIOUserClientClassKey = "IOUserClientClass";
export const kIOUserClientCreatorKey = "IOUserClientCreator";
export const kIOUserClientSharedInstanceKey = "IOUserClientSharedInstance";
export const kIOUserClientDefaultLockingKey = "IOUserClientDefaultLocking";
export const kIOUserClientDefaultLockingSetPropertiesKey = "IOUserClientDefaultLockingSetProperties";
export const kIOUserClientDefaultLockingSingleThreadExternalMethodKey = "IOUserClientDefaultLockingSingleThreadExternalMethod";
export const kIOUserClientEntitlementsKey = "IOUserClientEntitlements";

/** The outcome of an open: an IOReturn and, on success, the new client. */
export interface NewUserClientResult {
  readonly ret: IOReturn;
  readonly client?: IOUserClient;
}

/** A service that builds its own user clients (the 4-argument `newUserClient` overload). */
export interface UserClientFactory {
  newUserClient(task: UserTask, securityID: unknown, type: number, properties: OSDictionary | undefined): NewUserClientResult;
}

const hasFactory = (s: IOService): s is IOService & UserClientFactory =>
  typeof (s as Partial<UserClientFactory>).newUserClient === "function";

/** Tears down a client that was started but must not be handed out. */
function discard(client: IOUserClient, service: IOService, started: boolean): void {
  if (started) {
    try {
      client.stop(service);
    } catch {
      // A throwing stop still gives up the client.
    }
    client.disposeResources();
  }
  if (client.isParent(service, "IOService")) client.detach(service);
  client.release();
}

/** Allocates, initialises, attaches and starts the class `IOUserClientClass` names. */
function fromClassProperty(service: IOService, task: UserTask, securityID: unknown, type: number, properties: OSDictionary | undefined): NewUserClientResult {
  const name = service.getProperty(kIOUserClientClassKey);
  if (typeof name !== "string") return { ret: kIOReturnUnsupported };
  const meta = OSMetaClass.getMetaClassWithName(name);
  if (!meta) return { ret: kIOReturnUnsupported };
  let obj: unknown;
  try {
    obj = new (meta.ctor as IOServiceClass)(service.registry);
  } catch {
    return { ret: kIOReturnNoMemory };
  }
  if (!(obj instanceof IOUserClient)) {
    if (obj instanceof IOUserClient === false && obj !== null && typeof (obj as { release?: unknown }).release === "function") (obj as { release(): void }).release();
    return { ret: kIOReturnUnsupported };
  }
  const client = obj;
  let ok = false;
  try {
    ok = client.initWithTask(task, securityID, type, properties);
  } catch {
    ok = false;
  }
  if (!ok) {
    discard(client, service, false);
    return { ret: kIOReturnBadArgument };
  }
  if (!client.attach(service)) {
    discard(client, service, false);
    return { ret: kIOReturnUnsupported };
  }
  let started = false;
  try {
    started = client.start(service);
  } catch (e) {
    service.IOLog(`${client.className}::start threw: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!started) {
    discard(client, service, true);
    return { ret: kIOReturnUnsupported };
  }
  return { ret: kIOReturnSuccess, client };
}

/**
 * `newUserClient` plus the checks `IOServiceOpen` applies after creation. On failure nothing is
 * left attached and the client is released.
 */
export function newUserClient(service: IOService, task: UserTask, securityID: unknown, type: number, properties?: OSDictionary): NewUserClientResult {
  const made = hasFactory(service) ? service.newUserClient(task, securityID, type, properties) : fromClassProperty(service, task, securityID, type, properties);
  if (made.ret !== kIOReturnSuccess || !made.client) return { ret: made.ret === kIOReturnSuccess ? kIOReturnUnsupported : made.ret };
  const client = made.client;
  client.setProperty(kIOUserClientCreatorKey, `pid ${task.pid}, ${processCommandName(task.procName)}`);
  const is2022 = client instanceof IOUserClient2022;
  const lockingKeys = [kIOUserClientDefaultLockingKey, kIOUserClientDefaultLockingSetPropertiesKey, kIOUserClientDefaultLockingSingleThreadExternalMethodKey];
  const present = lockingKeys.filter((k) => client.hasProperty(k));
  if (is2022 && present.length !== lockingKeys.length) {
    service.IOLog(`${client.className}: IOUserClient2022 requires ${lockingKeys.join(", ")}`);
    discard(client, service, true);
    return { ret: kIOReturnError };
  }
  client.defaultLocking = present.length === 0 ? true : client.getProperty(kIOUserClientDefaultLockingKey) === true;
  const gate = client.getProperty(kIOUserClientEntitlementsKey);
  let allowed: boolean;
  if (gate === undefined) allowed = !is2022;
  else if (gate === false) allowed = true;
  else if (typeof gate === "string") allowed = taskHasEntitlement(task, gate);
  else allowed = false;
  if (!allowed) {
    discard(client, service, true);
    return { ret: kIOReturnNotPrivileged };
  }
  return { ret: kIOReturnSuccess, client };
}
