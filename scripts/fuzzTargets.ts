/**
 * The parsers `npm run fuzz` exercises, one entry each. Each target lives in its own file
 * (scripts/fuzzMacho.ts…) and is listed here; add yours with one line.
 */
import { machoFuzzTarget, mutateMachO, type FuzzTarget } from "./fuzzMacho.ts";

export type { FuzzTarget };

export interface FuzzTargetEntry {
  readonly target: FuzzTarget;
  /** The target's own mutator, when it has one. */
  readonly mutate?: (seeds: readonly Uint8Array[], rand: () => number) => Uint8Array;
}

export const FUZZ_TARGETS: readonly FuzzTargetEntry[] = [
  { target: machoFuzzTarget, mutate: mutateMachO },
];
