/**
 * `iokit fuzz routines`: random calls to every kernel routine the daemon serves (`io_*`, `bsd_*`,
 * `iokit_device_*`, `kext_request_*`, …) with random argument lists — wrong counts, wrong types,
 * huge and negative numbers, NaN, long strings, large byte strings, nested arrays and
 * dictionaries, descriptor and handle numbers that may or may not be live. The kernel must answer
 * every one with a result or a known IOReturn; a lost connection, an unknown code or a thrown
 * JavaScript error is an anomaly. On a privileged connection the privileged routines (hot plug,
 * power settings, kext requests) are reached too, so devices may be unplugged and the system put
 * to sleep: run it against a throwaway daemon.
 */
import { IOReturnError, ioReturnName } from "../base/index.ts";
import { Routine, type WireValue } from "../ipc/index.ts";
import type { IOKitLib } from "../libiokit/index.ts";
import { prng, type FuzzReport } from "./fuzzUserClients.ts";

const NUMBERS = [0, 1, -1, 2, 3, 7, 255, 512, 4096, 65_536, 0x7fff_ffff, -0x8000_0000, 2 ** 32, 2 ** 53, -(2 ** 53), 1e300, Number.NaN,
  Number.POSITIVE_INFINITY, 0.5, 0x4004_6418, 0x4008_6419, 0x2000_6416, 0x4004_667f];
const STRINGS = ["", "/dev/samplechar", "/dev/rdisk0", "/dev/disk0s1", "/dev/null", "/dev/zero", "/dev/cu.serial1", "/dev/../etc/passwd",
  "IOService", "IOPMrootDomain", "com.apple.iokit.IOHIDFamily", "wake", "keyboard", "x".repeat(5000), "\u0000\uffff\ud800"];
// The routines that end or restart the session are left out: they are exercised by the transport tests.
const SKIP = new Set<string>([Routine.taskHello]);

/** Runs `calls` random routine calls; never throws for a kernel answer. */
export async function fuzzRoutines(lib: IOKitLib, options: { calls: number; seed?: number }): Promise<FuzzReport> {
  const rnd = prng(options.seed ?? 1);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const value = (depth: number): WireValue => {
    switch (Math.floor(rnd() * (depth > 2 ? 5 : 8))) {
      case 0: return pick(NUMBERS);
      case 1: return Math.floor(rnd() * 16); // a small integer: often a live descriptor or handle
      case 2: return pick(STRINGS);
      case 3: return new Uint8Array(Math.floor(rnd() < 0.05 ? rnd() * 200_000 : rnd() * 64));
      case 4: return rnd() < 0.5;
      case 5: return BigInt(Math.floor(rnd() * 2 ** 40)) * (rnd() < 0.5 ? -1n : 1n);
      case 6: return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      default: return new Map([[pick(STRINGS), value(depth + 1)]]);
    }
  };
  const routines = Object.values(Routine).filter((r) => !SKIP.has(r)).sort();
  const returns = new Map<string, number>();
  const anomalies: string[] = [];
  let successes = 0;
  for (let i = 0; i < options.calls; i++) {
    const op = pick(routines);
    const args = Array.from({ length: Math.floor(rnd() * 6) }, () => value(0));
    try {
      await lib.call(op, ...args);
      successes++;
    } catch (e) {
      const name = e instanceof IOReturnError ? ioReturnName(e.code) : undefined;
      if (name !== undefined && !/connection to the kernel lost/.test((e as Error).message)) returns.set(name, (returns.get(name) ?? 0) + 1);
      else anomalies.push(`call ${i} ${op}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      if (anomalies.length >= 100) break;
    }
  }
  return { calls: options.calls, services: routines, successes, returns, anomalies };
}
