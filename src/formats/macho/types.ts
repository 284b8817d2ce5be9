/**
 * The decoded shapes of a Mach-O image: header, load commands, sections, symbols. Field names follow
 * <mach-o/loader.h> in camelCase. 64-bit addresses and sizes are `bigint`; file offsets that must
 * lie inside the buffer are `number`. Strings are byte strings (one char per byte, see
 * `byteString`), so they sort and print exactly as the file's bytes.
 */
import type { ByteReader } from "./ByteReader.ts";

export interface MachHeader {
  readonly magic: number;
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly cputype: number;
  readonly cpusubtype: number;
  readonly filetype: number;
  readonly ncmds: number;
  readonly sizeofcmds: number;
  readonly flags: number;
  /** mach_header_64.reserved; 0 for 32-bit headers. */
  readonly reserved: number;
  /** Size of the header (28 or 32). */
  readonly size: number;
}

interface CommandBase {
  readonly cmd: number;
  readonly cmdsize: number;
  /** Offset of the command in the image. */
  readonly offset: number;
  /** Index among the load commands. */
  readonly index: number;
}

export interface Section {
  readonly sectname: string;
  readonly segname: string;
  readonly addr: bigint;
  readonly size: bigint;
  readonly offset: number;
  readonly align: number;
  readonly reloff: number;
  readonly nreloc: number;
  readonly flags: number;
  readonly reserved1: number;
  readonly reserved2: number;
  readonly reserved3: number;
  /** The containing segment's name (sections can claim another segname in MH_OBJECT files). */
  readonly segmentName: string;
}

export interface SegmentCommand extends CommandBase {
  readonly kind: "segment";
  readonly segname: string;
  readonly vmaddr: bigint;
  readonly vmsize: bigint;
  readonly fileoff: bigint;
  readonly filesize: bigint;
  readonly maxprot: number;
  readonly initprot: number;
  readonly nsects: number;
  readonly flags: number;
  readonly sections: readonly Section[];
}

export interface SymtabCommand extends CommandBase {
  readonly kind: "symtab";
  readonly symoff: number;
  readonly nsyms: number;
  readonly stroff: number;
  readonly strsize: number;
}

export interface DysymtabCommand extends CommandBase {
  readonly kind: "dysymtab";
  readonly ilocalsym: number;
  readonly nlocalsym: number;
  readonly iextdefsym: number;
  readonly nextdefsym: number;
  readonly iundefsym: number;
  readonly nundefsym: number;
  readonly tocoff: number;
  readonly ntoc: number;
  readonly modtaboff: number;
  readonly nmodtab: number;
  readonly extrefsymoff: number;
  readonly nextrefsyms: number;
  readonly indirectsymoff: number;
  readonly nindirectsyms: number;
  readonly extreloff: number;
  readonly nextrel: number;
  readonly locreloff: number;
  readonly nlocrel: number;
}

/** LC_LOAD_DYLIB, LC_ID_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB. */
export interface DylibCommand extends CommandBase {
  readonly kind: "dylib";
  readonly nameOffset: number;
  readonly name: string;
  readonly timestamp: number;
  readonly currentVersion: number;
  readonly compatibilityVersion: number;
}

/** Commands that carry one string at an offset: dylinker, rpath, sub_* commands. */
export interface StringCommand extends CommandBase {
  readonly kind: "string";
  readonly stringOffset: number;
  readonly value: string;
}

export interface UuidCommand extends CommandBase {
  readonly kind: "uuid";
  readonly uuid: Uint8Array;
}

export interface BuildVersionCommand extends CommandBase {
  readonly kind: "buildVersion";
  readonly platform: number;
  readonly minos: number;
  readonly sdk: number;
  readonly tools: readonly { readonly tool: number; readonly version: number }[];
}

export interface VersionMinCommand extends CommandBase {
  readonly kind: "versionMin";
  readonly version: number;
  readonly sdk: number;
}

/** linkedit_data_command: code signature, function starts, chained fixups, exports trie, … */
export interface LinkeditDataCommand extends CommandBase {
  readonly kind: "linkeditData";
  readonly dataoff: number;
  readonly datasize: number;
}

export interface DyldInfoCommand extends CommandBase {
  readonly kind: "dyldInfo";
  readonly rebaseOff: number;
  readonly rebaseSize: number;
  readonly bindOff: number;
  readonly bindSize: number;
  readonly weakBindOff: number;
  readonly weakBindSize: number;
  readonly lazyBindOff: number;
  readonly lazyBindSize: number;
  readonly exportOff: number;
  readonly exportSize: number;
}

export interface EntryPointCommand extends CommandBase {
  readonly kind: "main";
  readonly entryoff: bigint;
  readonly stacksize: bigint;
}

export interface SourceVersionCommand extends CommandBase {
  readonly kind: "sourceVersion";
  readonly version: bigint;
}

export interface FilesetEntryCommand extends CommandBase {
  readonly kind: "filesetEntry";
  readonly vmaddr: bigint;
  readonly fileoff: bigint;
  readonly entryIdOffset: number;
  readonly entryId: string;
}

export interface EncryptionInfoCommand extends CommandBase {
  readonly kind: "encryptionInfo";
  readonly cryptoff: number;
  readonly cryptsize: number;
  readonly cryptid: number;
  readonly pad: number;
}

export interface LinkerOptionCommand extends CommandBase {
  readonly kind: "linkerOption";
  readonly count: number;
  readonly strings: readonly string[];
}

export interface NoteCommand extends CommandBase {
  readonly kind: "note";
  readonly dataOwner: string;
  readonly noteOffset: bigint;
  readonly size: bigint;
}

export interface RoutinesCommand extends CommandBase {
  readonly kind: "routines";
  readonly initAddress: bigint;
  readonly initModule: bigint;
  readonly reserved: readonly bigint[];
}

/** LC_THREAD / LC_UNIXTHREAD: flavor/count/state triples, kept as raw 32-bit words. */
export interface ThreadCommand extends CommandBase {
  readonly kind: "thread";
  readonly states: readonly { readonly flavor: number; readonly count: number; readonly words: readonly number[] }[];
}

/** A load command this parser does not decode; its bytes are kept. */
export interface RawCommand extends CommandBase {
  readonly kind: "raw";
  readonly data: Uint8Array;
}

export type LoadCommand =
  | SegmentCommand | SymtabCommand | DysymtabCommand | DylibCommand | StringCommand | UuidCommand
  | BuildVersionCommand | VersionMinCommand | LinkeditDataCommand | DyldInfoCommand | EntryPointCommand
  | SourceVersionCommand | FilesetEntryCommand | EncryptionInfoCommand | LinkerOptionCommand | NoteCommand
  | RoutinesCommand | ThreadCommand | RawCommand;

/** One parsed (thin) Mach-O image. */
export interface MachOImage {
  /** The image's bytes (a fat slice is a subarray of the fat file). */
  readonly bytes: Uint8Array;
  readonly reader: ByteReader;
  readonly header: MachHeader;
  readonly loadCommands: readonly LoadCommand[];
  readonly segments: readonly SegmentCommand[];
  /** Every section in load-command order; an nlist's n_sect k refers to sections[k-1]. */
  readonly sections: readonly Section[];
  readonly symtab: SymtabCommand | undefined;
  readonly dysymtab: DysymtabCommand | undefined;
  /** The dylibs in ordinal order (LC_LOAD_DYLIB & friends, not LC_ID_DYLIB). */
  readonly dylibs: readonly DylibCommand[];
}

/** One entry of a fat header. */
export interface FatArch {
  readonly cputype: number;
  readonly cpusubtype: number;
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  readonly reserved: number;
}

export interface FatHeader {
  readonly magic: number;
  readonly is64: boolean;
  readonly arches: readonly FatArch[];
}
