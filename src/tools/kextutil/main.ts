/**
 * `iokit kextutil`: tests kexts the way Apple's `kextutil -t -n` does — validation, authentication
 * (root:wheel, not writable by group/other), dependency resolution against repositories, with
 * Apple's report layout and exit codes — and, without `-n`, loads them. Everything goes to
 * standard error, as kext_tools' log does.
 *
 * Loading. Without a daemon there is no kernel that outlives the command, so kextutil boots an
 * embedded kernel ({@link IOKernel} with a {@link KextRuntime}) over the same kext set (system
 * extensions, `-r` repositories, `-d` dependencies), loads each named kext with its libraries
 * (atomically), sends the personalities, runs matching to quiescence and reports like Apple's
 * kextutil (`Failed to load <path> - <error>.`, exit 6; with `-v`, `Loading <path>.` and
 * `<path> successfully loaded (or already loaded).`), relaying the kernel's log lines about a
 * failed load with the `(kernel) ` prefix. The kernel goes away when the command ends.
 * Divergence from XNU: loading needs no root here (nothing real is loaded), and only JavaScript
 * executables run (a Mach-O kext fails with kOSKextReturnLinkError).
 *
 * Testing without loading (`-n`) includes a trial link of a Mach-O executable by symbols
 * (trialLink.ts): against the declared libraries, with KPIs from the bundled symbol sets or, with
 * `-k`/`-kernel PATH`, from a real kernel or kernel collection.
 *
 * `--kernel-version X.Y.Z` (ours) substitutes xnu's `###KERNEL_VERSION_*###` placeholders in the
 * pseudo-kexts of a System.kext read from an xnu source tree, as the kernel build would.
 */
import { kIOReturnSuccess, kOSKextReturn } from "../../base/index.ts";
import { IOKernel } from "../../kernel/index.ts";
import {
  KextAnalyzer, KextRuntime, formatKextDiagnostics, isValidKernelVersion, kextErrorString, readKext, type KextSet, type OSKext,
} from "../../kext/index.ts";
import { bundledKernelSymbolSets, kernelPseudoKexts, kernelSets, type KernelSource } from "../../kext/kpi/index.ts";
import { FsBundleSource, checkToolPath, importKextModule, loadKernel, loadKextSet } from "../../host/index.ts";
import { trialLink } from "./trialLink.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "test and load kexts: validation, authentication, dependency resolution; loads into an embedded kernel (kextutil)";

/** `kextutil_main.h` exit codes. */
export const kKextutilExit = {
  OK: 0, NotFound: 1, ArchNotFound: 2, UserAbort: 3, KextBad: 4, SafeBoot: 5, LoadFailed: 6,
  InteractionRequired: 7, Unspecified: 11, SystemPolicy: 27, Help: 33,
} as const;
const EX_USAGE = 64;
const EX_NOINPUT = 66;
const EX_SOFTWARE = 70;

const USAGE = `usage: kextutil [options] [--] [kext] ...

kext: file system path to a kext bundle
  -t, -print-diagnostics        perform all possible tests and print diagnostics
  -n, -no-load                  do not load the kext
  -l, -load-only                load and start the kext but do not send its personalities
  -r DIR, -repository DIR       search DIR for dependencies (repeatable)
  -d KEXT, -dependency KEXT     use KEXT as a dependency (repeatable)
  -b ID, -bundle-id ID          test the kext with bundle identifier ID
  -e, -no-system-extensions     do not search the system extensions folders
  -x, -safe-boot                test as if in safe boot
  -z, -no-authentication        skip ownership/permission checks
  -Z, -no-resolve-dependencies  skip dependency resolution
  -arch ARCH                    check ARCH's keys and executable slice (default x86_64)
  -k FILE, -kernel FILE         link against FILE's KPI symbol sets (a kernel or kernel
                                collection; default: the sets bundled from xnu's export lists)
  -kernel-version X.Y.Z         substitute xnu's ###KERNEL_VERSION_*### placeholders (iokit-ts)
  -q, -quiet                    print nothing
  -v [N], -verbose [N]          report each load (Loading …, … successfully loaded)
  -h, -help                     print this message
`;

interface Args {
  kexts: string[];
  ids: string[];
  repositories: string[];
  dependencies: string[];
  noLoad: boolean;
  loadOnly: boolean;
  test: boolean;
  verbose: boolean;
  systemExtensions: boolean;
  safeBoot: boolean;
  skipAuthentication: boolean;
  skipDependencies: boolean;
  quiet: boolean;
  arch: string;
  kernelVersion: string | undefined;
  kernel: string | undefined;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, {
      short: "tnlr:d:b:exzZqvhk:",
      long: [
        { name: "print-diagnostics", hasArg: "none", id: "t" },
        { name: "no-load", hasArg: "none", id: "n" },
        { name: "load-only", hasArg: "none", id: "l" },
        { name: "repository", hasArg: "required", id: "r" },
        { name: "dependency", hasArg: "required", id: "d" },
        { name: "bundle-id", hasArg: "required", id: "b" },
        { name: "no-system-extensions", hasArg: "none", id: "e" },
        { name: "safe-boot", hasArg: "none", id: "x" },
        { name: "no-authentication", hasArg: "none", id: "z" },
        { name: "no-resolve-dependencies", hasArg: "none", id: "Z" },
        { name: "quiet", hasArg: "none", id: "q" },
        { name: "verbose", hasArg: "optional", id: "v" },
        { name: "help", hasArg: "none", id: "h" },
        { name: "arch", hasArg: "required" },
        { name: "kernel", hasArg: "required", id: "k" },
        { name: "kernel-version", hasArg: "required" },
      ],
      permute: true,
    }, "kextutil");
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    io.stderr(`${e.message}\n${USAGE}`);
    return EX_USAGE;
  }
  const a: Args = {
    kexts: [], ids: [], repositories: [], dependencies: [], noLoad: false, loadOnly: false, test: false, verbose: false, systemExtensions: true, safeBoot: false,
    skipAuthentication: false, skipDependencies: false, quiet: false, arch: "x86_64", kernelVersion: undefined, kernel: undefined,
  };
  for (const o of parsed.options) {
    const v = o.value as string;
    switch (o.id) {
      case "h": io.stderr(USAGE); return kKextutilExit.Help;
      case "n": a.noLoad = true; break;
      case "l": a.loadOnly = true; break;
      case "t": a.test = true; break;
      case "v": a.verbose = true; break;
      case "r": {
        const bad = await checkToolPath(v, undefined, true);
        if (bad !== undefined) { io.stderr(`${bad.message}\n`); return bad.status; }
        a.repositories.push(v);
        break;
      }
      case "d": a.dependencies.push(v); break;
      case "b": a.ids.push(v); break;
      case "e": a.systemExtensions = false; break;
      case "x": a.safeBoot = true; break;
      case "z": a.skipAuthentication = true; break;
      case "Z": a.skipDependencies = true; break;
      case "q": a.quiet = true; break;
      case "arch": a.arch = v; break;
      case "k": {
        const bad = await checkToolPath(v, undefined, false);
        if (bad !== undefined) { io.stderr(`${bad.message}\n`); return bad.status; }
        a.kernel = v;
        break;
      }
      case "kernel-version":
        if (!isValidKernelVersion(v)) {
          io.stderr(`kextutil: invalid kernel version '${v}' (expected MAJOR.MINOR.REVISION, e.g. 18.7.0)\n`);
          return EX_USAGE;
        }
        a.kernelVersion = v;
        break;
      default: break;
    }
  }
  for (const k of parsed.operands) {
    const bad = await checkToolPath(k, "kext", true);
    if (bad !== undefined) {
      io.stderr(`${bad.message}\n`);
      if (bad.status === EX_USAGE) io.stderr(USAGE);
      return bad.status;
    }
    a.kexts.push(k.replace(/(.)\/+$/, "$1"));
  }
  if (a.kexts.length === 0 && a.ids.length === 0) {
    io.stderr(`No kernel extensions specified; name kernel extension bundles\n    following options, or use -bundle-id (-b).\n${USAGE}`);
    return EX_USAGE;
  }
  return run(a, io);
}

async function run(a: Args, io: ToolIO): Promise<number> {
  const log = (text: string): void => {
    if (!a.quiet) io.stderr(text);
  };
  const loaded = await loadKextSet(
    { kexts: a.kexts, repositories: a.repositories, dependencies: a.dependencies, systemExtensions: a.systemExtensions },
    { kernelVersion: a.kernelVersion },
  );
  for (const u of loaded.unreadable) log(`Can't read ${u.path}: ${u.error}\n`);
  if (loaded.set.size === 0) {
    log("No kernel extensions found.\n");
    return EX_SOFTWARE;
  }
  let result: number = kKextutilExit.OK;
  const toProcess: OSKext[] = [...loaded.named];
  for (const id of a.ids) {
    const k = toProcess.find((x) => x.bundleID === id) ?? loaded.set.withIdentifier(id)[0];
    if (k === undefined) {
      log(`Can't find extension with identifier ${id}.\n`);
      result = kKextutilExit.NotFound;
      continue;
    }
    // Found in a folder, it was read by header only: read it again whole, as a named kext is.
    const full = toProcess.includes(k) ? k : await readKext(new FsBundleSource(), k.path, { kernelVersion: a.kernelVersion });
    if (!toProcess.includes(full)) toProcess.push(full);
  }
  let kernel: KernelSource | undefined;
  if (a.kernel !== undefined) {
    const read = await loadKernel(a.kernel);
    if (typeof read === "string") { io.stderr(read); return EX_NOINPUT; }
    kernel = read;
  }
  // The kernel's own pseudo-kexts (bundled sets, or -kernel's) for KPIs no repository holds.
  const sets = kernel === undefined ? bundledKernelSymbolSets(a.arch) : kernelSets(kernel, a.arch);
  if (typeof sets === "string") { io.stderr(sets); return EX_NOINPUT; }
  if (sets === undefined) { io.stderr(`${kernel?.path} does not contain code for architecture ${a.arch}.\n`); return EX_NOINPUT; }
  for (const k of await kernelPseudoKexts(sets.filter((s) => loaded.set.withIdentifier(s.bundleID).length === 0))) loaded.set.add(k);
  const analyzer = new KextAnalyzer(loaded.set, {
    arch: a.arch, safeBoot: a.safeBoot, skipAuthentication: a.skipAuthentication, skipDependencies: a.skipDependencies,
  });
  const root = typeof process.getuid === "function" ? process.getuid() === 0 : false;
  const loadable: OSKext[] = [];
  for (const kext of toProcess) {
    const status = await testKext(kext, analyzer, a, root, log, kernel);
    if (status === EX_NOINPUT) return status;
    if (status === kKextutilExit.OK) loadable.push(kext);
    if (result === kKextutilExit.OK) result = status;
  }
  if (a.noLoad || loadable.length === 0) return result;
  const status = await loadKexts(loadable, loaded.set, a, log);
  return result === kKextutilExit.OK ? status : result;
}

/**
 * Boots an embedded kernel over `set`, loads each kext (libraries first, all or nothing), and runs
 * matching until the IOService tree is quiet. The kernel lives only for this command.
 */
async function loadKexts(kexts: readonly OSKext[], set: KextSet, a: Args, log: (t: string) => void): Promise<number> {
  const source = new FsBundleSource();
  const rt = new KextRuntime(set, importKextModule, { arch: a.arch, safeBoot: a.safeBoot, resources: source });
  const kernel = new IOKernel({ kextLoader: rt });
  rt.attachKernel(kernel);
  let status: number = kKextutilExit.OK;
  for (const kext of kexts) {
    if (a.verbose) log(`Loading ${kext.path}.\n`);
    const before = kernel.logRing.texts().length;
    const r = await rt.load(kext, { sendPersonalities: !a.loadOnly });
    await settle(kernel);
    if (r === kIOReturnSuccess) {
      if (a.verbose) log(`${kext.path} successfully loaded (or already loaded).\n`);
      continue;
    }
    for (const line of kernel.logRing.texts().slice(before)) log(`(kernel) ${line}\n`);
    log(`Failed to load ${kext.path} - ${kextErrorString(r)}.\n`);
    if (r === kOSKextReturn.LinkError) log("Check library declarations for your kext with kextlibs(8).\n");
    status = kKextutilExit.LoadFailed;
  }
  // The embedded kernel ends with the command: its drivers stop and its kexts unload.
  await rt.unloadAll();
  await settle(kernel);
  return status;
}

/** Runs the kernel until matching (and any kext loads it asked for) have finished. */
async function settle(kernel: IOKernel): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    await kernel.runUntilIdle();
    // Demand loads import modules outside the scheduler: give them a turn of the event loop.
    await new Promise((r) => setImmediate(r));
    if (kernel.scheduler.pending === 0 && kernel.platform.busyState === 0 && kernel.matcher.stalledNubs().size === 0) return;
  }
}

/**
 * `runTestsOnKext`: notices, the verdict, and the diagnostics dump.
 * With `-n`, a good kext with a Mach-O executable gets a trial link by symbols (trialLink.ts).
 * Divergence from XNU: the signature check only sees whether a Mach-O carries a well-formed
 * signature (no page hashes, no trust evaluation).
 */
async function testKext(
  kext: OSKext, analyzer: KextAnalyzer, a: Args, root: boolean, log: (t: string) => void, kernel: KernelSource | undefined,
): Promise<number> {
  const analysis = analyzer.analyze(kext);
  if (a.safeBoot && !analysis.safeBootLoadable) log(`Notice: ${kext.path} is not eligible for loading during safe boot.\n`);
  if (analysis.hasDebugProperties) log(`Notice: ${kext.path} has debug properties set.\n`);
  if (!a.skipAuthentication && !root) {
    log("Skipping staging and system policy checks because not running as root, expect staging errors.\n");
  }
  // Checked for diagnostics only, as kextutil does: the verdict does not depend on it.
  const signature = kext.executable?.macho?.signature;
  if (signature !== undefined && signature !== "present") {
    log(`Code Signing Failure: ${signature === "none" ? "not code signed" : "code signature is invalid"}\n`);
    log(formatKextDiagnostics(analysis.diagnostics));
  }
  if (!analysis.loadable) {
    log(`Diagnostics for ${kext.path}:\n${formatKextDiagnostics(analysis.diagnostics)}`);
    return kKextutilExit.KextBad;
  }
  // Without -t a load prints no report (as Apple's); -n alone still reports, as it always has here.
  if (a.test || a.noLoad) {
    log(formatKextDiagnostics(analysis.diagnostics, ["warnings"]));
    // kextutil links only when it does not load (a load links in the kernel).
    const link = a.noLoad ? await trialLink(kext, analysis, analyzer.set, a.arch, kernel, log) : "skipped";
    if (typeof link !== "string") { log(link.error); return EX_NOINPUT; }
    if (link === "failed") return kKextutilExit.KextBad;
    log(`${kext.path} appears to be loadable (${link === "linked" ? "" : "not "}including linkage for on-disk libraries).\n`);
  }
  return kKextutilExit.OK;
}
