/**
 * The root domain's power settings and repeating power events — what `pmset -a|-b|-c KEY VALUE`
 * and `pmset repeat …` change, kept the way powerd keeps them on a Mac:
 *
 * - settings: one profile per power source (`"AC Power"`, `"Battery Power"`), each setting →
 *   integer, under pmset's names (`sleep`, `displaysleep`, `womp`, …). The machine always runs
 *   on AC, so the AC profile is the one in use: its `sleep` is the root domain's idle sleep timer
 *   and its `hibernatemode` the `Hibernate Mode` property. The others are kept and shown (there
 *   is no display, disk or network wake to drive yet).
 * - repeating events: at most one power-on (`wake`, `poweron`, `wakepoweron`) and one power-off
 *   (`sleep`, `shutdown`, `restart`) event, each `{eventtype, time (minutes after midnight),
 *   weekdays (bit 0 Monday … bit 6 Sunday)}` — `RepeatingPowerOn`/`RepeatingPowerOff` of
 *   com.apple.AutoWake.plist. A new `pmset repeat` replaces the pair.
 *
 * Invariant: every profile holds every key of {@link PM_SETTINGS} with an integer in range.
 */
import type { PMRepeatingEvent, PMRepeatingEvents } from "../../ipc/index.ts";

/** One setting: pmset's name, its default on the virtual Mac, and the largest value accepted. */
export interface PMSettingInfo {
  readonly key: string;
  readonly defaultValue: number;
  readonly max: number;
}

// The order is that of a desktop Mac's `pmset -g` (a CFDictionary's order, stable per release).
/** The settings the virtual Mac supports, in `pmset -g`'s order. */
export const PM_SETTINGS: readonly PMSettingInfo[] = [
  { key: "standby", defaultValue: 0, max: 1 },
  { key: "Sleep On Power Button", defaultValue: 1, max: 1 },
  { key: "autorestart", defaultValue: 0, max: 1 },
  { key: "powernap", defaultValue: 1, max: 1 },
  { key: "networkoversleep", defaultValue: 0, max: 1 },
  { key: "disksleep", defaultValue: 10, max: 0x7fff_ffff },
  { key: "sleep", defaultValue: 0, max: 0x7fff_ffff },
  { key: "hibernatemode", defaultValue: 3, max: 0x7fff_ffff },
  { key: "ttyskeepawake", defaultValue: 1, max: 1 },
  { key: "displaysleep", defaultValue: 10, max: 0x7fff_ffff },
  { key: "tcpkeepalive", defaultValue: 1, max: 1 },
  { key: "womp", defaultValue: 1, max: 1 },
];

/** The power sources with a settings profile, in `pmset -g custom`'s order. */
export const PM_POWER_SOURCES = ["Battery Power", "AC Power"] as const;
export type PMPowerSource = (typeof PM_POWER_SOURCES)[number];

/** Event types of the repeating power-on and power-off slots. */
export const REPEAT_ON_TYPES: readonly string[] = ["wake", "poweron", "wakepoweron"];
export const REPEAT_OFF_TYPES: readonly string[] = ["sleep", "shutdown", "restart"];

/** The settings of each power source. */
export class IOPMSettings {
  readonly #profiles = new Map<PMPowerSource, Map<string, number>>(PM_POWER_SOURCES.map((s) => [s, new Map(PM_SETTINGS.map((x) => [x.key, x.defaultValue]))]));
  #repeating: PMRepeatingEvents = {};

  /** The value of `key` in `source`'s profile. */
  get(source: PMPowerSource, key: string): number | undefined {
    return this.#profiles.get(source)!.get(key);
  }

  /** Sets `key` in `source`; false for an unknown key or a value out of range. */
  set(source: PMPowerSource, key: string, value: number): boolean {
    const info = PM_SETTINGS.find((s) => s.key === key);
    if (!info || !Number.isSafeInteger(value) || value < 0 || value > info.max) return false;
    this.#profiles.get(source)!.set(key, value);
    return true;
  }

  /** Every profile as plain data. */
  profiles(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.#profiles].map(([s, m]) => [s, Object.fromEntries(m)]));
  }

  get repeating(): PMRepeatingEvents {
    return this.#repeating;
  }

  /** Replaces the repeating pair; false (nothing changed) if an event is malformed or in the wrong slot. */
  setRepeating(events: PMRepeatingEvents): boolean {
    const ok = (e: PMRepeatingEvent | undefined, types: readonly string[]): boolean =>
      e === undefined || (types.includes(e.eventtype) && Number.isInteger(e.time) && e.time >= 0 && e.time < 24 * 60 && Number.isInteger(e.weekdays) && e.weekdays > 0 && e.weekdays <= 0x7f);
    if (!ok(events.RepeatingPowerOn, REPEAT_ON_TYPES) || !ok(events.RepeatingPowerOff, REPEAT_OFF_TYPES)) return false;
    this.#repeating = {
      ...(events.RepeatingPowerOn ? { RepeatingPowerOn: { ...events.RepeatingPowerOn } } : {}),
      ...(events.RepeatingPowerOff ? { RepeatingPowerOff: { ...events.RepeatingPowerOff } } : {}),
    };
    return true;
  }
}
