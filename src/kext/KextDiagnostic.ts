/**
 * Kext diagnostics as data, in the shape Apple's user-space OSKext records them.
 *
 * Apple keeps, per kext, one dictionary per category ("Validation Failures", "Authentication
 * Failures", "Dependency Resolution Failures", "Warnings", "Boot Level Restrictions"). Inside a
 * category a message either maps to `true` (a flag: the message says it all) or to a list of unique
 * subjects — a property path such as `IOKitPersonalities.MyDriver.IOClass`, optionally followed by
 * ` - <note>`, a file path, or a library identifier. {@link KextDiagnostic} is one (message, subject)
 * pair plus the bundle it concerns and a stable machine `code`; {@link KextDiagnostics} collects them
 * without duplicates; {@link formatKextDiagnostics} prints them the way `kextutil` does.
 *
 * Category order in the dump follows the category flags (0x1, 0x2, 0x4, 0x8, 0x10) and messages
 * keep the order they were first recorded in. Divergence from XNU: Apple prints from CFDictionaries,
 * whose order follows hashing; ours is deterministic.
 */

/** The five diagnostic categories, keyed by our name. */
export const KextDiagnosticCategories = {
  validation: { flag: 0x1, name: "Validation Failures" },
  authentication: { flag: 0x2, name: "Authentication Failures" },
  dependencies: { flag: 0x4, name: "Dependency Resolution Failures" },
  warnings: { flag: 0x8, name: "Warnings" },
  bootLevel: { flag: 0x10, name: "Boot Level Restrictions" },
} as const;
export type KextDiagnosticCategory = keyof typeof KextDiagnosticCategories;

/** One diagnostic: a message, optionally about a subject, in one category of one bundle. */
export interface KextDiagnostic {
  readonly category: KextDiagnosticCategory;
  /** A stable machine-readable code, e.g. `missing-property`, `build-variable`, `no-kexts-found`. */
  readonly code: string;
  /** The bundle the diagnostic is about. */
  readonly path: string;
  /** The Info.plist property path concerned (`IOKitPersonalities.Foo.IOClass`), when there is one. */
  readonly key?: string;
  /** The subject printed under the message; absent for flag-style diagnostics. */
  readonly subject?: string;
  /** Apple's message text (or ours, for checks Apple does not make). */
  readonly message: string;
}

/** The categories whose presence makes a kext unusable. */
export const FAILURE_CATEGORIES: readonly KextDiagnosticCategory[] = ["validation", "authentication", "dependencies"];

/** An ordered, duplicate-free collection of diagnostics for one or more bundles. */
export class KextDiagnostics {
  readonly #items: KextDiagnostic[] = [];
  readonly #seen = new Set<string>();

  /** Records a diagnostic unless the same (category, message, subject) is already there for its path. */
  add(d: KextDiagnostic): void {
    const id = `${d.path}\0${d.category}\0${d.message}\0${d.subject ?? ""}`;
    if (this.#seen.has(id)) return;
    this.#seen.add(id);
    this.#items.push(d);
  }

  addAll(ds: Iterable<KextDiagnostic>): void {
    for (const d of ds) this.add(d);
  }

  /** Every diagnostic, optionally only those of some categories. */
  list(categories?: readonly KextDiagnosticCategory[]): KextDiagnostic[] {
    return categories === undefined ? [...this.#items] : this.#items.filter((d) => categories.includes(d.category));
  }

  has(category: KextDiagnosticCategory): boolean {
    return this.#items.some((d) => d.category === category);
  }

  /** True when any validation, authentication or dependency failure was recorded. */
  hasFailures(): boolean {
    return this.#items.some((d) => FAILURE_CATEGORIES.includes(d.category));
  }

  get size(): number {
    return this.#items.length;
  }
}

/**
 * Prints diagnostics in `kPListStyleDiagnostics` form: each category as `<Name>: ` on its own line,
 * categories separated by a blank line, messages indented 4 spaces (`<message>: ` when subjects
 * follow), subjects indented 8. Returns "" when nothing matches.
 */
export function formatKextDiagnostics(
  diagnostics: readonly KextDiagnostic[],
  categories: readonly KextDiagnosticCategory[] = Object.keys(KextDiagnosticCategories) as KextDiagnosticCategory[],
): string {
  const blocks: string[] = [];
  for (const category of Object.keys(KextDiagnosticCategories) as KextDiagnosticCategory[]) {
    if (!categories.includes(category)) continue;
    const ds = diagnostics.filter((d) => d.category === category);
    if (ds.length === 0) continue;
    const messages = new Map<string, string[]>();
    for (const d of ds) {
      const subjects = messages.get(d.message) ?? [];
      if (!messages.has(d.message)) messages.set(d.message, subjects);
      if (d.subject !== undefined && !subjects.includes(d.subject)) subjects.push(d.subject);
    }
    let text = `${KextDiagnosticCategories[category].name}: \n`;
    for (const [message, subjects] of messages) {
      if (subjects.length === 0) {
        text += `    ${message}\n`;
      } else {
        text += `    ${message}: \n`;
        for (const s of subjects) text += `        ${s}\n`;
      }
    }
    blocks.push(text);
  }
  return blocks.join("\n");
}
