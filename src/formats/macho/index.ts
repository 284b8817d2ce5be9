/**
 * formats/macho: a pure Mach-O reader (fat and thin, both byte orders, 32/64-bit), its symbol
 * table, dyld info, chained fixups, exports trie, code signature, and a kext symbol audit.
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
