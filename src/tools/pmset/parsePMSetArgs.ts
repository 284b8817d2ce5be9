/**
 * pmset's argument grammar for settings and repeating events, as its man page gives it:
 *
 *   pmset [-a | -b | -c] KEY VALUE [KEY VALUE …]   -a every power source (the default), -b battery,
 *                                                 -c charger (AC); `dim` and `spindown` are the old
 *                                                 names of `displaysleep` and `disksleep`
 *   pmset repeat TYPE WEEKDAYS HH:mm:ss [TYPE WEEKDAYS HH:mm:ss]
 *                                                 TYPE one of wake, poweron, wakeorpoweron (the
 *                                                 power-on slot) or sleep, shutdown, restart (the
 *                                                 power-off slot), one of each at most; WEEKDAYS a
 *                                                 subset of MTWRFSU (R Thursday, U Sunday)
 *   pmset repeat cancel
 *
 * Each parser returns the parsed value or the message (one line, or the usage) to print.
 */
import { PM_POWER_SOURCES, PM_SETTINGS, REPEAT_ON_TYPES, type PMPowerSource, type PMRepeatingEvent, type PMRepeatingEvents } from "../../kernel/index.ts";

/** pmset's answer to arguments it cannot parse. */
export const USAGE = "Usage: pmset <options>\nSee pmset manpage for details\n";

/** One setting change: `[power source, key, value]`. */
export type SettingChange = readonly [PMPowerSource, string, number];

const ALIASES: Readonly<Record<string, string>> = { dim: "displaysleep", spindown: "disksleep" };
/** The keys pmset takes on its command line (the others are shown, not set). */
const SETTABLE = new Map(PM_SETTINGS.filter((s) => !s.key.includes(" ")).map((s) => [s.key, s]));

/** `pmset [-a|-b|-c] KEY VALUE …`. */
export function parseSettings(argv: readonly string[]): SettingChange[] | string {
  let sources: readonly PMPowerSource[] = PM_POWER_SOURCES;
  let i = 0;
  if (argv[0] === "-a" || argv[0] === "-b" || argv[0] === "-c") {
    sources = argv[0] === "-b" ? ["Battery Power"] : argv[0] === "-c" ? ["AC Power"] : PM_POWER_SOURCES;
    i = 1;
  }
  const pairs = argv.slice(i);
  if (pairs.length === 0 || pairs.length % 2 !== 0) return USAGE;
  const out: SettingChange[] = [];
  for (let k = 0; k < pairs.length; k += 2) {
    const name = pairs[k]!;
    const info = SETTABLE.get(ALIASES[name] ?? name);
    if (!info) return USAGE;
    const text = pairs[k + 1]!;
    const value = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value <= info.max)) {
      return `pmset: Error: bad value "${text}" for ${info.key} (${info.max === 1 ? "0 or 1" : "minutes, or 0 to disable"})\n`;
    }
    for (const s of sources) out.push([s, info.key, value]);
  }
  return out;
}

const DAY_LETTERS = "MTWRFSU";
const REPEAT_TYPES: Readonly<Record<string, string>> = {
  wake: "wake", poweron: "poweron", wakeorpoweron: "wakepoweron", sleep: "sleep", shutdown: "shutdown", restart: "restart",
};

/** `pmset repeat …` (the words after `repeat`): the new pair, {} for `cancel`. */
export function parseRepeat(args: readonly string[]): PMRepeatingEvents | string {
  if (args.length === 1 && args[0] === "cancel") return {};
  if (args.length === 0 || args.length % 3 !== 0 || args.length > 6) return USAGE;
  let on: PMRepeatingEvent | undefined;
  let off: PMRepeatingEvent | undefined;
  for (let k = 0; k < args.length; k += 3) {
    const [type, days, time] = [args[k]!, args[k + 1]!, args[k + 2]!];
    const eventtype = REPEAT_TYPES[type];
    if (eventtype === undefined) return `Error: Unknown repeating event type "${type}"; use wake, poweron, wakeorpoweron, sleep, shutdown or restart\n`;
    let weekdays = 0;
    for (const c of days) {
      const bit = DAY_LETTERS.indexOf(c);
      if (bit < 0) return `Error: Badly formatted days "${days}"; use a subset of MTWRFSU\n`;
      weekdays |= 1 << bit;
    }
    if (weekdays === 0) return `Error: Badly formatted days "${days}"; use a subset of MTWRFSU\n`;
    const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(time);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) return `Error: Badly formatted time "${time}"; use "HH:mm:ss"\n`;
    const event = { eventtype, time: Number(m[1]) * 60 + Number(m[2]), weekdays };
    const isOn = REPEAT_ON_TYPES.includes(eventtype);
    if (isOn ? on : off) return `Error: Only one repeating power ${isOn ? "on" : "off"} event may be scheduled\n`;
    if (isOn) on = event;
    else off = event;
  }
  return { ...(on ? { RepeatingPowerOn: on } : {}), ...(off ? { RepeatingPowerOff: off } : {}) };
}
