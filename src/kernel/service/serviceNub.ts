/**
 * The live IOService as the matching engine sees it: a {@link MatchNub} view, cached per service.
 *
 * Reads go straight to the registry entry, so the view is always current. Nubs that override name
 * comparison (device-tree and PCI nubs) or expose PCI configuration space do so by defining
 * `compareName(name)` / `configRead32(offset)` on their class; the view forwards to them.
 */
import type { OSValue } from "../../libkern/index.ts";
import { isOSDictionary } from "../../libkern/index.ts";
import type { MatchClient, MatchNub } from "../catalogue/index.ts";
import { kIOServiceUserInvisibleState } from "../registry/index.ts";
import { IOService } from "./IOService.ts";

interface OptionalNubMethods {
  compareName?(name: string): boolean;
  configRead32?(offset: number): number | undefined;
}

const views = new WeakMap<IOService, MatchNub>();
const services = new WeakMap<MatchNub, IOService>();

/** The matching view of `service`. */
export function nubOf(service: IOService): MatchNub {
  let v = views.get(service);
  if (!v) {
    v = makeView(service);
    views.set(service, v);
    services.set(v, service);
  }
  return v;
}

/** The service behind a view made by {@link nubOf}. */
export function serviceOf(nub: MatchNub): IOService | undefined {
  return services.get(nub);
}

/** The class chain findDrivers walks: most-derived first, stopping after IOService. */
function classChain(service: IOService): string[] {
  const out: string[] = [];
  for (let c = service.getMetaClass() as { className: string; superClass: unknown } | null; c; c = c.superClass as typeof c) {
    out.push(c.className);
    if (c.className === "IOService") break;
  }
  return out;
}

/** The view (a class, not an object literal of closures: one is made per service matched). */
class ServiceNubView implements MatchNub {
  readonly #s: IOService;
  #chain: string[] | undefined;
  compareName?: (name: string) => boolean;
  configRead32?: (offset: number) => number | undefined;

  constructor(s: IOService) {
    this.#s = s;
    const opt = s as IOService & OptionalNubMethods;
    if (typeof opt.compareName === "function") this.compareName = (n) => (opt.compareName as (n: string) => boolean).call(s, n);
    if (typeof opt.configRead32 === "function") this.configRead32 = (o) => (opt.configRead32 as (o: number) => number | undefined).call(s, o);
  }

  get className(): string {
    return this.#s.className;
  }

  conformsTo(name: string): boolean {
    return this.#s.conformsTo(name);
  }

  classChain(): string[] {
    return (this.#chain ??= classChain(this.#s));
  }

  property(key: string): OSValue | undefined {
    const own = this.#s.getProperty(key);
    if (own !== undefined) return own;
    const user = this.#s.getProperty("IOUserServiceProperties");
    return isOSDictionary(user) ? user.get(key) : undefined;
  }

  get name(): string {
    return this.#s.getName("IOService");
  }

  get location(): string | undefined {
    return this.#s.getLocation("IOService");
  }

  get path(): string {
    return this.#s.getPath("IOService") ?? "";
  }

  get registryEntryID(): bigint {
    return this.#s.entryID;
  }

  get provider(): MatchNub | undefined {
    const p = this.#s.getProvider();
    return p ? nubOf(p) : undefined;
  }

  clients(): MatchClient[] {
    return this.#s.getClients().map((c) => ({
      className: c.className,
      matchCategory: c.stringProperty("IOMatchCategory"),
      holdsCategory: !c.isInactive() || c.termination.rematchOnDetach,
    }));
  }

  resources(): MatchNub {
    return nubOf(this.#s.getResources());
  }

  get registered(): boolean {
    return this.#s.isRegistered();
  }

  get userHidden(): boolean {
    return (this.#s.state & kIOServiceUserInvisibleState) !== 0;
  }
}

function makeView(s: IOService): MatchNub {
  return new ServiceNubView(s);
}
