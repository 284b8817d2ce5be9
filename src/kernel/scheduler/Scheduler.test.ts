import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NS_PER_MS, Scheduler } from "./Scheduler.ts";

describe("Scheduler", () => {
  it("runs tasks due at the same instant in posting order by default", async () => {
    const s = new Scheduler();
    const order: number[] = [];
    for (let i = 0; i < 5; i++) s.post(() => order.push(i));
    s.post(() => s.post(() => order.push(99)));
    expect(await s.runUntilIdle()).toBe(7);
    expect(order).toEqual([0, 1, 2, 3, 4, 99]);
  });

  it("runUntilIdle does not move time; advance runs timers in deadline order", async () => {
    const s = new Scheduler();
    const seen: Array<[string, number]> = [];
    s.postAfter(30 * NS_PER_MS, () => seen.push(["b", s.nowMS()]));
    s.postAfter(10 * NS_PER_MS, () => seen.push(["a", s.nowMS()]));
    await s.runUntilIdle();
    expect(seen).toEqual([]);
    await s.advance(20);
    expect(seen).toEqual([["a", 10]]);
    expect(s.nowMS()).toBe(20);
    await s.advance(20);
    expect(seen).toEqual([["a", 10], ["b", 30]]);
    expect(s.nowMS()).toBe(40);
  });

  it("runAll makes a 60 s timeout pass instantly", async () => {
    const s = new Scheduler();
    let fired = -1;
    s.postAfter(60_000 * NS_PER_MS, () => (fired = s.nowMS()));
    await s.runAll();
    expect(fired).toBe(60_000);
  });

  it("compacts cancelled tasks so re-armed far timers do not pile up", () => {
    const s = new Scheduler();
    for (let i = 0; i < 10_000; i++) s.postAfter(1e12, () => {}).cancel();
    expect(s.pending).toBe(0);
    expect(s.heapSize).toBeLessThan(200);
    const h = s.post(() => {});
    s.runUntilIdleSync();
    expect(h.cancel()).toBe(false);
  });

  it("cancelled tasks never run", async () => {
    const s = new Scheduler();
    let ran = false;
    const h = s.post(() => (ran = true));
    expect(h.cancel()).toBe(true);
    expect(h.cancel()).toBe(false);
    await s.runAll();
    expect(ran).toBe(false);
  });

  it("settles promise continuations before the next task", async () => {
    const s = new Scheduler();
    const log: string[] = [];
    const d = s.deferred<number>();
    void (async () => {
      const v = await d.promise;
      await Promise.resolve();
      log.push(`woke ${v}`);
    })();
    s.post(() => d.resolve(7));
    s.post(() => log.push("next"));
    await s.runUntilIdle();
    expect(log).toEqual(["woke 7", "next"]);
  });

  it("sleep resolves after virtual time passes", async () => {
    const s = new Scheduler();
    const log: number[] = [];
    void s.sleep(5 * NS_PER_MS).then(() => log.push(s.nowMS()));
    await s.advance(4);
    expect(log).toEqual([]);
    await s.advance(1);
    expect(log).toEqual([5]);
  });

  it("same seed and inputs give the same shuffled order; the order is a permutation", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 40 }), (seed, n) => {
        const run = (): number[] => {
          const s = new Scheduler({ seed, shuffleTies: true });
          const out: number[] = [];
          for (let i = 0; i < n; i++) s.post(() => out.push(i));
          s.runUntilIdleSync();
          return out;
        };
        const a = run();
        expect(run()).toEqual(a);
        expect([...a].sort((x, y) => x - y)).toEqual([...Array(n).keys()]);
      }),
    );
  });

  it("shuffled ties still respect deadlines", () => {
    const s = new Scheduler({ seed: 42, shuffleTies: true });
    const out: number[] = [];
    s.postAt(2, () => out.push(2));
    s.postAt(1, () => out.push(1));
    s.postAt(1, () => out.push(1));
    s.postAt(0, () => out.push(0));
    void s.runAll();
    expect(out).toEqual([0, 1, 1, 2]);
  });

  it("runUntilIdleSync refuses async tasks", () => {
    const s = new Scheduler();
    s.post(() => s.markAsync(), "goes-async");
    expect(() => s.runUntilIdleSync()).toThrow(/goes-async/);
  });

  it("real-time mode pumps due tasks with the wall clock", async () => {
    const s = new Scheduler({ realTime: true });
    const done = new Promise<number>((resolve) => s.postAfter(1 * NS_PER_MS, () => resolve(s.nowMS())));
    expect(await done).toBeGreaterThanOrEqual(1);
    s.stop();
  });

  it("real time: a deadline beyond setTimeout's 2^31-1 ms does not overflow into a busy timer", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(w.name); };
    process.on("warning", onWarning);
    const s = new Scheduler({ realTime: true });
    let ran = false;
    s.postAfter(400 * 86_400_000 * NS_PER_MS, () => { ran = true; }); // 400 days away
    await new Promise((r) => setTimeout(r, 20));
    process.off("warning", onWarning);
    s.stop();
    expect(warnings).not.toContain("TimeoutOverflowWarning");
    expect(ran).toBe(false);
  });
});
