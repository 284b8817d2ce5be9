/**
 * The property checker every Info.plist rule goes through (after `__OSKextCheckProperty`): is the
 * value present when required, of the expected type, in the allowed set, non-empty when it must be.
 * It also explains values that could never be right because a build left a placeholder in them.
 */
import { kindOf, type OSValue } from "../libkern/index.ts";
import { findBuildVariables, findKernelPlaceholders } from "./buildPlaceholders.ts";
import type { KextDiagnostic, KextDiagnosticCategory } from "./KextDiagnostic.ts";
import {
  kOSKextDiagnosticMissingPropertyKey, kOSKextDiagnosticPropertyIsIllegalTypeKey,
  kOSKextDiagnosticPropertyIsIllegalValueKey, kOSKextDiagnosticTypeWarningKey,
} from "./kextDiagnosticMessages.ts";

export type ExpectedType = "string" | "boolean" | "integer" | "dict" | "array" | "data";

const TYPE_NOTES: Readonly<Record<ExpectedType, string>> = {
  string: "should be <string>",
  boolean: "should be boolean, <true/> or <false/>",
  integer: "should be <integer>",
  dict: "should be <dict>",
  array: "should be <array>",
  data: "should be <data>",
};

/** Collects diagnostics for one bundle. */
export class DiagnosticSink {
  readonly path: string;
  readonly items: KextDiagnostic[] = [];

  constructor(path: string) {
    this.path = path;
  }

  add(category: KextDiagnosticCategory, code: string, message: string, subject?: string, key?: string): void {
    this.items.push({
      category, code, path: this.path, message,
      ...(key !== undefined ? { key } : {}),
      ...(subject !== undefined ? { subject } : {}),
    });
  }
}

export interface CheckOptions {
  readonly required?: boolean;
  /** Empty strings/collections, false and 0 are illegal. */
  readonly nonEmpty?: boolean;
  readonly allowed?: readonly string[];
  /** When false, a wrong type is only a warning (`...of incorrect type`). Default true. */
  readonly typeRequired?: boolean;
}

/** An all-capitals `NAME_LIKE_THIS`: what Info.plist preprocessing (`INFOPLIST_PREPROCESS`) replaces. */
const PREPROCESSOR_MACRO = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/**
 * Why a string can never be a real value: the placeholder in it, as a note, or undefined. With
 * `macros`, an all-capitals `NAME_LIKE_THIS` (only ever asked about values already known to be
 * invalid, such as versions) is explained as an unexpanded preprocessor macro.
 */
export function placeholderNote(text: string, macros = false): string | undefined {
  const vars = findBuildVariables(text);
  if (vars.length > 0) return `unexpanded build variable ${vars[0] as string}`;
  const kp = findKernelPlaceholders(text);
  if (kp.length > 0) return `unsubstituted kernel build placeholder ${kp[0] as string} (pass --kernel-version)`;
  if (macros && PREPROCESSOR_MACRO.test(text)) return `unexpanded Info.plist preprocessor macro ${text}`;
  return undefined;
}

/**
 * Checks one property. Returns true when the value is present, well-typed and legal, so callers
 * can go on to checks that need the value.
 */
export function checkProperty(
  sink: DiagnosticSink, value: OSValue | undefined, keyPath: string, expected: ExpectedType, options: CheckOptions = {},
): boolean {
  if (value === undefined) {
    if (options.required) sink.add("validation", "missing-property", kOSKextDiagnosticMissingPropertyKey, keyPath, keyPath);
    return false;
  }
  const kind = kindOf(value);
  if (kind !== expected) {
    let note = TYPE_NOTES[expected];
    if (expected === "integer" && kind === "real") note = "should be <integer> (kexts may not use <real>)";
    if (options.typeRequired === false) {
      sink.add("warnings", "incorrect-type", kOSKextDiagnosticTypeWarningKey, `${keyPath} - ${note}`, keyPath);
    } else {
      sink.add("validation", "illegal-type", kOSKextDiagnosticPropertyIsIllegalTypeKey, `${keyPath} - ${note}`, keyPath);
    }
    return false;
  }
  if (typeof value === "string") {
    // Divergence from XNU: Apple accepts any non-empty CFBundleIdentifier, `$(PRODUCT_BUNDLE_IDENTIFIER)`
    // included; a value that is still a build variable is refused here, naming the variable.
    const note = placeholderNote(value);
    if (note !== undefined && (options.allowed !== undefined || options.nonEmpty || options.required)) {
      sink.add("validation", "build-variable", kOSKextDiagnosticPropertyIsIllegalValueKey, `${keyPath} - ${note}`, keyPath);
      return false;
    }
  }
  if (options.allowed !== undefined && !(typeof value === "string" && options.allowed.includes(value))) {
    sink.add("validation", "illegal-value", kOSKextDiagnosticPropertyIsIllegalValueKey, keyPath, keyPath);
    return false;
  }
  if (options.nonEmpty && isEmpty(value)) {
    sink.add("validation", "illegal-value", kOSKextDiagnosticPropertyIsIllegalValueKey, keyPath, keyPath);
    return false;
  }
  return true;
}

function isEmpty(v: OSValue): boolean {
  if (typeof v === "string") return v.length === 0;
  if (typeof v === "boolean") return !v;
  if (Array.isArray(v)) return v.length === 0;
  if (v instanceof Map || v instanceof Set) return v.size === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  if (kindOf(v) === "integer") return (v as { value: bigint }).value === 0n;
  return false;
}
