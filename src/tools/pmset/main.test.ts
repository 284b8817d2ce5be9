import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { IOKitDaemon, bootKernel } from "../../host/index.ts";
import { IOKernel, IOPMrootDomain, getPMRootDomain, kIOPMAssertionTypePreventUserIdleSystemSleep } from "../../kernel/index.ts";
import { captureIO } from "../ToolIO.ts";
import { main, runPMSet } from "./main.ts";

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

describe("iokit pmset: where the schedule lives", () => {
  const FUTURE = "01/01/40 08:00:00";

  it("without a daemon, schedule persists in a per-user com.apple.AutoWake.plist that a later run's -g sched reads", async () => {
    const state = mkdtempSync(join(tmpdir(), "pmset-state-"));
    const env = { XDG_STATE_HOME: state };
    const io1 = captureIO({ env });
    expect(await main(["schedule", "wake", FUTURE, "backupd"], io1)).toBe(0);
    const io2 = captureIO({ env });
    expect(await main(["schedule", "wake", "12/31/39 23:00:00"], io2)).toBe(0);
    // A fresh process would see the same: -g sched reads only the file.
    const io3 = captureIO({ env });
    expect(await main(["-g", "sched"], io3)).toBe(0);
    expect(io3.out()).toBe("Scheduled power events:\n [0]  wake at 12/31/2039 23:00:00 by 'pmset'\n [1]  wake at 01/01/2040 08:00:00 by 'backupd'\n");
    const file = join(state, "iokit", "com.apple.AutoWake.plist");
    // The file is powerd's format, read by an independent plist reader.
    const py = spawnSync("python3", ["-c", "import plistlib,sys,json; d=plistlib.load(open(sys.argv[1],'rb')); print(json.dumps({k:(v if isinstance(v,str) else [[e['eventtype'],e['scheduledby'],e['time'].isoformat()] for e in v]) for k,v in d.items()}))", file], { encoding: "utf8" });
    if (py.error !== undefined) console.warn("python3 (plistlib) missing: the AutoWake file was not checked by an independent reader");
    else {
      expect(JSON.parse(py.stdout)).toEqual({
        wake: [["wake", "pmset", "2039-12-31T23:00:00"], ["wake", "backupd", "2040-01-01T08:00:00"]],
        WARNING: "Do not edit this file by hand. It must remain in sorted-by-date order.",
      });
    }
    // cancel needs the owner that scheduled it; cancelall empties the schedule.
    const miss = captureIO({ env });
    expect(await main(["schedule", "cancel", "wake", FUTURE], miss)).toBe(1);
    expect(miss.err()).toBe("Error: No matching scheduled event.\n");
    expect(await main(["schedule", "cancel", "wake", FUTURE, "backupd"], captureIO({ env }))).toBe(0);
    const io4 = captureIO({ env });
    await main(["-g", "sched"], io4);
    expect(io4.out()).toBe("Scheduled power events:\n [0]  wake at 12/31/2039 23:00:00 by 'pmset'\n");
    expect(await main(["schedule", "cancelall"], captureIO({ env }))).toBe(0);
    const io5 = captureIO({ env });
    await main(["-g", "sched"], io5);
    expect(io5.out()).toBe("");
  });

  it("without a daemon, a past date is refused and a damaged state file is one line naming it", async () => {
    const state = mkdtempSync(join(tmpdir(), "pmset-state-"));
    const io = captureIO({ env: { XDG_STATE_HOME: state } });
    expect(await main(["schedule", "wake", "01/01/01 00:01:00"], io)).toBe(1);
    expect(io.err()).toBe("Error: You can't schedule an event in the past.\n");
    mkdirSync(join(state, "iokit"));
    writeFileSync(join(state, "iokit", "com.apple.AutoWake.plist"), "<plist><dict><key>wake</key><string>x</string></dict></plist>");
    const bad = captureIO({ env: { XDG_STATE_HOME: state } });
    expect(await main(["-g", "sched"], bad)).toBe(1);
    expect(bad.err()).toMatch(/^pmset: .*com\.apple\.AutoWake\.plist: "wake" must be an array\n$/);
  });

  it("with IOKIT_SOCKET naming no socket, one line and exit 1", async () => {
    const io = captureIO({ env: { IOKIT_SOCKET: join(mkdtempSync(join(tmpdir(), "pmset-n-")), "none.sock") } });
    expect(await main(["-g", "sched"], io)).toBe(1);
    expect(io.err()).toMatch(/^pmset: .*none\.sock: no iokit daemon socket \(start one with 'iokit boot'\)\n$/);
  });

  it("with IOKIT_SOCKET, every command reads and changes the daemon's root domain", async () => {
    const booted = await bootKernel({ extensions: null, realTime: true, hardware: false });
    const socketPath = join(mkdtempSync(join(tmpdir(), "pmset-d-")), "iokit.sock");
    const daemon = await IOKitDaemon.start(booted.server, { socketPath });
    const state = mkdtempSync(join(tmpdir(), "pmset-state-"));
    const env = { IOKIT_SOCKET: socketPath, XDG_STATE_HOME: state };
    const root = getPMRootDomain(booted.kernel.platform);
    try {
      const pmset = async (...argv: string[]) => {
        const io = captureIO({ env });
        const rc = await main(argv, io);
        return { rc, out: io.out(), err: io.err() };
      };
      expect((await pmset("schedule", "wake", FUTURE, "backupd")).rc).toBe(0);
      expect(root.scheduledWakes.map((w) => w.owner)).toEqual(["backupd"]);
      expect((await pmset("-g", "sched")).out).toBe("Scheduled power events:\n [0]  wake at 01/01/2040 08:00:00 by 'backupd'\n");
      expect(existsSync(join(state, "iokit"))).toBe(false); // the daemon holds the schedule, not the file
      expect((await pmset("schedule", "wake", "01/02/40 08:00:00")).rc).toBe(0);
      expect((await pmset("schedule", "cancel", "wake", "01/02/40 08:00:00")).rc).toBe(0);
      expect((await pmset("schedule", "cancel", "wake", FUTURE)).err).toBe("Error: No matching scheduled event.\n");
      expect(root.scheduledWakes.map((w) => w.owner)).toEqual(["backupd"]);
      root.assertions.create(kIOPMAssertionTypePreventUserIdleSystemSleep, 255, "caffeinate command-line tool", { pid: 4242, processName: "caffeinate" });
      const a = await pmset("-g", "assertions");
      expect(a.out.split("\n")).toContain("   PreventUserIdleSystemSleep     1");
      expect(a.out).toMatch(/pid 4242\(caffeinate\): \[0x[0-9a-f]{16}\] \d\d:\d\d:\d\d PreventUserIdleSystemSleep named: "caffeinate command-line tool"/);
      // The daemon's clock is shown as wall time (its boot is now-ish, not 2001).
      expect(a.out.slice(0, 4)).toBe(String(new Date().getUTCFullYear()));
      const s = await pmset("sleepnow");
      expect(s).toMatchObject({ rc: 0, out: "Sleeping now...\n" });
      expect(["sleeping", "asleep"]).toContain(root.systemState);
      if (root.systemState !== "asleep") {
        await new Promise<void>((resolve) => {
          const off = root.pm.onSystemPower((e) => { if (e === "didSleep") { off(); resolve(); } });
        });
      }
      expect((await pmset("-g", "log")).out).toContain("\tEntering Sleep state due to 'Software Sleep'");
      expect((await pmset("schedule", "wake", "01/01/01 00:01:00")).err).toBe("Error: You can't schedule an event in the past.\n");
      expect((await pmset("schedule", "cancelall")).rc).toBe(0);
      expect(root.scheduledWakes).toEqual([]);
    } finally {
      root.shutdownTimers();
      await daemon.close();
      booted.kernel.scheduler.stop();
    }
  });
});
