/**
 * `iokit codesign`: reads embedded code signatures (it never signs). `-d` displays them the way
 * Apple's `codesign -d -vvv` does, on standard error (`Executable=`, `Identifier=`, `Format=`,
 * `CodeDirectory v=… size=… flags=0x…(…) hashes=N+M location=embedded`, `Hash type=…`, `CDHash=`…);
 * `--entitlements :-` writes the entitlements plist to standard output; `-v` without `-d` verifies
 * the code page hashes against the file and reports every mismatching page.
 *
 * Divergence from Apple: `-d` adds one `Page hashes=` line (an iokit extension: the result of
 * checking every page hash), certificates in CMS signatures are not decoded (only their size is
 * shown), and Info.plist/resource seals are reported as bound or not, without reading the bundle.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import {
  CS_HASH_TYPES, MachOFormatError, archFlagName, codeDirectoryFlagsText, entitlementsText, lipoArchName, machOKind,
  openMachO, parseSlice, primaryCodeDirectory, readCodeSignature, verifyPageHashes, type CodeHasher, type MachOFile,
} from "../../formats/index.ts";
import { hostArchName, readInput, writeBytes } from "../machoInput.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "display and verify embedded code signatures of Mach-O files (read-only)";

const USAGE = "Usage: codesign -d [-v...] [--entitlements :-] [--arch A] path...\n       codesign -v [-v...] [--arch A] path...\n";

/** node:crypto as the signature module's hasher. */
export const nodeHasher: CodeHasher = (alg, data) => new Uint8Array(createHash(alg).update(data).digest());

interface Opts {
  display: boolean;
  verbose: number;
  entitlements: string | undefined;
  arch: string | undefined;
  files: string[];
}

function parse(argv: string[]): Opts | string {
  const o: Opts = { display: false, verbose: 0, entitlements: undefined, arch: undefined, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--entitlements") {
      o.entitlements = argv[++i];
      if (o.entitlements === undefined) return "--entitlements requires an argument";
    } else if (a.startsWith("--entitlements=")) o.entitlements = a.slice(15);
    else if (a === "--arch" || a === "-a") {
      o.arch = argv[++i];
      if (o.arch === undefined) return `${a} requires an argument`;
    } else if (a === "--display") o.display = true;
    else if (a === "--verify") o.verbose = Math.max(o.verbose, 0);
    else if (/^-[dv]+$/.test(a)) {
      for (const c of a.slice(1)) if (c === "d") o.display = true; else o.verbose++;
    } else if (a.startsWith("-") && a !== "-") return `unrecognized option ${a}`;
    else o.files.push(a);
  }
  if (o.files.length === 0 || (!o.display && o.verbose === 0 && o.entitlements === undefined)) return "";
  return o;
}

function pickSlice(mf: MachOFile, arch: string | undefined): number {
  if (arch !== undefined) return mf.slices.findIndex((s) => archFlagName(s.cputype, s.cpusubtype) === arch);
  const host = hostArchName();
  const i = mf.slices.findIndex((s) => s.archName === host);
  return i >= 0 ? i : 0;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function one(file: string, o: Opts, io: ToolIO): number {
  const path = resolve(io.cwd, file);
  const bytes = readInput(file, io);
  if (machOKind(bytes) === "unknown") {
    io.stderr(`${file}: code object is not signed at all\n`);
    return 1;
  }
  const mf = openMachO(bytes);
  const idx = pickSlice(mf, o.arch);
  if (idx < 0) {
    io.stderr(`${file}: architecture ${o.arch} not found\n`);
    return 1;
  }
  const image = parseSlice(mf, idx);
  const sig = readCodeSignature(image);
  const cd = sig === undefined ? undefined : primaryCodeDirectory(sig);
  if (sig === undefined || cd === undefined) {
    io.stderr(`${file}: code object is not signed at all\n`);
    return 1;
  }
  const report = verifyPageHashes(image, sig, cd, nodeHasher);
  const bad = report.mismatched.length > 0 || report.specialMismatched.length > 0;
  if (o.display) {
    const lines: string[] = [`Executable=${path}`];
    if (o.verbose >= 1) {
      const archNames = mf.slices.map((s) => archFlagName(s.cputype, s.cpusubtype) ?? lipoArchName(s.cputype, s.cpusubtype));
      lines.push(`Identifier=${cd.identifier}`);
      lines.push(`Format=Mach-O ${mf.fat === undefined ? "thin" : "universal"} (${archNames.join(" ")})`);
      lines.push(`CodeDirectory v=${cd.version.toString(16)} size=${cd.length} flags=${codeDirectoryFlagsText(cd.flags)} hashes=${cd.nCodeSlots}+${cd.nSpecialSlots} location=embedded`);
      const ht = CS_HASH_TYPES.get(cd.hashType);
      if (o.verbose >= 2) {
        if (cd.platform !== 0) lines.push(`Platform identifier=${cd.platform}`);
        lines.push(`Hash type=${ht?.name ?? `unknown(${cd.hashType})`} size=${cd.hashSize}`);
        const cdFull = hex(nodeHasher(ht?.algorithm ?? "sha256", cd.bytes));
        for (const c of sig.codeDirectories) {
          const t = CS_HASH_TYPES.get(c.hashType);
          if (t === undefined) continue;
          const full = hex(nodeHasher(t.algorithm, c.bytes));
          lines.push(`CandidateCDHash ${t.name}=${full.slice(0, 40)}`);
          if (o.verbose >= 3) lines.push(`CandidateCDHashFull ${t.name}=${c === cd ? cdFull : full}`);
        }
        lines.push(`Hash choices=${sig.codeDirectories.map((c) => CS_HASH_TYPES.get(c.hashType)?.name ?? "unknown").join(",")}`);
        if (o.verbose >= 3 && cd.execSegBase !== undefined) {
          lines.push(`Executable Segment base=${cd.execSegBase}`, `Executable Segment limit=${cd.execSegLimit}`, `Executable Segment flags=0x${(cd.execSegFlags ?? 0n).toString(16)}`);
        }
        if (o.verbose >= 3 && cd.runtime !== undefined && cd.runtime !== 0) {
          lines.push(`Runtime Version=${cd.runtime >>> 16}.${(cd.runtime >>> 8) & 0xff}.${cd.runtime & 0xff}`);
        }
        lines.push(`Page size=${cd.pageSizeLog2 === 0 ? "none" : 2 ** cd.pageSizeLog2}`);
        lines.push(`CDHash=${report.cdhash}`);
      }
      lines.push(bad
        ? `Page hashes=${report.pages - report.mismatched.length} of ${report.pages} match; MISMATCH in page${report.mismatched.length === 1 ? "" : "s"} ${report.mismatched.join(", ")}${report.specialMismatched.length > 0 ? `; special slot${report.specialMismatched.length === 1 ? "" : "s"} ${report.specialMismatched.join(", ")}` : ""}`
        : `Page hashes=${report.pages} of ${report.pages} match`);
      lines.push(sig.cmsSize > 0 ? `Signature size=${sig.cmsSize}` : "Signature=adhoc");
      const slot = (n: number): boolean => n <= cd.nSpecialSlots && !cd.specialHashes[n - 1]!.every((x) => x === 0);
      lines.push(`Info.plist=${slot(1) ? "bound" : "not bound"}`);
      lines.push(`TeamIdentifier=${cd.teamId ?? "not set"}`);
      lines.push(`Sealed Resources=${slot(3) ? "bound" : "none"}`);
      lines.push(sig.requirements !== undefined ? `Internal requirements count=${sig.requirements.count} size=${sig.requirements.size}` : "Internal requirements=none");
    }
    io.stderr(`${lines.join("\n")}\n`);
    if (o.entitlements !== undefined) {
      const text = entitlementsText(sig);
      if (text !== undefined && (o.entitlements === ":-" || o.entitlements === "-")) writeBytes(io, text);
    }
    return 0;
  }
  if (o.entitlements !== undefined && !o.display) {
    const text = entitlementsText(sig);
    if (text !== undefined) writeBytes(io, text);
    return 0;
  }
  // Verify.
  if (bad) {
    io.stderr(`${file}: invalid signature (code or signature have been modified)\n`);
    for (const p of report.mismatched) io.stderr(`  page ${p} (offset ${p * 2 ** cd.pageSizeLog2}): hash does not match the CodeDirectory\n`);
    for (const s of report.specialMismatched) io.stderr(`  special slot ${s}: hash does not match the blob\n`);
    return 1;
  }
  if (o.verbose >= 1) io.stderr(`${file}: valid on disk\n`);
  return 0;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const o = parse(argv);
  if (typeof o === "string") {
    if (o !== "") io.stderr(`codesign: ${o}\n`);
    io.stderr(USAGE);
    return 2;
  }
  let status = 0;
  for (const f of o.files) {
    try {
      status = Math.max(status, one(f, o, io));
    } catch (e) {
      if (e instanceof MachOFormatError || (e instanceof Error && !(e instanceof TypeError))) {
        io.stderr(`${f}: ${e.message}\n`);
        status = Math.max(status, 1);
      } else throw e;
    }
  }
  return status;
}
