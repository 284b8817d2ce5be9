/**
 * The embedded code signature (LC_CODE_SIGNATURE): the SuperBlob and its blobs, the CodeDirectory
 * (every version's fields up to the execution-segment and runtime fields), entitlements, the
 * requirements set, and verification of the page hashes against the file.
 *
 * All signature structures are big-endian, whatever the image's byte order. Hashing is injected
 * (`CodeHasher`) so that this module stays pure; the tools pass Node's crypto.
 */
import { ByteReader, byteString } from "./ByteReader.ts";
import { LC } from "./constants.ts";
import { MachOFormatError } from "./MachOFormatError.ts";
import type { MachOImage } from "./types.ts";

export const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
export const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
export const CSMAGIC_REQUIREMENTS = 0xfade0c01;
export const CSMAGIC_EMBEDDED_ENTITLEMENTS = 0xfade7171;
export const CSMAGIC_EMBEDDED_DER_ENTITLEMENTS = 0xfade7172;
export const CSMAGIC_BLOBWRAPPER = 0xfade0b01;

export const CSSLOT_CODEDIRECTORY = 0;
export const CSSLOT_REQUIREMENTS = 2;
export const CSSLOT_ENTITLEMENTS = 5;
export const CSSLOT_DER_ENTITLEMENTS = 7;
export const CSSLOT_ALTERNATE_CODEDIRECTORIES = 0x1000;
export const CSSLOT_SIGNATURESLOT = 0x10000;

/** CodeDirectory flag names in the order codesign prints them. */
export const CS_FLAG_NAMES: readonly [number, string][] = [
  [0x1, "host"], [0x2, "adhoc"], [0x4, "forced"], [0x100, "hard"], [0x200, "kill"], [0x400, "expires"],
  [0x800, "restrict"], [0x1000, "enforcement"], [0x2000, "library-validation"], [0x10000, "runtime"], [0x20000, "linker-signed"],
];

export type HashAlgorithm = "sha1" | "sha256" | "sha384";
/** Computes a digest; supplied by the caller (e.g. node:crypto). */
export type CodeHasher = (algorithm: HashAlgorithm, data: Uint8Array) => Uint8Array;

/** hashType → algorithm, digest length printed by codesign, and its name. */
export const CS_HASH_TYPES: ReadonlyMap<number, { algorithm: HashAlgorithm; size: number; name: string }> = new Map([
  [1, { algorithm: "sha1", size: 20, name: "sha1" }],
  [2, { algorithm: "sha256", size: 32, name: "sha256" }],
  [3, { algorithm: "sha256", size: 20, name: "sha256-truncated" }],
  [4, { algorithm: "sha384", size: 48, name: "sha384" }],
]);

export interface CodeDirectory {
  /** Offset of the blob in the image. */
  readonly offset: number;
  readonly length: number;
  readonly bytes: Uint8Array;
  readonly version: number;
  readonly flags: number;
  readonly hashOffset: number;
  readonly identifier: string;
  readonly nSpecialSlots: number;
  readonly nCodeSlots: number;
  readonly codeLimit: bigint;
  readonly hashSize: number;
  readonly hashType: number;
  readonly platform: number;
  /** log2 of the page size; 0 means the whole file is one page. */
  readonly pageSizeLog2: number;
  readonly teamId: string | undefined;
  readonly execSegBase: bigint | undefined;
  readonly execSegLimit: bigint | undefined;
  readonly execSegFlags: bigint | undefined;
  readonly runtime: number | undefined;
  /** Code slot hashes, slot 0 first. */
  readonly codeHashes: readonly Uint8Array[];
  /** Special slot hashes: index i holds slot -(i+1). */
  readonly specialHashes: readonly Uint8Array[];
}

export interface CodeSignature {
  readonly offset: number;
  readonly size: number;
  readonly blobs: readonly { readonly type: number; readonly offset: number; readonly magic: number; readonly length: number }[];
  readonly codeDirectories: readonly CodeDirectory[];
  /** The XML entitlements plist bytes, if any. */
  readonly entitlements: Uint8Array | undefined;
  readonly derEntitlements: Uint8Array | undefined;
  readonly requirements: { readonly count: number; readonly size: number } | undefined;
  /** Length of the CMS signature blob's payload (0 for ad-hoc signatures). */
  readonly cmsSize: number;
}

function parseCodeDirectory(r: ByteReader, off: number, length: number): CodeDirectory {
  if (length < 44) throw new MachOFormatError("CodeDirectory too small", off);
  const end = off + length;
  const version = r.u32(off + 8);
  const f = (rel: number, size: 4 | 8): bigint | undefined => (rel + size <= length ? (size === 4 ? BigInt(r.u32(off + rel)) : r.u64(off + rel)) : undefined);
  const hashOffset = r.u32(off + 16);
  const identOffset = r.u32(off + 20);
  const nSpecialSlots = r.u32(off + 24);
  const nCodeSlots = r.u32(off + 28);
  const hashSize = r.u8(off + 36);
  const teamOffset = version >= 0x20200 ? Number(f(48, 4) ?? 0n) : 0;
  if (hashOffset > length || identOffset >= length) throw new MachOFormatError("CodeDirectory offsets out of range", off);
  if (hashSize === 0 || hashOffset < nSpecialSlots * hashSize || hashOffset + nCodeSlots * hashSize > length) {
    throw new MachOFormatError("CodeDirectory hash slots extend past the blob", off);
  }
  const slot = (i: number): Uint8Array => r.bytes.slice(off + hashOffset + i * hashSize, off + hashOffset + (i + 1) * hashSize);
  const codeHashes: Uint8Array[] = [];
  for (let i = 0; i < nCodeSlots; i++) codeHashes.push(slot(i));
  const specialHashes: Uint8Array[] = [];
  for (let i = 1; i <= nSpecialSlots; i++) specialHashes.push(slot(-i));
  const codeLimit32 = BigInt(r.u32(off + 32));
  const codeLimit64 = version >= 0x20300 ? f(56, 8) ?? 0n : 0n;
  return {
    offset: off, length, bytes: r.bytes.slice(off, end), version, flags: r.u32(off + 12), hashOffset,
    identifier: r.cString(off + identOffset, end), nSpecialSlots, nCodeSlots,
    codeLimit: codeLimit64 !== 0n ? codeLimit64 : codeLimit32, hashSize, hashType: r.u8(off + 37), platform: r.u8(off + 38),
    pageSizeLog2: r.u8(off + 39), teamId: teamOffset > 0 && teamOffset < length ? r.cString(off + teamOffset, end) : undefined,
    execSegBase: version >= 0x20400 ? f(64, 8) : undefined, execSegLimit: version >= 0x20400 ? f(72, 8) : undefined,
    execSegFlags: version >= 0x20400 ? f(80, 8) : undefined,
    runtime: version >= 0x20500 ? Number(f(88, 4) ?? 0n) : undefined, codeHashes, specialHashes,
  };
}

/** Decodes the image's embedded signature, or undefined when it has no LC_CODE_SIGNATURE. */
export function readCodeSignature(image: MachOImage): CodeSignature | undefined {
  const lc = image.loadCommands.find((c) => c.kind === "linkeditData" && c.cmd === LC.LC_CODE_SIGNATURE);
  if (lc === undefined || lc.kind !== "linkeditData") return undefined;
  const r = new ByteReader(image.bytes, false);
  const base = lc.dataoff;
  const size = lc.datasize;
  if (size < 12) throw new MachOFormatError("code signature too small", base);
  if (r.u32(base) !== CSMAGIC_EMBEDDED_SIGNATURE) throw new MachOFormatError(`bad code signature magic 0x${r.u32(base).toString(16)}`, base);
  const sbLength = r.u32(base + 4);
  const count = r.u32(base + 8);
  if (sbLength > size || 12 + count * 8 > sbLength) throw new MachOFormatError("code signature SuperBlob lengths are inconsistent", base);
  const blobs = [];
  const codeDirectories: CodeDirectory[] = [];
  let entitlements: Uint8Array | undefined;
  let derEntitlements: Uint8Array | undefined;
  let requirements: { count: number; size: number } | undefined;
  let cmsSize = 0;
  for (let i = 0; i < count; i++) {
    const type = r.u32(base + 12 + i * 8);
    const rel = r.u32(base + 16 + i * 8);
    if (rel + 8 > sbLength) throw new MachOFormatError(`code signature blob ${i} offset out of range`, base + 12 + i * 8);
    const off = base + rel;
    const magic = r.u32(off);
    const length = r.u32(off + 4);
    if (length < 8 || rel + length > sbLength) throw new MachOFormatError(`code signature blob ${i} length out of range`, off);
    blobs.push({ type, offset: off, magic, length });
    if (magic === CSMAGIC_CODEDIRECTORY) codeDirectories.push(parseCodeDirectory(r, off, length));
    else if (magic === CSMAGIC_EMBEDDED_ENTITLEMENTS) entitlements = r.bytes.slice(off + 8, off + length);
    else if (magic === CSMAGIC_EMBEDDED_DER_ENTITLEMENTS) derEntitlements = r.bytes.slice(off + 8, off + length);
    else if (magic === CSMAGIC_REQUIREMENTS) requirements = { count: length >= 12 ? r.u32(off + 8) : 0, size: length };
    else if (magic === CSMAGIC_BLOBWRAPPER) cmsSize = length - 8;
  }
  return { offset: base, size, blobs, codeDirectories, entitlements, derEntitlements, requirements, cmsSize };
}

/** The CodeDirectory codesign shows: the one in slot 0 (others are alternates). */
export function primaryCodeDirectory(sig: CodeSignature): CodeDirectory | undefined {
  const slot0 = sig.blobs.find((b) => b.type === CSSLOT_CODEDIRECTORY);
  return sig.codeDirectories.find((cd) => cd.offset === slot0?.offset) ?? sig.codeDirectories[0];
}

/** `flags=0x20002(adhoc,linker-signed)` text. */
export function codeDirectoryFlagsText(flags: number): string {
  const names = CS_FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n);
  return `0x${flags.toString(16)}(${names.length > 0 ? names.join(",") : "none"})`;
}

export interface PageHashReport {
  readonly pages: number;
  readonly mismatched: readonly number[];
  /** Special slots (as negative numbers) whose hash does not match the blob present. */
  readonly specialMismatched: readonly number[];
  /** The CDHash (digest of the CodeDirectory, truncated to 20 bytes), hex. */
  readonly cdhash: string;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * Recomputes every code page hash (and the entitlements/requirements special slots) of `cd`
 * against the image's bytes.
 */
export function verifyPageHashes(image: MachOImage, sig: CodeSignature, cd: CodeDirectory, hasher: CodeHasher): PageHashReport {
  const ht = CS_HASH_TYPES.get(cd.hashType);
  if (ht === undefined) throw new MachOFormatError(`unknown code signature hash type ${cd.hashType}`, cd.offset + 37);
  const limit = Number(cd.codeLimit);
  if (limit > image.bytes.length) throw new MachOFormatError("CodeDirectory codeLimit is past the end of the file", cd.offset + 32);
  const page = cd.pageSizeLog2 === 0 ? limit : 2 ** cd.pageSizeLog2;
  const mismatched: number[] = [];
  for (let i = 0; i < cd.nCodeSlots; i++) {
    const start = i * page;
    const data = image.bytes.subarray(Math.min(start, limit), Math.min(start + page, limit));
    const digest = hasher(ht.algorithm, data).subarray(0, cd.hashSize);
    if (hex(digest) !== hex(cd.codeHashes[i]!)) mismatched.push(i);
  }
  const specialMismatched: number[] = [];
  const checkSlot = (slot: number, magic: number): void => {
    if (slot > cd.nSpecialSlots) return;
    const want = cd.specialHashes[slot - 1]!;
    const blob = sig.blobs.find((b) => b.magic === magic && b.type !== CSSLOT_CODEDIRECTORY);
    const zero = want.every((x) => x === 0);
    if (blob === undefined) {
      if (!zero) specialMismatched.push(-slot);
      return;
    }
    const digest = hasher(ht.algorithm, image.bytes.subarray(blob.offset, blob.offset + blob.length)).subarray(0, cd.hashSize);
    if (hex(digest) !== hex(want)) specialMismatched.push(-slot);
  };
  checkSlot(CSSLOT_REQUIREMENTS, CSMAGIC_REQUIREMENTS);
  checkSlot(CSSLOT_ENTITLEMENTS, CSMAGIC_EMBEDDED_ENTITLEMENTS);
  checkSlot(CSSLOT_DER_ENTITLEMENTS, CSMAGIC_EMBEDDED_DER_ENTITLEMENTS);
  const cdhash = hex(hasher(ht.algorithm, cd.bytes).subarray(0, 20));
  return { pages: cd.nCodeSlots, mismatched, specialMismatched, cdhash };
}

/** Entitlements as text (they are an XML plist). */
export function entitlementsText(sig: CodeSignature): string | undefined {
  return sig.entitlements === undefined ? undefined : byteString(sig.entitlements, 0, sig.entitlements.length);
}
