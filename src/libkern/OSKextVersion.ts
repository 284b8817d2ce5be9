/**
 * OSKext's version numbers: the grammar kexts use in `CFBundleVersion`, `OSBundleCompatibleVersion`
 * and `OSBundleLibraries`, its numeric encoding, ordering and printed form.
 *
 * Grammar: `MAJOR[.MINOR[.REVISION]][STAGE LEVEL]`. MAJOR has 1–4 digits, MINOR and REVISION up to 4
 * each; STAGE is `d` (development), `a` (alpha), `b` (beta) or `f`/`fc` (final candidate) and LEVEL
 * has 1–3 digits with a value of at most 255. `d`/`a`/`b` need a digit after them (`d0` is fine);
 * `f`/`fc` need a level of at least 1. Parsing stops at the first space, tab, CR or LF, so anything
 * after whitespace is ignored — real Info.plists rely on that.
 *
 * Encoding: `major·10¹² + minor·10⁸ + revision·10⁴ + stage·1000 + level`, with stage d=1, a=3, b=5,
 * fc=7 and release=9. The encoding sorts the way versions compare, so `1.0d1 < 1.0a1 < 1.0b1 <
 * 1.0fc1 < 1.0`, and `"0"` is 9000 — not 0, which means "missing". The largest value (≈10¹⁶)
 * exceeds 2⁵³, so versions are bigints here; xnu keeps them in an int64.
 *
 * The same rules run in the kernel and in user space (xnu builds one file into both).
 */

/** An encoded version: -1 invalid, 0 missing, otherwise the sortable encoding described above. */
export type OSKextVersion = bigint;

/** `kOSKextVersionUndefined`-style sentinel for a string that does not parse. */
export const kOSKextVersionInvalid: OSKextVersion = -1n;
/** The value of a version that is absent. */
export const kOSKextVersionMissing: OSKextVersion = 0n;
/** `kOSKextVersionMaxLength`: the buffer size OSKextVersionGetString writes into, NUL included. */
export const kOSKextVersionMaxLength = 20;

/** Build stages, with the digit each contributes to the encoding. */
export const OSKextVersionStage = {
  development: 1,
  alpha: 3,
  beta: 5,
  candidate: 7,
  release: 9,
} as const;
export type OSKextVersionStageName = keyof typeof OSKextVersionStage;

const MAJOR_DIGITS = 4;
const MINOR_DIGITS = 4;
const REVISION_DIGITS = 4;
const LEVEL_DIGITS = 3;
const LEVEL_MAX = 255;

const MAJOR_MULT = 1_000_000_000_000n;
const MINOR_MULT = 100_000_000n;
const REVISION_MULT = 10_000n;
const STAGE_MULT = 1_000n;

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\r" || c === "\n";
const isEnd = (c: string | undefined): boolean => c === undefined || isSpace(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isStage = (c: string | undefined): boolean => c === "d" || c === "a" || c === "b" || c === "f";

/** The decoded parts of a version. */
export interface OSKextVersionParts {
  readonly major: number;
  readonly minor: number;
  readonly revision: number;
  readonly stage: OSKextVersionStageName;
  readonly level: number;
}

/** Builds the encoding from parts (no range checks beyond those of the grammar's digit counts). */
export function OSKextVersionFromParts(parts: OSKextVersionParts): OSKextVersion {
  return BigInt(parts.major) * MAJOR_MULT + BigInt(parts.minor) * MINOR_MULT +
    BigInt(parts.revision) * REVISION_MULT + BigInt(OSKextVersionStage[parts.stage]) * STAGE_MULT +
    BigInt(parts.level);
}

/**
 * Parses a version string (`OSKextParseVersionString`). Returns -1 for anything the grammar
 * rejects: an empty string, a non-digit first character, too many digits in a component, a period
 * after the revision, a stage letter without a digit, a level over 255, `f`/`fc` with level 0, or any
 * other character before the first whitespace.
 */
export function OSKextParseVersionString(text: string): OSKextVersion {
  let i = 0;
  const nums = [0, 0, 0];
  const limits = [MAJOR_DIGITS, MINOR_DIGITS, REVISION_DIGITS];
  if (!isDigit(text[0])) return kOSKextVersionInvalid;
  let component = 0;
  for (;;) {
    let digits = 0;
    while (isDigit(text[i])) {
      if (++digits > (limits[component] as number)) return kOSKextVersionInvalid;
      nums[component] = (nums[component] as number) * 10 + (text.charCodeAt(i) - 48);
      i++;
    }
    const c = text[i];
    if (isEnd(c)) return finish(nums, "release", 0);
    if (isStage(c)) break;
    // A period is allowed after MAJOR and MINOR only.
    if (c === "." && component < 2) {
      component++;
      i++;
      continue;
    }
    return kOSKextVersionInvalid;
  }
  // Build stage and level.
  let stage: OSKextVersionStageName;
  switch (text[i]) {
    case "d": stage = "development"; break;
    case "a": stage = "alpha"; break;
    case "b": stage = "beta"; break;
    default:
      stage = "candidate";
      if (text[i + 1] === "c") i++;
  }
  i++;
  if (!isDigit(text[i])) return kOSKextVersionInvalid;
  let level = 0;
  let digits = 0;
  while (isDigit(text[i])) {
    if (++digits > LEVEL_DIGITS) return kOSKextVersionInvalid;
    level = level * 10 + (text.charCodeAt(i) - 48);
    i++;
  }
  if (!isEnd(text[i])) return kOSKextVersionInvalid;
  if (level > LEVEL_MAX) return kOSKextVersionInvalid;
  if (stage === "candidate" && level < 1) return kOSKextVersionInvalid;
  return finish(nums, stage, level);
}

function finish(nums: number[], stage: OSKextVersionStageName, level: number): OSKextVersion {
  return OSKextVersionFromParts({
    major: nums[0] as number, minor: nums[1] as number, revision: nums[2] as number, stage, level,
  });
}

/** Decodes a valid (positive) version into its parts; undefined for invalid or missing. */
export function OSKextVersionGetParts(version: OSKextVersion): OSKextVersionParts | undefined {
  if (version <= 0n) return undefined;
  const stageDigit = Number((version / STAGE_MULT) % 10n);
  const stage = (Object.keys(OSKextVersionStage) as OSKextVersionStageName[])
    .find((k) => OSKextVersionStage[k] === stageDigit);
  if (stage === undefined) return undefined;
  return {
    major: Number(version / MAJOR_MULT),
    minor: Number((version / MINOR_MULT) % 10_000n),
    revision: Number((version / REVISION_MULT) % 10_000n),
    stage,
    level: Number(version % STAGE_MULT),
  };
}

const STAGE_LETTER: Readonly<Record<OSKextVersionStageName, string>> = {
  development: "d", alpha: "a", beta: "b", candidate: "f", release: "",
};

/**
 * Prints a version (`OSKextVersionGetString`): `MAJOR.MINOR`, `.REVISION` only when non-zero, then
 * the stage letter and level for non-release stages. A final candidate prints as `f`, never `fc`.
 * Negative values print `(invalid)`, zero prints `(missing)`.
 */
export function OSKextVersionGetString(version: OSKextVersion): string {
  if (version < 0n) return "(invalid)";
  if (version === 0n) return "(missing)";
  const p = OSKextVersionGetParts(version);
  if (p === undefined) return "(invalid)";
  let s = `${p.major}.${p.minor}`;
  if (p.revision !== 0) s += `.${p.revision}`;
  if (p.stage !== "release") s += `${STAGE_LETTER[p.stage]}${p.level}`;
  return s;
}

/** Three-way comparison of two encoded versions. */
export function OSKextVersionCompare(a: OSKextVersion, b: OSKextVersion): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * User space's library compatibility test (`OSKextIsCompatibleWithVersion`): the library declares a
 * compatible version (`compatible > 0`), the request is within `[compatible, version]`.
 */
export function OSKextIsCompatibleWithVersion(
  version: OSKextVersion, compatible: OSKextVersion, requested: OSKextVersion,
): boolean {
  return compatible > 0n && compatible <= requested && requested <= version;
}

/**
 * The kernel's weaker test (`OSKext::isCompatibleWithVersion`): it checks the upper bound only and
 * never that the request reaches the compatible version.
 */
export function OSKextKernelIsCompatibleWithVersion(
  version: OSKextVersion, compatible: OSKextVersion, requested: OSKextVersion,
): boolean {
  return compatible > -1n && compatible <= version && requested <= version;
}
