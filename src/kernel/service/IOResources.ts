/**
 * The always-registered services at the top of the IOService plane: `IOPlatformExpertDevice` (the
 * root's first child, `IOService:/`), and under it `IOResources` and `IOUserResources`, on which
 * drivers without hardware match (`IOProviderClass = IOResources`, `IOResourceMatch = <key>`).
 *
 * `publishResource(key, value)` sets a property (the value defaults to the string `IOService`, as
 * xnu uses the IOService symbol), counts a generation and re-registers the resources object, so every
 * publish re-runs matching on it and personalities waiting for that key can start.
 */
import { kIOReturnUnsupported, type IOReturn } from "../../base/index.ts";
import { num, type OSValue } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOService } from "./IOService.ts";

/** The platform expert device: the root of the IOService plane below `Root`. */
export class IOPlatformExpertDevice extends IOService {}
OSMetaClass.define(IOPlatformExpertDevice, "IOPlatformExpertDevice");

/**
 * What IOResources and IOUserResources share. It has no OSMetaClass of its own, so for run-time
 * types both are direct IOService subclasses, as in xnu: IOResources personalities never match
 * IOUserResources.
 */
export abstract class ResourcesService extends IOService {
  #generation = 0;

  /** Publishes `key` (value: `value`, default the string "IOService") and re-runs matching here. */
  publishResource(key: string, value: OSValue = "IOService"): void {
    this.setProperty(key, value);
    this.#generation++;
    this.registerService();
  }

  /** Bumped on every publish. */
  get resourceGeneration(): number {
    return this.#generation;
  }

  /** Both resources services refuse user clients. */
  newUserClient(): IOReturn {
    return kIOReturnUnsupported;
  }
}

/** The nub for drivers that match on published resources. */
export class IOResources extends ResourcesService {}
OSMetaClass.define(IOResources, "IOResources");

/** The user-space resources nub; `IOKit` is published on it when the IOKit daemon launches. */
export class IOUserResources extends ResourcesService {}
OSMetaClass.define(IOUserResources, "IOUserResources");

/** Whether a service is IOResources or IOUserResources. */
export function isResourcesService(service: IOService): service is ResourcesService {
  return service instanceof ResourcesService;
}

/** `serviceMatching(className)`: `{IOProviderClass: className}`. */
export function serviceMatching(className: string): Map<string, OSValue> {
  return new Map<string, OSValue>([["IOProviderClass", className]]);
}

/** `nameMatching(name)`: `{IONameMatch: name}`. */
export function nameMatching(name: string): Map<string, OSValue> {
  return new Map<string, OSValue>([["IONameMatch", name]]);
}

/** `resourceMatching(name)`: `{IOProviderClass: IOResources, IOResourceMatch: name}`. */
export function resourceMatching(name: string): Map<string, OSValue> {
  return new Map<string, OSValue>([["IOProviderClass", "IOResources"], ["IOResourceMatch", name]]);
}

/** `propertyMatching(key, value, table)`: sets (replaces) `IOPropertyMatch = {key: value}`. */
export function propertyMatching(key: string, value: OSValue, table = new Map<string, OSValue>()): Map<string, OSValue> {
  table.set("IOPropertyMatch", new Map<string, OSValue>([[key, value]]));
  return table;
}

/** `registryEntryIDMatching(id)`: `{IORegistryEntryID: id}`. */
export function registryEntryIDMatching(id: bigint): Map<string, OSValue> {
  return new Map<string, OSValue>([["IORegistryEntryID", num(id, 64)]]);
}
