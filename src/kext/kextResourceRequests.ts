/**
 * `OSKextRequestResource`: a loaded kext asks user space for a file from its bundle's `Resources`
 * folder (firmware, tables) and gets it later through a callback.
 *
 * State: pending requests by request tag (a counter that never goes back, like XNU's
 * `sNextRequestTag`), each naming the kext that asked. A kext with pending requests is not
 * autounloaded; when the kext stops, its pending callbacks are called with kOSKextReturnStopping
 * and no data, as `invokeOrCancelRequestCallbacks` does. Callbacks run as scheduler tasks, never
 * inside the request call, and a callback that throws is logged.
 *
 * Names are resolved inside `Contents/Resources/` (deep bundles) or `Resources/` (shallow ones); an
 * absolute name or one with a `..` component is refused with kOSKextReturnInvalidArgument.
 */
import { kIOReturnSuccess, kOSKextReturn, type IOReturn } from "../base/index.ts";
import type { Scheduler } from "../kernel/index.ts";
import type { BundleSource } from "./BundleSource.ts";
import type { OSKext } from "./OSKext.ts";

/** `OSKextRequestResourceCallback(requestTag, result, data, context)`. */
export type OSKextRequestResourceCallback = (requestTag: number, result: IOReturn, data: Uint8Array | undefined, context: unknown) => void;

interface Pending {
  readonly bundleID: string;
  readonly callback: OSKextRequestResourceCallback;
  readonly context: unknown;
}

/** The path of resource `name` inside `kext`'s bundle, or undefined for a name that escapes it. */
export function kextResourcePath(kext: OSKext, name: string): string | undefined {
  if (name.length === 0 || name.startsWith("/") || name.split("/").some((c) => c === ".." || c === "")) return undefined;
  return `${kext.path}/${kext.layout === "deep" ? "Contents/" : ""}Resources/${name}`;
}

export class KextResourceRequests {
  readonly #pending = new Map<number, Pending>();
  #nextTag = 1;
  readonly #scheduler: () => Scheduler;
  readonly #log: (line: string) => void;

  constructor(scheduler: () => Scheduler, log: (line: string) => void) {
    this.#scheduler = scheduler;
    this.#log = log;
  }

  /** Starts reading `name` for `kext` through `source`; resolves the request tag at once. */
  request(kext: OSKext, source: BundleSource | undefined, name: string, callback: OSKextRequestResourceCallback, context: unknown): { result: IOReturn; requestTag?: number } {
    const path = kextResourcePath(kext, name);
    if (path === undefined || typeof callback !== "function") return { result: kOSKextReturn.InvalidArgument as number };
    if (source === undefined) return { result: kOSKextReturn.Disabled as number };
    const requestTag = this.#nextTag++;
    const bundleID = kext.bundleID as string;
    this.#pending.set(requestTag, { bundleID, callback, context });
    source.readFile(path).then(
      (data) => this.#finish(requestTag, kIOReturnSuccess, data),
      () => this.#finish(requestTag, kOSKextReturn.NotFound as number, undefined),
    );
    return { result: kIOReturnSuccess, requestTag };
  }

  /** Requests of `bundleID` still waiting for their data. */
  pendingFor(bundleID: string): number {
    let n = 0;
    for (const p of this.#pending.values()) if (p.bundleID === bundleID) n++;
    return n;
  }

  /** `OSKextCancelRequest`: drops a pending request; its callback is never called. */
  cancel(requestTag: number): IOReturn {
    return this.#pending.delete(requestTag) ? kIOReturnSuccess : (kOSKextReturn.NotFound as number);
  }

  /** The kext is stopping: every pending callback gets kOSKextReturnStopping now. */
  cancelAllFor(bundleID: string): void {
    for (const [tag, p] of [...this.#pending]) {
      if (p.bundleID !== bundleID) continue;
      this.#pending.delete(tag);
      this.#invoke(tag, p, kOSKextReturn.Stopping as number, undefined);
    }
  }

  #finish(tag: number, result: IOReturn, data: Uint8Array | undefined): void {
    this.#scheduler().post(() => {
      const p = this.#pending.get(tag);
      if (p === undefined) return; // cancelled meanwhile
      this.#pending.delete(tag);
      this.#invoke(tag, p, result, data);
    }, "OSKext requestResource callback");
  }

  #invoke(tag: number, p: Pending, result: IOReturn, data: Uint8Array | undefined): void {
    try {
      p.callback(tag, result, data, p.context);
    } catch (e) {
      this.#log(`Kext ${p.bundleID} resource request callback threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
