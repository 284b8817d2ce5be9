/**
 * `checkPath` from kext_tools: validates a path argument (suffix, existence, directory-ness)
 * and returns Apple's message and sysexits status, for kext tools' operands and `-r` folders.
 */
import { stat } from "node:fs/promises";

/** sysexits codes the check returns. */
export const EX_USAGE = 64;
export const EX_NOINPUT = 66;

/** `undefined` when the path is fine; otherwise the one-line message and exit status. */
export async function checkToolPath(
  path: string, suffix: string | undefined, directoryRequired: boolean,
): Promise<{ message: string; status: number } | undefined> {
  if (suffix !== undefined) {
    const trimmed = path.replace(/\/+$/, "");
    if (trimmed.length <= suffix.length + 1 || !trimmed.endsWith(`.${suffix}`)) {
      return { message: `${path} not of type '${suffix}'.`, status: EX_USAGE };
    }
  }
  try {
    const s = await stat(path);
    if (directoryRequired && !s.isDirectory()) return { message: `${path} is not a directory.`, status: EX_NOINPUT };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { message: `Can't stat ${path} - ${strerror(err.code)}.`, status: EX_NOINPUT };
  }
  return undefined;
}

function strerror(code: string | undefined): string {
  switch (code) {
    case "ENOENT": return "No such file or directory";
    case "EACCES": return "Permission denied";
    case "ENOTDIR": return "Not a directory";
    case "ELOOP": return "Too many levels of symbolic links";
    case "ENAMETOOLONG": return "File name too long";
    default: return code ?? "Unknown error";
  }
}
