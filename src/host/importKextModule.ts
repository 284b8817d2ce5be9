/**
 * The Node {@link KextModuleLoader}: imports a kext's JavaScript executable
 * (`Contents/MacOS/<name>.mjs`) as an ES module, by file URL.
 */
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { KextModuleLoader } from "../kext/index.ts";

export const importKextModule: KextModuleLoader = async (kext) => {
  const exe = kext.executable;
  if (exe === undefined || !exe.found) throw new Error(`${kext.path} has no executable`);
  const path = join(isAbsolute(kext.path) ? kext.path : resolve(kext.path), exe.relativePath);
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
};
