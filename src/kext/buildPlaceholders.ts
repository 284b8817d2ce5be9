/**
 * Placeholders that a build normally replaces in an Info.plist, and the kernel's own substitution.
 *
 * Xcode expands build settings in Info.plists: `$(PRODUCT_BUNDLE_IDENTIFIER)`, `${EXECUTABLE_NAME}`,
 * `$(PRODUCT_NAME:rfc1034identifier)`, and the bare `$MODULE_VERSION` form. A source tree's
 * Info.plist still holds them; a shipped one must not. Finding them lets a tool say *why* a value is
 * wrong ("unexpanded build variable") instead of only that it is.
 *
 * xnu's build stamps its pseudo-kexts (System.kext and its plug-ins) with the kernel version:
 * `###KERNEL_VERSION_LONG###` → `1.2.3b4`, `###KERNEL_VERSION_SHORT###` → `1.2.3`, and the
 * `_MAJOR`, `_MINOR`, `_VARIANT` (`3b4`) and `_REVISION` pieces. {@link substituteKernelVersion}
 * performs that substitution on a parsed Info.plist, as the build does on the file.
 */
import { OSKextParseVersionString, type OSValue } from "../libkern/index.ts";

const XCODE_VARIABLE = /\$\(([A-Za-z_][A-Za-z0-9_]*)(?::[^)]*)?\)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const KERNEL_PLACEHOLDER = /###KERNEL_[A-Z_]+###/g;

/** The unexpanded Xcode build variables in `text`, as written (`$(PRODUCT_NAME:rfc1034identifier)`). */
export function findBuildVariables(text: string): string[] {
  if (!text.includes("$")) return [];
  return [...text.matchAll(XCODE_VARIABLE)].map((m) => m[0]);
}

/** The kernel-build placeholders (`###KERNEL_VERSION_LONG###`) in `text`. */
export function findKernelPlaceholders(text: string): string[] {
  if (!text.includes("###")) return [];
  return [...text.matchAll(KERNEL_PLACEHOLDER)].map((m) => m[0]);
}

/** Splits a kernel version such as `18.7.0` or `19.0.0b3` into the pieces the build substitutes. */
export function kernelVersionPlaceholders(version: string): Map<string, string> | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?([dabf]c?\d+)?$/.exec(version.trim());
  if (m === null) return undefined;
  const major = m[1] as string;
  const minor = m[2] ?? "0";
  const revision = m[3] ?? "0";
  const stage = m[4] ?? "";
  return new Map([
    ["###KERNEL_VERSION_LONG###", `${major}.${minor}.${revision}${stage}`],
    ["###KERNEL_VERSION_SHORT###", `${major}.${minor}.${revision}`],
    ["###KERNEL_VERSION_MAJOR###", major],
    ["###KERNEL_VERSION_MINOR###", minor],
    ["###KERNEL_VERSION_VARIANT###", `${revision}${stage}`],
    ["###KERNEL_VERSION_REVISION###", revision],
  ]);
}

/** True for a kernel version `--kernel-version` accepts: `MAJOR[.MINOR[.REVISION]][stage]`, a valid OSKext version. */
export function isValidKernelVersion(version: string): boolean {
  return kernelVersionPlaceholders(version) !== undefined && OSKextParseVersionString(version) > 0n;
}

/**
 * Returns `value` with every string's kernel-version placeholders replaced (keys too), walking
 * with an explicit stack so that nesting depth cannot overflow the call stack.
 */
export function substituteKernelVersion(value: OSValue, placeholders: ReadonlyMap<string, string>): OSValue {
  const sub = (s: string): string =>
    s.includes("###") ? s.replace(KERNEL_PLACEHOLDER, (p) => placeholders.get(p) ?? p) : s;
  if (typeof value === "string") return sub(value);
  const root: { v: OSValue } = { v: value };
  // Each job copies one container into its freshly made clone, queuing nested containers.
  const jobs: Array<{ from: OSValue; set: (v: OSValue) => void }> = [{ from: value, set: (v) => { root.v = v; } }];
  while (jobs.length > 0) {
    const { from, set } = jobs.pop() as { from: OSValue; set: (v: OSValue) => void };
    if (typeof from === "string") {
      set(sub(from));
    } else if (Array.isArray(from)) {
      const out: OSValue[] = new Array<OSValue>(from.length);
      set(out);
      from.forEach((item, i) => jobs.push({ from: item, set: (v) => { out[i] = v; } }));
    } else if (from instanceof Map) {
      const out = new Map<string, OSValue>();
      set(out);
      for (const [k, item] of from) {
        const key = sub(k);
        out.set(key, item); // keeps key order; the value is replaced below
        jobs.push({ from: item, set: (v) => { out.set(key, v); } });
      }
    } else {
      set(from);
    }
  }
  return root.v;
}
