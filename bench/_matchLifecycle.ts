/**
 * The lifecycle half of `npm run bench -- match`: publish a nub, let matching probe and start its
 * driver (which takes a timer on its work loop, released through its ResourceStack), terminate the
 * nub, let the three termination phases run — N times on one kernel — and check that every class's
 * live-instance count, the kernel's published-service set and the work loop's event sources are back
 * at their baseline, with no per-cycle growth.
 */
import {
  IOKernel, IOService, IOTimerEventSource, OSMetaClass, kIOServiceSynchronous,
} from "../src/kernel/index.ts";
import { dict } from "../src/libkern/index.ts";

class BenchNub extends IOService {}
OSMetaClass.define(BenchNub, "BenchLifecycleNub");

class BenchDriver extends IOService {
  override start(provider: IOService): boolean {
    const timer = IOTimerEventSource.timerEventSource(this, () => {});
    const loop = this.getWorkLoop();
    loop.addEventSource(timer);
    timer.setTimeoutMS(1000);
    this.resources.defer(() => {
      loop.removeEventSource(timer);
      timer.release();
    });
    return super.start(provider);
  }
}
OSMetaClass.define(BenchDriver, "BenchLifecycleDriver", { kmodName: "com.example.bench" });

const snapshot = (): Map<string, number> => new Map(OSMetaClass.all().map((m) => [m.className, m.getInstanceCount()]));

const diff = (a: Map<string, number>, b: Map<string, number>): string[] =>
  [...b].filter(([k, v]) => (a.get(k) ?? 0) !== v).map(([k, v]) => `${k} ${a.get(k) ?? 0}→${v}`);

/** Runs `cycles` publish/terminate cycles; prints figures; throws if anything leaked. */
export async function matchLifecycleBench(args: string[]): Promise<void> {
  const cycles = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
  const kernel = new IOKernel();
  kernel.addDrivers([dict({ IOProviderClass: "BenchLifecycleNub", IOClass: "BenchLifecycleDriver", CFBundleIdentifier: "com.example.bench" })]);
  const run = (): void => {
    const nub = new BenchNub(kernel.registry);
    nub.attach(kernel.platform);
    nub.registerService();
    nub.release();
    kernel.scheduler.runUntilIdleSync();
    if (nub.getClient()?.className !== "BenchLifecycleDriver") throw new Error("driver did not start");
    nub.terminate(kIOServiceSynchronous);
    kernel.scheduler.runUntilIdleSync();
  };
  run(); // warm up, then take the baseline
  const baseline = snapshot();
  const baseSources = kernel.workLoop.eventSources().length;
  const checkpoints: Array<[number, number, number]> = [];
  const started = performance.now();
  let next = 1000;
  for (let i = 1; i <= cycles; i++) {
    run();
    if (i === next || i === cycles) {
      checkpoints.push([i, diff(baseline, snapshot()).length, kernel.scheduler.heapSize]);
      next *= 10;
    }
  }
  const ms = performance.now() - started;
  const leaked = diff(baseline, snapshot());
  const sources = kernel.workLoop.eventSources().length - baseSources;
  const children = kernel.platform.getClients().length;
  process.stdout.write(
    `match lifecycle: ${cycles} publish/match/start/terminate cycles in ${ms.toFixed(0)} ms ` +
    `(${((ms * 1000) / cycles).toFixed(1)} µs/cycle, ${Math.round(cycles / (ms / 1000))} cycles/s)\n` +
    `  after cycle N: classes differing from baseline / scheduler heap slots: ${checkpoints.map(([n, d, h]) => `${n}: ${d}/${h}`).join(", ")}\n` +
    `  leaked instances: ${leaked.length === 0 ? "none" : leaked.join(", ")}; ` +
    `extra work-loop sources: ${sources}; platform children: ${children}; scheduler tasks run: ${kernel.scheduler.executed}; ` +
    `log lines: ${kernel.logRing.lines().length}\n`,
  );
  if (leaked.length > 0 || sources !== 0 || children !== 2) throw new Error("lifecycle bench: state did not return to baseline");
}
