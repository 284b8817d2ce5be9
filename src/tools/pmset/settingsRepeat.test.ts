import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IOKitDaemon, bootKernel } from "../../host/index.ts";
import { driveUntil, getPMRootDomain, kIOPMAssertionTypePreventUserIdleSystemSleep, nextRepeatMs } from "../../kernel/index.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";
import { freshRootDomain, runOn } from "./pmsetTestSupport.ts";
import { USAGE } from "./parsePMSetArgs.ts";

const fresh = freshRootDomain;
const run = runOn;

/** `KEY value` rows of a `pmset -g`/`-g custom` section, as pmset's ` %-20s %d` lines. */
const row = (key: string, value: number | string): string => ` ${key.padEnd(20)} ${value}`;

describe("pmset settings (-a|-b|-c KEY VALUE, -g, -g custom)", () => {
  it("-c sleep N sets the root domain's idle sleep timer, which then sleeps the machine after N idle minutes", async () => {
    const root = await fresh();
    // The display (10 minutes by default) would outlast the system: pmset warns, and sets it anyway.
    expect(await run(root, "-c", "sleep", "2")).toEqual({
      rc: 0, out: "", err: 'Warning: Idle sleep timings for "AC Power" may not behave as expected.\n- Display sleep should have a lower timeout than system sleep.\n',
    });
    expect(root.sleepTimerMinutes).toBe(2);
    await root.pm.scheduler.advance(119_000);
    expect(root.systemState).toBe("on");
    await root.pm.scheduler.advance(2_000);
    expect(root.systemState).toBe("asleep");
    expect(root.getProperty("Last Sleep Reason")).toBe("Idle Sleep");
  });

  it("-b changes only the battery profile; the AC profile is the one in use", async () => {
    const root = await fresh();
    expect((await run(root, "-a", "displaysleep", "15", "sleep", "30")).rc).toBe(0);
    expect((await run(root, "-b", "sleep", "5", "dim", "2", "womp", "0")).rc).toBe(0);
    expect(root.sleepTimerMinutes).toBe(30);
    const live = (await run(root, "-g")).out.split("\n");
    expect(live.slice(0, 2)).toEqual(["System-wide power settings:", "Currently in use:"]);
    expect(live).toContain(row("sleep", 30));
    expect(live).toContain(row("displaysleep", 15));
    expect(live).toContain(row("womp", 1));
    expect(live).toContain(" Sleep On Power Button 1");
    const custom = (await run(root, "-g", "custom")).out.split("\n");
    const battery = custom.indexOf("Battery Power:");
    const ac = custom.indexOf("AC Power:");
    expect(battery).toBe(0);
    expect(ac).toBeGreaterThan(battery);
    const section = (from: number, to: number) => custom.slice(from + 1, to);
    expect(section(battery, ac)).toEqual(expect.arrayContaining([row("sleep", 5), row("displaysleep", 2), row("womp", 0)]));
    expect(section(ac, custom.length)).toEqual(expect.arrayContaining([row("sleep", 30), row("displaysleep", 15), row("womp", 1)]));
  });

  it("warns for every profile whose timers contradict each other, Battery Power first", async () => {
    const root = await fresh();
    expect((await run(root, "-a", "sleep", "5", "displaysleep", "3")).err).toBe("");
    expect((await run(root, "-a", "disksleep", "0")).err).toBe(
      ["Battery Power", "AC Power"].map((s) => `Warning: Idle sleep timings for "${s}" may not behave as expected.\n- Disk sleep should be non-zero whenever system sleep is non-zero.\n`).join(""),
    );
    expect((await run(root, "-c", "sleep", "0")).err).toMatch(/^Warning: Idle sleep timings for "Battery Power"[^\n]*\n[^\n]*\n$/);
  });

  it("hibernatemode in use becomes the root domain's Hibernate Mode property", async () => {
    const root = await fresh();
    expect((await run(root, "-a", "hibernatemode", "25")).rc).toBe(0);
    expect(root.getProperty("Hibernate Mode")).toEqual(expect.objectContaining({ value: 25n }));
    expect((await run(root, "-g")).out.split("\n")).toContain(row("hibernatemode", 25));
  });

  it("the sleep line names the processes holding idle sleep off", async () => {
    const root = await fresh();
    root.assertions.create(kIOPMAssertionTypePreventUserIdleSystemSleep, 255, "caffeinate command-line tool", { pid: 7, processName: "caffeinate" });
    expect((await run(root, "-g", "live")).out.split("\n")).toContain(`${row("sleep", 0)} (sleep prevented by caffeinate)`);
  });

  it("bad settings: unknown keys and odd arguments print the usage, bad values one line; nothing is applied", async () => {
    const root = await fresh();
    for (const argv of [["-a", "bogus", "1"], ["-a", "sleep"], ["-a"], ["-u", "sleep", "1"], ["sleep", "10", "displaysleep"]]) {
      expect(await run(root, ...argv)).toEqual({ rc: 1, out: "", err: USAGE });
    }
    const bad = await run(root, "-a", "sleep", "10", "womp", "2");
    expect(bad.rc).toBe(1);
    expect(bad.err).toBe('pmset: Error: bad value "2" for womp (0 or 1)\n');
    expect((await run(root, "-c", "sleep", "-5")).err).toBe('pmset: Error: bad value "-5" for sleep (minutes, or 0 to disable)\n');
    expect(root.sleepTimerMinutes).toBe(0);
  });
});

describe("pmset settings without a daemon", () => {
  it("persist in a per-user com.apple.PowerManagement.plist under powerd's keys, which a later run loads", async () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "pmset-prefs-")) };
    const pmset = async (...argv: string[]) => {
      const io = captureIO({ env });
      return { rc: await main(argv, io), out: io.out(), err: io.err() };
    };
    expect((await pmset("-c", "sleep", "25", "womp", "0")).rc).toBe(0);
    expect((await pmset("-b", "displaysleep", "3")).rc).toBe(0);
    const file = join(env.XDG_STATE_HOME, "iokit", "com.apple.PowerManagement.plist");
    const py = spawnSync("python3", ["-c", "import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))", file], { encoding: "utf8" });
    if (py.error !== undefined) console.warn("python3 (plistlib) missing: the PowerManagement file was not checked by an independent reader");
    else {
      const custom = JSON.parse(py.stdout)["Custom Profile"];
      expect(custom["AC Power"]).toMatchObject({ "System Sleep Timer": 25, "Wake On LAN": 0, "Display Sleep Timer": 10 });
      expect(custom["Battery Power"]).toMatchObject({ "System Sleep Timer": 0, "Wake On LAN": 1, "Display Sleep Timer": 3 });
    }
    expect((await pmset("-g")).out.split("\n")).toEqual(expect.arrayContaining([row("sleep", 25), row("womp", 0), row("displaysleep", 10)]));
    // Another user's (another state folder's) settings are their own.
    const other = captureIO({ env: { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "pmset-prefs-")) } });
    await main(["-g"], other);
    expect(other.out().split("\n")).toContain(row("sleep", 0));
  });
});

describe("pmset repeat", () => {
  it("sets the repeating pair, which -g sched shows before the one-time events; a new repeat replaces it; cancel clears it", async () => {
    const root = await fresh();
    expect((await run(root, "repeat", "wakeorpoweron", "MTWRF", "07:00:00", "shutdown", "MTWRFSU", "23:30:00")).rc).toBe(0);
    expect(root.settings.repeating).toEqual({
      RepeatingPowerOn: { eventtype: "wakepoweron", time: 7 * 60, weekdays: 0x1f },
      RepeatingPowerOff: { eventtype: "shutdown", time: 23 * 60 + 30, weekdays: 0x7f },
    });
    expect((await run(root, "relative", "wake", "30")).rc).toBe(0);
    expect((await run(root, "-g", "sched")).out).toBe(
      "Repeating power events:\n  wakepoweron at 7:00AM weekdays only\n  shutdown at 11:30PM every day\nScheduled power events:\n [0]  wake at 01/01/2001 00:00:30 by 'pmset'\n",
    );
    expect((await run(root, "repeat", "sleep", "SU", "00:05:00")).rc).toBe(0);
    expect((await run(root, "repeat", "wake", "MWF", "12:00:00")).rc).toBe(0);
    expect((await run(root, "-g", "sched")).out.split("\n").slice(0, 2)).toEqual(["Repeating power events:", "  wake at 12:00PM Monday,Wednesday,Friday"]);
    expect((await run(root, "repeat", "cancel")).rc).toBe(0);
    expect((await run(root, "-g", "sched")).out).toBe("Scheduled power events:\n [0]  wake at 01/01/2001 00:00:30 by 'pmset'\n");
  });

  it("the pair acts on the machine: the sleep event demand-sleeps it, the power-on event wakes it (Alarm)", async () => {
    const root = await fresh(); // a virtual-time kernel: its clock starts Monday 2001-01-01 00:00 UTC
    expect((await run(root, "repeat", "wake", "MTWRFSU", "00:10:00", "sleep", "MTWRFSU", "00:05:00")).rc).toBe(0);
    await root.pm.scheduler.advance(4 * 60_000);
    expect(root.systemState).toBe("on");
    await root.pm.scheduler.advance(61_000);
    expect(root.systemState).toBe("asleep");
    expect(root.getProperty("Last Sleep Reason")).toBe("Scheduled Sleep");
    await root.pm.scheduler.advance(5 * 60_000);
    expect(root.systemState).toBe("on");
    expect(root.getProperty("Wake Type")).toBe("Alarm");
    // Weekends only: asleep from Monday, the next wake is Saturday 08:00.
    expect((await run(root, "repeat", "wakeorpoweron", "SU", "08:00:00")).rc).toBe(0);
    root.sleepSystem();
    const sched = root.pm.scheduler;
    await driveUntil(sched, () => root.systemState === "asleep", sched.now() + 60e9);
    await driveUntil(sched, () => root.systemState === "on", sched.now() + 8 * 86_400e9);
    expect(sched.now()).toBe(((5 * 24 + 8) * 3600) * 1e9);
    root.shutdownTimers();
  });

  it("nextRepeatMs: the first later minute on one of the event's days", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 127 }), fc.integer({ min: Date.UTC(2001, 0, 1), max: Date.UTC(2100, 0, 1) }), (time, weekdays, after) => {
      const next = nextRepeatMs({ eventtype: "wake", time, weekdays }, after);
      const d = new Date(next);
      expect(next).toBeGreaterThan(after);
      expect(next - after).toBeLessThanOrEqual(7 * 86_400_000);
      expect(d.getUTCHours() * 60 + d.getUTCMinutes()).toBe(time);
      expect(weekdays & (1 << ((d.getUTCDay() + 6) % 7))).not.toBe(0);
      // No earlier day qualifies.
      for (let t = next - 86_400_000; t > after; t -= 86_400_000) expect(weekdays & (1 << ((new Date(t).getUTCDay() + 6) % 7))).toBe(0);
    }));
  });

  it("rejects bad types, days, times and two events of one kind with one line; the old pair stays", async () => {
    const root = await fresh();
    await run(root, "repeat", "sleep", "SU", "00:00:00");
    const cases: [string[], string][] = [
      [["repeat", "nap", "M", "01:00:00"], 'Error: Unknown repeating event type "nap"; use wake, poweron, wakeorpoweron, sleep, shutdown or restart\n'],
      [["repeat", "wake", "MX", "01:00:00"], 'Error: Badly formatted days "MX"; use a subset of MTWRFSU\n'],
      [["repeat", "wake", "M", "25:00:00"], 'Error: Badly formatted time "25:00:00"; use "HH:mm:ss"\n'],
      [["repeat", "wake", "M", "01:00:00", "poweron", "T", "02:00:00"], "Error: Only one repeating power on event may be scheduled\n"],
      [["repeat", "wake", "M"], USAGE],
      [["repeat"], USAGE],
    ];
    for (const [argv, err] of cases) expect(await run(root, ...argv)).toEqual({ rc: 1, out: "", err });
    expect(root.settings.repeating).toEqual({ RepeatingPowerOff: { eventtype: "sleep", time: 0, weekdays: 0x60 } });
  });

  it("without a daemon, the pair persists as RepeatingPowerOn/Off in the AutoWake file beside the one-time events", async () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "pmset-rep-")) };
    const pmset = async (...argv: string[]) => {
      const io = captureIO({ env });
      return { rc: await main(argv, io), out: io.out(), err: io.err() };
    };
    expect((await pmset("schedule", "wake", "01/01/40 08:00:00")).rc).toBe(0);
    expect((await pmset("repeat", "wakeorpoweron", "MTWRF", "07:00:00", "shutdown", "SU", "17:00:00")).rc).toBe(0);
    expect((await pmset("-g", "sched")).out).toBe(
      "Repeating power events:\n  wakepoweron at 7:00AM weekdays only\n  shutdown at 5:00PM weekends only\nScheduled power events:\n [0]  wake at 01/01/2040 08:00:00 by 'pmset'\n",
    );
    const file = join(env.XDG_STATE_HOME, "iokit", "com.apple.AutoWake.plist");
    const py = spawnSync("python3", ["-c", "import plistlib,sys,json; d=plistlib.load(open(sys.argv[1],'rb')); print(json.dumps({k:d[k] for k in ('RepeatingPowerOn','RepeatingPowerOff')}))", file], { encoding: "utf8" });
    if (py.error !== undefined) console.warn("python3 (plistlib) missing: the AutoWake file was not checked by an independent reader");
    else {
      expect(JSON.parse(py.stdout)).toEqual({
        RepeatingPowerOn: { eventtype: "wakepoweron", time: 420, weekdays: 31 },
        RepeatingPowerOff: { eventtype: "shutdown", time: 1020, weekdays: 96 },
      });
    }
    // One-time and repeating events are cancelled separately.
    expect((await pmset("schedule", "cancelall")).rc).toBe(0);
    expect((await pmset("-g", "sched")).out).toBe("Repeating power events:\n  wakepoweron at 7:00AM weekdays only\n  shutdown at 5:00PM weekends only\n");
    expect((await pmset("schedule", "wake", "01/01/40 08:00:00")).rc).toBe(0);
    expect((await pmset("repeat", "cancel")).rc).toBe(0);
    expect((await pmset("-g", "sched")).out).toBe("Scheduled power events:\n [0]  wake at 01/01/2040 08:00:00 by 'pmset'\n");
  });
});

describe("pmset settings and repeat over the daemon", () => {
  it("with IOKIT_SOCKET, settings and the repeating pair change the daemon's root domain", async () => {
    const booted = await bootKernel({ extensions: null, realTime: true, hardware: false });
    const socketPath = join(mkdtempSync(join(tmpdir(), "pmset-d-")), "iokit.sock");
    const daemon = await IOKitDaemon.start(booted.server, { socketPath });
    const env = { IOKIT_SOCKET: socketPath, XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "pmset-state-")) };
    const root = getPMRootDomain(booted.kernel.platform);
    try {
      const pmset = async (...argv: string[]) => {
        const io = captureIO({ env });
        return { rc: await main(argv, io), out: io.out(), err: io.err() };
      };
      expect(await pmset("-a", "sleep", "45", "displaysleep", "20")).toEqual({ rc: 0, out: "", err: "" });
      expect(root.sleepTimerMinutes).toBe(45);
      expect((await pmset("-b", "sleep", "3")).rc).toBe(0);
      expect(root.sleepTimerMinutes).toBe(45);
      expect((await pmset("-g")).out.split("\n")).toEqual(expect.arrayContaining([row("sleep", 45), row("displaysleep", 20)]));
      const custom = (await pmset("-g", "custom")).out.split("\n");
      expect(custom.slice(0, custom.indexOf("AC Power:"))).toContain(row("sleep", 3));
      // A bad value is refused before it reaches the daemon, and nothing changes.
      expect((await pmset("-a", "sleep", "5", "powernap", "9")).rc).toBe(1);
      expect(root.sleepTimerMinutes).toBe(45);
      expect((await pmset("repeat", "wake", "MTWRFSU", "06:30:00")).rc).toBe(0);
      expect(root.settings.repeating).toEqual({ RepeatingPowerOn: { eventtype: "wake", time: 390, weekdays: 0x7f } });
      expect((await pmset("-g", "sched")).out).toBe("Repeating power events:\n  wake at 6:30AM every day\n");
      expect((await pmset("repeat", "cancel")).rc).toBe(0);
      expect(root.settings.repeating).toEqual({});
    } finally {
      root.shutdownTimers();
      await daemon.close();
      booted.kernel.scheduler.stop();
    }
  });
});
