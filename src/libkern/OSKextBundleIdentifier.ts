/**
 * Rules for a kext's `CFBundleIdentifier`.
 *
 * The loader's hard rule is small: a non-empty string shorter than `KMOD_MAX_NAME` (64) bytes, since
 * the identifier is copied into the fixed `kmod_info.name` field. Everything else here is advice the
 * kext team gave developers (WWDC 2010, "qualifying a driver"): identifiers are reverse-DNS
 * (`com.company.driver.Name`) so two vendors' kexts never collide, and templates' placeholders
 * (`com.YourCompany…`, `com.mydriver`) must not ship.
 */

/** `KMOD_MAX_NAME`: size of `kmod_info.name`, NUL included; identifiers must be shorter. */
export const KMOD_MAX_NAME = 64;

/** Why an identifier breaks the loader's rule, or undefined when it is acceptable to the loader. */
export function checkKextBundleIdentifier(id: string): "empty" | "too-long" | undefined {
  if (id.length === 0) return "empty";
  // The kernel counts bytes, not UTF-16 units.
  if (new TextEncoder().encode(id).length >= KMOD_MAX_NAME) return "too-long";
  return undefined;
}

/** True when `id` is a well-formed reverse-DNS identifier with at least three components. */
export function isReverseDNSBundleIdentifier(id: string): boolean {
  const parts = id.split(".");
  if (parts.length < 3) return false;
  return parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p));
}

/** Template placeholders that mean "rename me" (Apple's sample projects and Xcode templates). */
const PLACEHOLDER = /(^|\.)(yourcompany|mycompany|yourcompanyname|companyname|example|mydriver)(\.|$)/i;

/** True when `id` still carries a template's placeholder company (`com.YourCompany.driver.X`). */
export function isPlaceholderBundleIdentifier(id: string): boolean {
  return PLACEHOLDER.test(id);
}

/** True for Apple's namespace (`com.apple.`), which gates private KPIs and unload protection. */
export function isAppleBundleIdentifier(id: string): boolean {
  return id.startsWith("com.apple.");
}
