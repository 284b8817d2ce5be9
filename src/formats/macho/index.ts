/**
 * formats/macho: a pure Mach-O reader (fat and thin, both byte orders, 32/64-bit), its symbol
 * table, dyld info, chained fixups, exports trie and code signature. (The kext symbol audit,
 * which needs the demangler, lives in src/kext.)
 */
export { MachOFormatError } from "./MachOFormatError.ts";
export { ByteReader, byteString, bytesOfByteString } from "./ByteReader.ts";
export * from "./constants.ts";
export { archFlagName, archFromName, lipoArchName } from "./archNames.ts";
export type * from "./types.ts";
export {
  machOKind, openMachO, parseFatHeader, parseMachHeader, parseMachOImage, parseSlice, is64BitCpu,
  type MachOFile, type MachOSlice,
} from "./parseMachO.ts";
export {
  readSymbols, isStab, isUndefined, isCommon, isExternal, isPrivateExternal, isDefined, isWeak,
  symbolSection, symbolLibraryOrdinal, indirectName, type NList,
} from "./symbols.ts";
export { guessLibraryShortName, libraryShortName } from "./libraryShortName.ts";
export { buildFatFile, sortFatSlices, type FatSliceInput } from "./buildFatFile.ts";
export {
  readExports, parseExportTrie, exportTrieRange, readDyldInfo, parseRebaseOpcodes, parseBindOpcodes,
  EXPORT_SYMBOL_FLAGS_KIND_MASK, EXPORT_SYMBOL_FLAGS_KIND_REGULAR, EXPORT_SYMBOL_FLAGS_KIND_THREAD_LOCAL,
  EXPORT_SYMBOL_FLAGS_KIND_ABSOLUTE, EXPORT_SYMBOL_FLAGS_WEAK_DEFINITION, EXPORT_SYMBOL_FLAGS_REEXPORT,
  EXPORT_SYMBOL_FLAGS_STUB_AND_RESOLVER, type ExportEntry, type RebaseEntry, type BindEntry,
} from "./dyldInfo.ts";
export {
  readChainedFixups, walkChainedFixups, DYLD_CHAINED_PTR_FORMAT_NAMES,
  type ChainedFixups, type ChainedFixupsHeader, type ChainedImport, type ChainedStartsInSegment, type ChainedFixup,
} from "./chainedFixups.ts";
export {
  readCodeSignature, primaryCodeDirectory, codeDirectoryFlagsText, verifyPageHashes, entitlementsText,
  CS_HASH_TYPES, CS_FLAG_NAMES, CSMAGIC_EMBEDDED_SIGNATURE, CSMAGIC_CODEDIRECTORY, CSMAGIC_REQUIREMENTS,
  CSMAGIC_EMBEDDED_ENTITLEMENTS, CSMAGIC_EMBEDDED_DER_ENTITLEMENTS, CSMAGIC_BLOBWRAPPER, CSSLOT_CODEDIRECTORY,
  CSSLOT_REQUIREMENTS, CSSLOT_ENTITLEMENTS, CSSLOT_DER_ENTITLEMENTS, CSSLOT_ALTERNATE_CODEDIRECTORIES, CSSLOT_SIGNATURESLOT,
  type CodeSignature, type CodeDirectory, type CodeHasher, type HashAlgorithm, type PageHashReport,
} from "./codeSignature.ts";
export { readSectionRelocations, readDynamicRelocations, R_SCATTERED, type Relocation } from "./relocations.ts";
