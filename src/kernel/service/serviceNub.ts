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

function makeView(s: IOService): MatchNub {
  const opt = s as IOService & OptionalNubMethods;
  let chain: string[] | undefined;
  const view: MatchNub = {
    get className() {
      return s.className;
    },
    conformsTo: (name) => s.conformsTo(name),
    classChain: () => (chain ??= classChain(s)),
    property: (key): OSValue | undefined => {
      const own = s.getProperty(key);
      if (own !== undefined) return own;
      const user = s.getProperty("IOUserServiceProperties");
      return isOSDictionary(user) ? user.get(key) : undefined;
    },
    get name() {
      return s.getName("IOService");
    },
    get location() {
      return s.getLocation("IOService");
    },
    get path() {
      return s.getPath("IOService") ?? "";
    },
    get registryEntryID() {
      return s.entryID;
    },
    get provider() {
      const p = s.getProvider();
      return p ? nubOf(p) : undefined;
    },
    clients: (): MatchClient[] => s.getClients().map((c) => ({
      className: c.className,
      matchCategory: c.stringProperty("IOMatchCategory"),
      holdsCategory: !c.isInactive() || c.termination.rematchOnDetach,
    })),
    resources: () => nubOf(s.getResources()),
    get registered() {
      return s.isRegistered();
    },
    get userHidden() {
      return (s.state & kIOServiceUserInvisibleState) !== 0;
    },
  };
  if (typeof opt.compareName === "function") view.compareName = (n) => (opt.compareName as (n: string) => boolean).call(s, n);
  if (typeof opt.configRead32 === "function") view.configRead32 = (o) => (opt.configRead32 as (o: number) => number | undefined).call(s, o);
  return view;
}
