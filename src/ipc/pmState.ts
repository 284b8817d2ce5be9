/**
 * The shape of system power state as it crosses the IPC boundary — what `pmset -g` reads: the
 * clock, the sleep timer, the assertion tables, the PM event log and the scheduled power events.
 * The kernel's root domain produces it (`pmSnapshot`), the daemon's power routines send it as a
 * dictionary, libiokit's IOPMLib decodes it. Only numbers, strings, booleans, arrays and objects.
 */

/** One scheduled power event (`IOPMCopyScheduledPowerEvents`): when, what, requested by whom. */
export interface PMScheduledEvent {
  /** Virtual ns of the machine's clock. */
  readonly atNs: number;
  /** `wake`, `poweron`, `wakepoweron`, `sleep`, `shutdown` or `restart` (only `wake` is acted on). */
  readonly eventtype: string;
  readonly scheduledby: string;
}

/** A user-space assertion as pmset lists it. */
export interface PMUserAssertionInfo {
  readonly pid: number;
  readonly processName: string;
  /** The assertion ID (fits in a double: IDs count up from 0x10000). */
  readonly id: number;
  readonly type: string;
  readonly name: string;
  readonly level: number;
  readonly createdNs: number;
  readonly details?: string;
  /** Set while a timeout is armed. */
  readonly timeoutS?: number;
  readonly timeoutAction?: string;
}

/** A kernel (driver) assertion. */
export interface PMKernelAssertionInfo {
  readonly id: number;
  readonly level: number;
  readonly bits: number;
  readonly createdNs: number;
  readonly description: string;
  readonly owner: string;
}

/**
 * One repeating power event, as powerd keeps `RepeatingPowerOn`/`RepeatingPowerOff` in
 * com.apple.AutoWake.plist: the event type, minutes after midnight, and the days (bit 0 Monday …
 * bit 6 Sunday).
 */
export interface PMRepeatingEvent {
  readonly eventtype: string;
  readonly time: number;
  readonly weekdays: number;
}

/** The repeating pair: at most one power-on and one power-off event. */
export interface PMRepeatingEvents {
  readonly RepeatingPowerOn?: PMRepeatingEvent;
  readonly RepeatingPowerOff?: PMRepeatingEvent;
}

/** The power settings of each power source (`"AC Power"`, `"Battery Power"`): setting → value. */
export type PMSettingsProfiles = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** What `pmset -g …` shows. */
export interface PMSnapshot {
  readonly nowNs: number;
  readonly systemState: string;
  readonly sleepTimerMinutes: number;
  readonly preventsIdleSleep: boolean;
  /** `[type, count]` for every system-wide assertion type, in pmset's order. */
  readonly assertionCounts: readonly (readonly [string, number])[];
  readonly userAssertions: readonly PMUserAssertionInfo[];
  readonly kernelAssertions: readonly PMKernelAssertionInfo[];
  readonly driverAssertionBits: number;
  readonly events: readonly { readonly timeNs: number; readonly domain: string; readonly message: string; readonly durationS?: number }[];
  readonly scheduled: readonly PMScheduledEvent[];
  readonly repeating: PMRepeatingEvents;
  /** The custom settings of each power source; the AC profile is the one in use. */
  readonly settings: PMSettingsProfiles;
}
