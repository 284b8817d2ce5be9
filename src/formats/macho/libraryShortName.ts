/**
 * The short name nm and otool show for a dylib install name, e.g. `libSystem` for
 * `/usr/lib/libSystem.B.dylib` and `Foundation` for
 * `/System/Library/Frameworks/Foundation.framework/Versions/C/Foundation`. Follows the rules of
 * cctools' `guess_short_name` (framework forms, `.A.dylib` version letters, `_debug`/`_profile`
 * suffixes, `.qtx`); falls back to the whole name.
 */

/** Last index of `ch` strictly before `before` (like StringRef::rfind(c, From)), or -1. */
function rfindBefore(s: string, ch: string, before: number): number {
  for (let i = Math.min(before, s.length) - 1; i >= 0; i--) if (s[i] === ch) return i;
  return -1;
}

function fromFramework(name: string, a: number, foo: string): string | undefined {
  const b = rfindBefore(name, "/", a);
  let idx = b < 0 ? 0 : b + 1;
  if (name.slice(idx, idx + foo.length) === foo && name.slice(idx + foo.length, idx + foo.length + 11) === ".framework/") return foo;
  if (b < 0) return undefined;
  const c = rfindBefore(name, "/", b);
  if (c <= 0) return undefined;
  if (!name.slice(c + 1).startsWith("Versions/")) return undefined;
  const d = rfindBefore(name, "/", c);
  idx = d < 0 ? 0 : d + 1;
  if (name.slice(idx, idx + foo.length) === foo && name.slice(idx + foo.length, idx + foo.length + 11) === ".framework/") return foo;
  return undefined;
}

function stripVersionLetter(lib: string): string {
  return lib.length >= 3 && lib[lib.length - 2] === "." ? lib.slice(0, lib.length - 2) : lib;
}

/** The guessed short name, or undefined when none can be guessed. */
export function guessLibraryShortName(name: string): string | undefined {
  const a0 = name.lastIndexOf("/");
  if (a0 > 0) {
    let foo = name.slice(a0 + 1);
    const us = foo.lastIndexOf("_");
    if (us >= 0 && foo.length >= 2) {
      const suffix = foo.slice(us);
      if (suffix === "_debug" || suffix === "_profile") foo = foo.slice(0, us);
    }
    const fw = fromFramework(name, a0, foo);
    if (fw !== undefined) return fw;
  }
  let a = name.lastIndexOf(".");
  if (a <= 0) return undefined;
  const ext = name.slice(a);
  if (ext === ".dylib") {
    if (a >= 3 && name[a - 2] === ".") a -= 2;
    const slash = rfindBefore(name, "/", a);
    const b = slash < 0 ? 0 : slash + 1;
    const idx = name.lastIndexOf("_");
    let lib: string;
    if (idx >= 0 && idx !== b) {
      const suffix = name.slice(idx, a);
      lib = suffix === "_debug" || suffix === "_profile" ? name.slice(b, idx) : name.slice(b, a);
    } else {
      lib = name.slice(b, a);
    }
    return stripVersionLetter(lib);
  }
  if (ext === ".qtx") {
    const slash = rfindBefore(name, "/", a);
    return stripVersionLetter(slash < 0 ? name.slice(0, a) : name.slice(slash + 1, a));
  }
  return undefined;
}

/** The short name, or the install name itself when no short form can be guessed. */
export function libraryShortName(name: string): string {
  const s = guessLibraryShortName(name);
  return s === undefined || s === "" ? name : s;
}
