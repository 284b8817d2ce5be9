/**
 * `iokit fuzz userclient`: random calls from an unprivileged task against every service that names
 * an `IOUserClientClass` — random selectors, scalar counts (including more than 16), structure
 * sizes on both sides of the inband limit, absurd output sizes, bogus async references and
 * handles, memory mappings of random types, connections closed and reopened. Every call must come
 * back as success or an IOReturnError carrying a known IOReturn; anything else (a lost connection,
 * an unknown code, a thrown JavaScript error) is an anomaly.
 */
import { IOReturnError, ioReturnName } from "../base/index.ts";
import { Routine, type WireValue } from "../ipc/index.ts";
import { serviceMatching, type IOConnectRef, type IOKitLib, type IOServiceRef } from "../libiokit/index.ts";

export interface FuzzReport {
  readonly calls: number;
  readonly services: string[];
  readonly successes: number;
  /** Error returns by IOReturn name. */
  readonly returns: Map<string, number>;
  readonly anomalies: string[];
}

/** xorshift32: reproducible from the seed. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const OUT_SIZES = [0, 1, 8, 16, 64, 4096, 4097, 9000, -3, -1, 0x1_0000_0000, 2 ** 40, 1.5];
const IN_SIZES = [0, 1, 7, 8, 16, 100, 4096, 4097, 9000];

/** Runs `calls` random calls; never throws for a kernel answer. */
export async function fuzzUserClients(lib: IOKitLib, options: { calls: number; seed?: number }): Promise<FuzzReport> {
  const rnd = prng(options.seed ?? 1);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const returns = new Map<string, number>();
  const anomalies: string[] = [];
  let successes = 0;
  const record = async (what: string, p: Promise<unknown>): Promise<unknown> => {
    try {
      const v = await p;
      successes++;
      return v;
    } catch (e) {
      if (e instanceof IOReturnError && ioReturnName(e.code) !== undefined) {
        const n = ioReturnName(e.code) as string;
        returns.set(n, (returns.get(n) ?? 0) + 1);
      } else {
        anomalies.push(`${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
      return undefined;
    }
  };
  const targets: Array<{ service: IOServiceRef; name: string }> = [];
  for (const s of await lib.getMatchingServices(serviceMatching("IOService"))) {
    if (typeof (await s.property("IOUserClientClass")) === "string") targets.push({ service: s, name: `${await s.className()} ${await s.name()}` });
    else await s.release();
  }
  const conns: Array<IOConnectRef | undefined> = [];
  const open = async (i: number): Promise<void> => {
    const t = targets[i % targets.length];
    if (!t) return;
    conns[i] = (await record(`open ${t.name}`, t.service.open(Math.floor(rnd() * 3)))) as IOConnectRef | undefined;
  };
  for (let i = 0; i < targets.length; i++) await open(i);
  const port = await lib.asyncPort();
  for (let n = 0; n < options.calls; n++) {
    const i = Math.floor(rnd() * Math.max(1, targets.length));
    const c = conns[i];
    const r = rnd();
    if (!c || r < 0.02) {
      if (c) await record("close", c.close());
      await open(i);
      continue;
    }
    if (r < 0.05) {
      const map = (await record("map", c.mapMemory(Math.floor(rnd() * 3), Math.floor(rnd() * 0x10000)))) as { unmap(): Promise<void>; read(o: number, l: number): Promise<Uint8Array> } | undefined;
      if (map) {
        await record("read", map.read(Math.floor(rnd() * 5000), Math.floor(rnd() * 5000)));
        await record("unmap", map.unmap());
      }
      continue;
    }
    const selector = rnd() < 0.7 ? Math.floor(rnd() * 8) : pick([0xffffffff, 2 ** 31, -1, 1.5, 1e12]);
    const scalars: WireValue[] = Array.from({ length: Math.floor(rnd() * 18) }, () => pick([0n, 1n, 0xffffffffffffffffn, BigInt(Math.floor(rnd() * 1e9)), -1n]));
    const structIn = new Uint8Array(pick(IN_SIZES)).map(() => Math.floor(rnd() * 256));
    const asyncRef: WireValue = rnd() < 0.2 ? [BigInt(rnd() < 0.5 ? port : Math.floor(rnd() * 1e6)), BigInt(n)] : rnd() < 0.05 ? ["junk"] : null;
    await record(`method ${selector}`, lib.call(Routine.connectMethod, c.handle, selector, scalars, structIn, Math.floor(rnd() * 18), pick(OUT_SIZES), asyncRef));
  }
  for (const c of conns) if (c) await record("close", c.close());
  for (const t of targets) await record("release", t.service.release());
  if ((await record("liveness", lib.getMatchingServices(serviceMatching("IOResources")))) === undefined) anomalies.push("kernel stopped answering");
  return { calls: options.calls, services: targets.map((t) => t.name), successes, returns, anomalies };
}
