/**
 * A {@link MatchNub} over plain data: a class name, a property dictionary, a place in a tree and a
 * {@link ClassHierarchy}. The replay builds one per entry of an imported registry dump; tests and
 * `iokit match explain` build them by hand. Clients are whatever was attached with
 * {@link StaticNub.attachClient}.
 */
import type { OSDictionary, OSValue } from "../../libkern/index.ts";
import { ClassHierarchy } from "./ClassHierarchy.ts";
import type { MatchClient, MatchNub } from "./MatchNub.ts";

export interface StaticNubInit {
  readonly className: string;
  readonly properties?: OSDictionary;
  /** The entry name (default: `IOName`, else the class name). */
  readonly name?: string;
  readonly location?: string;
  readonly registryEntryID?: bigint;
  readonly provider?: StaticNub;
  readonly hierarchy?: ClassHierarchy;
  /** Default true. */
  readonly registered?: boolean;
  /** Classes this entry is known to conform to beyond the hierarchy (e.g. IOService from ioreg's state block). */
  readonly alsoConformsTo?: readonly string[];
  /** The IOResources nub, if known. */
  readonly resources?: MatchNub;
}

export class StaticNub implements MatchNub {
  readonly className: string;
  readonly properties: OSDictionary;
  readonly name: string;
  readonly location: string | undefined;
  readonly registryEntryID: bigint | undefined;
  readonly provider: StaticNub | undefined;
  readonly registered: boolean;
  readonly hierarchy: ClassHierarchy;
  readonly #also: readonly string[];
  readonly #clients: MatchClient[] = [];
  #chain: readonly string[] | undefined;
  #resources: MatchNub | undefined;

  constructor(init: StaticNubInit) {
    this.className = init.className;
    this.properties = init.properties ?? new Map();
    const ioName = this.properties.get("IOName");
    this.name = init.name ?? (typeof ioName === "string" ? ioName : init.className);
    this.location = init.location;
    this.registryEntryID = init.registryEntryID;
    this.provider = init.provider;
    this.registered = init.registered ?? true;
    this.hierarchy = init.hierarchy ?? new ClassHierarchy();
    this.#also = init.alsoConformsTo ?? [];
    this.#resources = init.resources;
  }

  classChain(): readonly string[] {
    if (this.#chain === undefined) {
      const chain = [...this.hierarchy.classChain(this.className)];
      for (const a of this.#also) for (const c of this.hierarchy.classChain(a)) if (!chain.includes(c)) chain.push(c);
      this.#chain = chain;
    }
    return this.#chain;
  }

  conformsTo(className: string): boolean {
    return className === this.className || this.classChain().includes(className);
  }

  property(key: string): OSValue | undefined {
    return this.properties.get(key);
  }

  get path(): string {
    const parts: string[] = [];
    for (let n: StaticNub | undefined = this; n !== undefined && n.provider !== undefined; n = n.provider) {
      parts.push(n.location !== undefined ? `${n.name}@${n.location}` : n.name);
    }
    // The IOService plane path is relative to the root's first child (the platform expert device).
    parts.pop();
    return `IOService:/${parts.reverse().join("/")}`;
  }

  clients(): readonly MatchClient[] {
    return this.#clients;
  }

  /** Attaches a client (e.g. a matched driver) so that its category is held. */
  attachClient(client: MatchClient): void {
    this.#clients.push(client);
  }

  resources(): MatchNub | undefined {
    return this.#resources;
  }

  setResources(resources: MatchNub | undefined): void {
    this.#resources = resources;
  }
}
