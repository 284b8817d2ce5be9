/**
 * Builders for kext bundles in tests: a small XML plist writer for Info.plists (strings, booleans,
 * integers, arrays, dictionaries) and a minimal Mach-O header so an executable passes the magic check.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { MemoryBundleSource } from "../../src/kext/index.ts";

/** A plain-object Info.plist value: nested objects become dictionaries, numbers integers. */
export type PlainPlist = string | boolean | number | PlainPlist[] | { [key: string]: PlainPlist };

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Serialises a plain value as an XML property list. */
export function xmlPlist(value: PlainPlist): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">'];
  const write = (v: PlainPlist, indent: string): void => {
    if (typeof v === "string") out.push(`${indent}<string>${esc(v)}</string>`);
    else if (typeof v === "boolean") out.push(`${indent}<${v}/>`);
    else if (typeof v === "number") out.push(`${indent}<integer>${v}</integer>`);
    else if (Array.isArray(v)) {
      out.push(`${indent}<array>`);
      for (const x of v) write(x, `${indent}\t`);
      out.push(`${indent}</array>`);
    } else {
      out.push(`${indent}<dict>`);
      for (const [k, x] of Object.entries(v)) {
        out.push(`${indent}\t<key>${esc(k)}</key>`);
        write(x, `${indent}\t`);
      }
      out.push(`${indent}</dict>`);
    }
  };
  write(value, "");
  out.push("</plist>");
  return `${out.join("\n")}\n`;
}

/**
 * A minimal thin 64-bit MH_KEXT_BUNDLE (x86_64 by default): a header, one LC_SYMTAB and a symbol
 * table defining `_kmod_info` (absolute), which is what marks kernel-extension code. Unsigned.
 */
export function machOHeader(cputype = 0x01000007, symbols: readonly string[] = ["_kmod_info"]): Uint8Array {
  const strings = `\0${symbols.join("\0")}\0`;
  const symoff = 32 + 24;
  const stroff = symoff + 16 * symbols.length;
  const size = stroff + strings.length;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xfeedfacf, true);
  v.setInt32(4, cputype, true);
  v.setInt32(8, cputype === 0x01000007 ? 3 : 0, true);
  v.setUint32(12, 0xb, true); // MH_KEXT_BUNDLE
  v.setUint32(16, 1, true); // ncmds
  v.setUint32(20, 24, true); // sizeofcmds
  v.setUint32(32, 0x2, true); // LC_SYMTAB
  v.setUint32(36, 24, true);
  v.setUint32(40, symoff, true);
  v.setUint32(44, symbols.length, true);
  v.setUint32(48, stroff, true);
  v.setUint32(52, strings.length, true);
  let strx = 1;
  symbols.forEach((name, i) => {
    const p = symoff + 16 * i;
    v.setUint32(p, strx, true);
    b[p + 4] = 0x03; // N_ABS | N_EXT
    strx += name.length + 1;
  });
  for (let i = 0; i < strings.length; i++) b[stroff + i] = strings.charCodeAt(i);
  return b;
}

/** A typical third-party kext's Info.plist, overridable key by key (`undefined` removes a key). */
export function kextInfo(overrides: Record<string, PlainPlist | undefined> = {}): { [key: string]: PlainPlist } {
  const base: Record<string, PlainPlist | undefined> = {
    CFBundleIdentifier: "com.example.driver.Foo",
    CFBundleExecutable: "Foo",
    CFBundlePackageType: "KEXT",
    CFBundleVersion: "1.0.0",
    OSBundleLibraries: { "com.apple.kpi.iokit": "9.0", "com.apple.kpi.libkern": "9.0" },
    IOKitPersonalities: {
      Foo: { CFBundleIdentifier: "com.example.driver.Foo", IOClass: "FooDriver", IOProviderClass: "IOPCIDevice" },
    },
    ...overrides,
  };
  const out: { [key: string]: PlainPlist } = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) out[k] = v;
  return out;
}

/** Adds a deep bundle at `path` to `src`: Info.plist plus, when declared, a Mach-O executable. */
export function addKext(src: MemoryBundleSource, path: string, info: { [key: string]: PlainPlist }, opts: { executable?: boolean } = {}): MemoryBundleSource {
  src.addDir(path).addFile(`${path}/Contents/Info.plist`, xmlPlist(info));
  const exe = info.CFBundleExecutable;
  if (typeof exe === "string" && opts.executable !== false) src.addFile(`${path}/Contents/MacOS/${exe}`, machOHeader(), { mode: 0o755 });
  return src;
}

/** A kernel pseudo-kext (`com.apple.kpi.*`, OSKernelResource) at a given version. */
export function kpiInfo(id: string, version: string, compatible = "8.0.0"): { [key: string]: PlainPlist } {
  return {
    CFBundleIdentifier: id, CFBundlePackageType: "KEXT", CFBundleVersion: version,
    OSBundleCompatibleVersion: compatible, OSKernelResource: true, OSBundleRequired: "Root",
  };
}

/** Writes a deep bundle to disk at `path` (Info.plist, plus a Mach-O header when an executable is declared). */
export function writeKext(path: string, info: { [key: string]: PlainPlist }, opts: { executable?: boolean; extraFiles?: Record<string, string> } = {}): string {
  mkdirSync(join(path, "Contents"), { recursive: true });
  writeFileSync(join(path, "Contents", "Info.plist"), xmlPlist(info));
  const exe = info.CFBundleExecutable;
  if (typeof exe === "string" && opts.executable !== false) {
    mkdirSync(join(path, "Contents", "MacOS"), { recursive: true });
    writeFileSync(join(path, "Contents", "MacOS", exe), machOHeader(), { mode: 0o755 });
  }
  for (const [rel, text] of Object.entries(opts.extraFiles ?? {})) {
    mkdirSync(join(path, rel, ".."), { recursive: true });
    writeFileSync(join(path, rel), text);
  }
  return path;
}

/** A fresh temporary directory. */
export function tempDir(prefix = "iokit-kext-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A {@link tempDir} for one test file, whose directories are removed after all its tests. Call it
 * at the file's top level (it registers an `afterAll` hook).
 */
export function scopedTempDir(): (prefix?: string) => string {
  const made: string[] = [];
  afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
  return (prefix) => {
    const d = tempDir(prefix);
    made.push(d);
    return d;
  };
}
