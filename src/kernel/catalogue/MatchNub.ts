/**
 * The nub as matching sees it.
 *
 * Matching in xnu reads a handful of things from the service being matched: its properties, its
 * class and what it conforms to (`metaCast`), its name and location in the IOService plane, its
 * path, its provider chain, the clients already attached to it (for match-category exclusion and
 * `IOMatchedServiceCountMatch`) and the IOResources object. {@link MatchNub} is exactly that and no
 * more, so the same engine runs on live registry entries (the runtime adapts its IOService) and on
 * entries imported from an `ioreg` dump (the replay adapts a dump node with an injected
 * {@link ClassHierarchy}).
 *
 * Invariant: a MatchNub is read-only for matching. Writes that Apple makes during matching
 * (`IONameMatched`, the family-updated `IOProbeScore`) go into the personality *copy*, never into
 * the nub.
 */
import type { OSValue } from "../../libkern/index.ts";

/** A client already attached to a nub, as category exclusion needs it. */
export interface MatchClient {
  /** The client's class name (`IOClass` of the personality that made it). */
  readonly className: string;
  /** The client's `IOMatchCategory` property (drivers made by matching always carry one). */
  readonly matchCategory: string | undefined;
  /** Active, or inactive but marked to rematch on detach: both still hold the category. */
  readonly holdsCategory: boolean;
}

/** What matching reads from the service being matched. */
export interface MatchNub {
  /** The most-derived class name (`getMetaClass()->getClassName()`). */
  readonly className: string;
  /** `metaCast(className) != NULL`: the nub is an instance of that class or of a subclass. */
  conformsTo(className: string): boolean;
  /** The classes `findDrivers` walks: the most-derived class first, up to and including IOService. */
  classChain(): readonly string[];
  /** A property of the nub (`getProperty`), merged with its `IOUserServiceProperties`. */
  property(key: string): OSValue | undefined;
  /** `getName(gIOServicePlane)`: the plane name, else `IOName`, else the class name. */
  readonly name: string;
  /** `getLocation(gIOServicePlane)`, if any. */
  readonly location: string | undefined;
  /** `getPath(gIOServicePlane)`, e.g. `IOService:/AppleACPIPlatformExpert/PCI0@0`. */
  readonly path: string;
  /** The registry entry ID, when known (dumps from before Mac OS X 10.6 print none). */
  readonly registryEntryID: bigint | undefined;
  /** The first provider in the IOService plane, or undefined at the top. */
  readonly provider: MatchNub | undefined;
  /** The clients attached now, in attach order. */
  clients(): readonly MatchClient[];
  /** The IOResources service, for resource waits at start; undefined when unknown. */
  resources(): MatchNub | undefined;
  /** The registered state bit: only registered nubs are matched. */
  readonly registered: boolean;
  /** Hidden from user space (state bit 0x80000000); fails `IOServiceNotificationUser` tables. */
  readonly userHidden?: boolean;
  /**
   * The nub's own `compareName` when it overrides the base rule (device-tree, PCI and ACPI nubs use
   * `IODTCompareNubName`). Undefined means: decide from the nub's class with the default rules.
   */
  compareName?(name: string): boolean;
  /** 32-bit PCI configuration register at `offset` (0x00, 0x08, 0x2C), for PCI nubs. */
  configRead32?(offset: number): number | undefined;
}
