/**
 * The power settings when no daemon runs: a per-user state file in the format powerd keeps in
 * `/Library/Preferences/com.apple.PowerManagement.plist` — `{"Custom Profile": {"AC Power":
 * {…}, "Battery Power": {…}}}`, each profile keyed by IOPMKeys' names (`System Sleep Timer`,
 * `Display Sleep Timer`, `Wake On LAN`, …) with integer values. `pmset -a|-b|-c KEY VALUE` writes
 * it, and every run loads it into the process's root domain, so `pmset -g` and the idle sleep
 * timer agree across runs.
 *
 * Where: beside com.apple.AutoWake.plist (`$XDG_STATE_HOME/iokit/`, else
 * `$HOME/.local/state/iokit/`). Keys the file lacks keep their defaults; unknown keys are kept
 * out (powerd ignores them too).
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeXMLPlist } from "../../formats/index.ts";
import { writeFileAtomic } from "../../host/index.ts";
import { PM_POWER_SOURCES, PM_SETTINGS, type PMSettingsProfiles } from "../../kernel/index.ts";
import { OSNumber, num, type OSValue } from "../../libkern/index.ts";
import { AutoWakeFileError, readStateDictionary } from "./autoWakeFile.ts";

/** pmset's name of a setting → the key powerd stores it under (IOPMKeys.h). */
const PREFS_KEYS: Readonly<Record<string, string>> = {
  standby: "Standby Enabled",
  "Sleep On Power Button": "Sleep On Power Button",
  autorestart: "Automatic Restart On Power Loss",
  powernap: "DarkWakeBackgroundTasks",
  networkoversleep: "PrioritizeNetworkReachabilityOverSleep",
  disksleep: "Disk Sleep Timer",
  sleep: "System Sleep Timer",
  hibernatemode: "Hibernate Mode",
  ttyskeepawake: "TTYSPreventSleep",
  displaysleep: "Display Sleep Timer",
  tcpkeepalive: "TCPKeepAlivePref",
  womp: "Wake On LAN",
};

/** The settings file next to the AutoWake file `autoWakePath`. */
export function pmPrefsPath(autoWakePath: string): string {
  return join(dirname(autoWakePath), "com.apple.PowerManagement.plist");
}

/** Reads the profiles (pmset's names); settings the file does not hold are left out. */
export function readPMPrefs(path: string): PMSettingsProfiles {
  const custom = readStateDictionary(path, "the preferences")?.get("Custom Profile");
  if (custom === undefined) return {};
  if (!(custom instanceof Map)) throw new AutoWakeFileError(`${path}: "Custom Profile" must be a dictionary`);
  const out: Record<string, Record<string, number>> = {};
  for (const source of PM_POWER_SOURCES) {
    const profile = custom.get(source);
    if (profile === undefined) continue;
    if (!(profile instanceof Map)) throw new AutoWakeFileError(`${path}: "${source}" must be a dictionary`);
    const values: Record<string, number> = {};
    for (const { key, max } of PM_SETTINGS) {
      const v = profile.get(PREFS_KEYS[key]!);
      if (v === undefined) continue;
      const n = v instanceof OSNumber ? Number(v.value) : typeof v === "boolean" ? Number(v) : Number.NaN;
      if (!(n >= 0 && n <= max)) throw new AutoWakeFileError(`${path}: ${source}: "${PREFS_KEYS[key]}" must be an integer from 0 to ${max}`);
      values[key] = n;
    }
    out[source] = values;
  }
  return out;
}

/** Writes `profiles` (pmset's names) as the custom profiles, creating the folder if needed. */
export async function writePMPrefs(path: string, profiles: PMSettingsProfiles): Promise<void> {
  const custom = new Map<string, OSValue>();
  for (const source of PM_POWER_SOURCES) {
    const profile = profiles[source];
    if (profile === undefined) continue;
    custom.set(source, new Map<string, OSValue>(Object.entries(profile).filter(([k]) => PREFS_KEYS[k] !== undefined).map(([k, v]) => [PREFS_KEYS[k]!, num(v, 64)])));
  }
  mkdirSync(dirname(path), { recursive: true });
  await writeFileAtomic(path, new TextEncoder().encode(writeXMLPlist(new Map<string, OSValue>([["Custom Profile", custom]]))), { mode: 0o600 });
}
