/**
 * The record of why one matching dictionary did not match one nub: the first key that failed,
 * with the expected (personality) and actual (nub) values kept raw so that formatting costs
 * nothing unless an explanation is printed.
 */
import type { OSValue } from "../../libkern/index.ts";

export interface MatchFailure {
  /** The key that failed, e.g. `IOPCIMatch`, `IONameMatch`, `IOParentMatch.IONameMatch`. */
  readonly key: string;
  /** What the personality asked for. */
  readonly expected: OSValue | undefined;
  /** What the nub had (undefined: the nub has no such property). */
  readonly actual: OSValue | undefined;
  /** A human sentence when the values alone do not say it (e.g. "vendor-specific device"). */
  readonly reason?: string;
}

/** Builds a failure. */
export function fail(key: string, expected: OSValue | undefined, actual: OSValue | undefined, reason?: string): MatchFailure {
  return reason === undefined ? { key, expected, actual } : { key, expected, actual, reason };
}

/**
 * A failure whose `actual` is worked out only when read (an explanation asks for it): matching
 * fails far more often than anything is printed, so the common path allocates one small object.
 */
export class LazyFailure implements MatchFailure {
  readonly key: string;
  readonly expected: OSValue | undefined;
  readonly #actual: () => OSValue | undefined;

  constructor(key: string, expected: OSValue | undefined, actual: () => OSValue | undefined) {
    this.key = key;
    this.expected = expected;
    this.#actual = actual;
  }

  get actual(): OSValue | undefined {
    return this.#actual();
  }
}

/** The result of family matching (`matchPropertyTable`). */
export type FamilyResult =
  | { readonly ok: true; readonly score: number; readonly detail?: string }
  | { readonly ok: false; readonly failure: MatchFailure };
