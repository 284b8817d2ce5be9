/**
 * Basic file-system authentication (`_OSKextBasicFilesystemAuthentication`): every file and
 * directory of the bundle must be owned by root (uid 0) and group wheel (gid 0) and must not be
 * writable by group or others, or the kernel refuses to load it. Code signatures and system policy
 * are not checked here.
 */
import { joinPath } from "./BundleSource.ts";
import type { KextDiagnostic } from "./KextDiagnostic.ts";
import { kOSKextDiagnosticOwnerPermissionKey } from "./kextDiagnosticMessages.ts";
import type { OSKext } from "./OSKext.ts";

/** Authentication failures for one kext (each offending path once). */
export function authenticateKext(kext: OSKext): KextDiagnostic[] {
  const out: KextDiagnostic[] = [];
  for (const f of kext.files) {
    if (f.stat.type === "symlink") continue;
    const { uid, gid, mode } = f.stat;
    if (uid !== 0 || gid !== 0 || (mode & 0o022) !== 0) {
      out.push({
        category: "authentication", code: "owner-permissions", path: kext.path,
        message: kOSKextDiagnosticOwnerPermissionKey, subject: joinPath(kext.path, f.relativePath),
      });
    }
  }
  return out;
}
