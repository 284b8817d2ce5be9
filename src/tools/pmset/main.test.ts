import { describe, expect, it } from "vitest";
import { IOKernel, IOPMrootDomain, kIOPMAssertionTypePreventUserIdleSystemSleep } from "../../kernel/index.ts";
import { captureIO } from "../ToolIO.ts";
import { runPMSet } from "./main.ts";

const fresh = async (): Promise<IOPMrootDomain> => {
  const k = new IOKernel();
  const r = IOPMrootDomain.forService(k.resources);
  await k.scheduler.runAll();
  return r;
};

const run = async (root: IOPMrootDomain, ...argv: string[]) => {
  const io = captureIO();
  const rc = await runPMSet(argv, io, root);
  return { rc, out: io.out(), err: io.err() };
};

describe("iokit pmset", () => {
  it("-g assertions lists the system-wide table and assertions by owning process", async () => {
    const root = await fresh();
    root.assertions.create(kIOPMAssertionTypePreventUserIdleSystemSleep, 255, "caffeinate command-line tool", {
      pid: 98217, processName: "caffeinate", details: "caffeinate asserting for 1600 secs", timeoutSeconds: 1600, timeoutAction: "TimeoutActionRelease",
    });
    await root.pm.scheduler.advance(3_000);
    const { rc, out } = await run(root, "-g", "assertions");
    expect(rc).toBe(0);
    const lines = out.split("\n");
    expect(lines[0]).toBe("2001-01-01 00:00:03 +0000");
    expect(lines[1]).toBe("Assertion status system-wide:");
    expect(lines).toContain("   PreventUserIdleSystemSleep     1");
    expect(lines).toContain("   BackgroundTask                 0");
    expect(lines).toContain("Listed by owning process:");
    expect(lines).toContain('   pid 98217(caffeinate): [0x0000000000010000] 00:00:03 PreventUserIdleSystemSleep named: "caffeinate command-line tool"');
    expect(lines).toContain("\tDetails: caffeinate asserting for 1600 secs");
    expect(lines).toContain("\tTimeout will fire in 1597 secs Action=TimeoutActionRelease");
  });

  it("relative wake + sleepnow sleep and wake the machine, and -g log shows both", async () => {
    const root = await fresh();
    expect((await run(root, "relative", "wake", "30")).rc).toBe(0);
    expect((await run(root, "-g", "sched")).out).toBe("Scheduled power events:\n [0]  wake at 01/01/2001 00:00:30 by 'pmset'\n");
    const s = await run(root, "sleepnow");
    expect(s.out).toBe("Sleeping now...\n");
    expect(root.systemState).toBe("on");
    const log = (await run(root, "-g", "log")).out.split("\n");
    expect(log[0]).toMatch(/^Time stamp {16}Domain {15}\tMessage +\tDuration  \tDelay$/);
    const sleep = log.find((l) => l.includes("\tEntering Sleep state due to 'Software Sleep'"))!;
    expect(sleep.startsWith("2001-01-01 00:00:00 +0000 Sleep")).toBe(true);
    const wake = log.find((l) => l.includes("Wake from Deep Idle"))!;
    expect(wake.startsWith("2001-01-01 00:00:30 +0000 Wake")).toBe(true);
    expect(wake).toContain("\t30 secs");
    expect(log).toContain("Total Sleep/Wakes since boot:1");
  });

  it("schedule wake parses pmset dates and rejects bad ones", async () => {
    const root = await fresh();
    expect((await run(root, "schedule", "wake", "01/01/01 00:01:00")).rc).toBe(0);
    expect(root.scheduledWakes[0]!.atNs).toBe(60e9);
    const bad = await run(root, "schedule", "wake", "tomorrow");
    expect(bad.rc).toBe(1);
    expect(bad.err.split("\n").length).toBe(2);
    expect((await run(root, "bogus")).rc).toBe(1);
  });
});
