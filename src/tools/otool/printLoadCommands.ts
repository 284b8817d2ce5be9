/**
 * `otool -h` and `otool -l` text, line for line as llvm-otool prints it (non-verbose): the mach
 * header table, then every load command with LLVM's field alignment and its "(past end of file)",
 * "Incorrect size" and "?(bad offset N)" annotations.
 */
import {
  CPU_SUBTYPE_MASK, CPU_TYPE, LC, MH_FILETYPE, S_SYMBOL_STUBS, S_LAZY_SYMBOL_POINTERS, S_LAZY_DYLIB_SYMBOL_POINTERS,
  S_NON_LAZY_SYMBOL_POINTERS, S_THREAD_LOCAL_VARIABLE_POINTERS, S_THREAD_LOCAL_ZEROFILL, S_ZEROFILL, SECTION_TYPE,
  type LoadCommand, type MachOImage, type Section, type SegmentCommand, type ThreadCommand,
} from "../../formats/index.ts";
import { platformName, protText, sectionTypeLines, segmentFlagsText, toolName } from "./verbose.ts";

const hex = (v: number | bigint, w: number): string => v.toString(16).padStart(w, "0");
const pad = (s: string | number, w: number): string => String(s).padStart(w, " ");

/** The "Mach header" table. */
export function printMachHeader(image: MachOImage): string {
  const h = image.header;
  return "Mach header\n"
    + "      magic cputype cpusubtype  caps    filetype ncmds sizeofcmds      flags\n"
    + ` 0x${hex(h.magic, 8)} ${pad(h.cputype | 0, 7)} ${pad((h.cpusubtype & ~CPU_SUBTYPE_MASK) | 0, 10)}  0x${hex((h.cpusubtype & CPU_SUBTYPE_MASK) >>> 24, 2)}`
    + `  ${pad(h.filetype, 10)} ${pad(h.ncmds, 5)} ${pad(h.sizeofcmds, 10)} 0x${hex(h.flags, 8)}\n`;
}

/** `version a.b[.c]` as dyld encodes it in 32 bits (xxxx.yy.zz). */
export function versionString(v: number): string {
  const s = `${(v >>> 16) & 0xffff}.${(v >>> 8) & 0xff}`;
  return (v & 0xff) !== 0 ? `${s}.${v & 0xff}` : s;
}

/** `a.b.c` always with three parts, as dylib versions are shown. */
export function dylibVersion(v: number): string {
  return `${(v >>> 16) & 0xffff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** C's ctime(3) in the local time zone, with its trailing newline. */
export function ctime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad(d.getDate(), 2)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}\n`;
}

function past(v: bigint | number, size: number): string {
  return BigInt(v) > BigInt(size) ? " (past end of file)\n" : "\n";
}

function segment(lc: SegmentCommand, image: MachOImage, v: boolean): string {
  const is64 = lc.cmd === LC.LC_SEGMENT_64;
  const size = image.bytes.length;
  const expected = lc.nsects * (is64 ? 80 : 68) + (is64 ? 72 : 56);
  const w = is64 ? 16 : 8;
  let o = `      cmd ${is64 ? "LC_SEGMENT_64" : "LC_SEGMENT"}\n`;
  o += `  cmdsize ${lc.cmdsize}${lc.cmdsize !== expected ? " Inconsistent size\n" : "\n"}`;
  o += `  segname ${lc.segname}\n`;
  o += `   vmaddr 0x${hex(lc.vmaddr, w)}\n   vmsize 0x${hex(lc.vmsize, w)}\n`;
  o += `  fileoff ${lc.fileoff}${past(lc.fileoff, size)}`;
  o += ` filesize ${lc.filesize}${past(lc.fileoff + lc.filesize, size)}`;
  o += v ? `  maxprot ${protText(lc.maxprot)}\n initprot ${protText(lc.initprot)}\n` : `  maxprot 0x${hex(lc.maxprot, 8)}\n initprot 0x${hex(lc.initprot, 8)}\n`;
  o += `   nsects ${lc.nsects}\n    flags${v ? segmentFlagsText(lc.flags) : ` 0x${lc.flags.toString(16)}\n`}`;
  for (const s of lc.sections) o += section(s, is64, lc.segname, image, v);
  return o;
}

function section(s: Section, is64: boolean, sgSegname: string, image: MachOImage, v: boolean): string {
  const size = image.bytes.length;
  const w = is64 ? 16 : 8;
  const type = s.flags & SECTION_TYPE;
  let o = `Section\n  sectname ${s.sectname}\n   segname ${s.segname}`;
  o += image.header.filetype !== MH_FILETYPE.MH_OBJECT && s.segname !== sgSegname ? " (does not match segment)\n" : "\n";
  o += `      addr 0x${hex(s.addr, w)}\n      size 0x${hex(s.size, w)}`;
  o += (s.flags & S_ZEROFILL) !== 0 && BigInt(s.offset) + s.size > BigInt(size) ? " (past end of file)\n" : "\n";
  o += `    offset ${s.offset}${past(s.offset, size)}`;
  o += `     align 2^${s.align} (${(1 << s.align) >>> 0})\n`;
  o += `    reloff ${s.reloff}${past(s.reloff, size)}`;
  o += `    nreloc ${s.nreloc}${past(s.reloff + s.nreloc * 8, size)}`;
  o += v ? sectionTypeLines(s.flags) : `     flags 0x${hex(s.flags, 8)}\n`;
  const indirect = type === S_SYMBOL_STUBS || type === S_LAZY_SYMBOL_POINTERS || type === S_LAZY_DYLIB_SYMBOL_POINTERS
    || type === S_NON_LAZY_SYMBOL_POINTERS || type === S_THREAD_LOCAL_VARIABLE_POINTERS;
  o += ` reserved1 ${s.reserved1}${indirect ? " (index into indirect symbol table)\n" : "\n"}`;
  o += ` reserved2 ${s.reserved2}${type === S_SYMBOL_STUBS ? " (size of stubs)\n" : "\n"}`;
  return o;
}

const STRING_LABELS = new Map<number, [string, string]>([
  [LC.LC_ID_DYLINKER, ["LC_ID_DYLINKER", "         name"]], [LC.LC_LOAD_DYLINKER, ["LC_LOAD_DYLINKER", "         name"]],
  [LC.LC_DYLD_ENVIRONMENT, ["LC_DYLD_ENVIRONMENT", "         name"]], [LC.LC_RPATH, ["LC_RPATH", "         path"]],
  [LC.LC_SUB_FRAMEWORK, ["LC_SUB_FRAMEWORK", "     umbrella"]], [LC.LC_SUB_UMBRELLA, ["LC_SUB_UMBRELLA", " sub_umbrella"]],
  [LC.LC_SUB_LIBRARY, ["LC_SUB_LIBRARY", "  sub_library"]], [LC.LC_SUB_CLIENT, ["LC_SUB_CLIENT", "       client"]],
]);
const DYLIB_NAMES = new Map<number, string>([
  [LC.LC_ID_DYLIB, "LC_ID_DYLIB"], [LC.LC_LOAD_DYLIB, "LC_LOAD_DYLIB"], [LC.LC_LOAD_WEAK_DYLIB, "LC_LOAD_WEAK_DYLIB"],
  [LC.LC_REEXPORT_DYLIB, "LC_REEXPORT_DYLIB"], [LC.LC_LAZY_LOAD_DYLIB, "LC_LAZY_LOAD_DYLIB"], [LC.LC_LOAD_UPWARD_DYLIB, "LC_LOAD_UPWARD_DYLIB"],
]);
const LINKEDIT_NAMES = new Map<number, string>([
  [LC.LC_CODE_SIGNATURE, "LC_CODE_SIGNATURE"], [LC.LC_SEGMENT_SPLIT_INFO, "LC_SEGMENT_SPLIT_INFO"],
  [LC.LC_FUNCTION_STARTS, "LC_FUNCTION_STARTS"], [LC.LC_DATA_IN_CODE, "LC_DATA_IN_CODE"],
  [LC.LC_DYLIB_CODE_SIGN_DRS, "LC_DYLIB_CODE_SIGN_DRS"], [LC.LC_LINKER_OPTIMIZATION_HINT, "LC_LINKER_OPTIMIZATION_HINT"],
  [LC.LC_DYLD_EXPORTS_TRIE, "LC_DYLD_EXPORTS_TRIE"], [LC.LC_DYLD_CHAINED_FIXUPS, "LC_DYLD_CHAINED_FIXUPS"],
]);
const VERSION_MIN_NAMES = new Map<number, string>([
  [LC.LC_VERSION_MIN_MACOSX, "LC_VERSION_MIN_MACOSX"], [LC.LC_VERSION_MIN_IPHONEOS, "LC_VERSION_MIN_IPHONEOS"],
  [LC.LC_VERSION_MIN_TVOS, "LC_VERSION_MIN_TVOS"], [LC.LC_VERSION_MIN_WATCHOS, "LC_VERSION_MIN_WATCHOS"],
]);

function sizeNote(cmdsize: number, expected: number, exact = true): string {
  return (exact ? cmdsize !== expected : cmdsize < expected) ? " Incorrect size\n" : "\n";
}

function sourceVersion(v: bigint): string {
  const a = (v >> 40n) & 0xffffffn;
  const b = (v >> 30n) & 0x3ffn;
  const c = (v >> 20n) & 0x3ffn;
  const d = (v >> 10n) & 0x3ffn;
  const e = v & 0x3ffn;
  let s = `${a}.${b}`;
  if (e !== 0n) s += `.${c}.${d}.${e}`;
  else if (d !== 0n) s += `.${c}.${d}`;
  else if (c !== 0n) s += `.${c}`;
  return s;
}

function threadState(lc: ThreadCommand, cputype: number): string {
  let o = "";
  const u64 = (w: readonly number[], i: number, little: boolean): bigint =>
    little ? (BigInt(w[i + 1] ?? 0) << 32n) | BigInt(w[i] ?? 0) : (BigInt(w[i] ?? 0) << 32n) | BigInt(w[i + 1] ?? 0);
  for (const st of lc.states) {
    const w = st.words;
    if (cputype === CPU_TYPE.I386 && st.flavor === 1) {
      o += "     flavor i386_THREAD_STATE\n";
      o += st.count === 16 ? "      count i386_THREAD_STATE_COUNT\n" : `      count ${st.count} (not x86_THREAD_STATE32_COUNT)\n`;
      const r = (i: number): string => `0x${hex(w[i] ?? 0, 8)}`;
      o += `\t    eax ${r(0)} ebx    ${r(1)} ecx ${r(2)} edx ${r(3)}\n`;
      o += `\t    edi ${r(4)} esi    ${r(5)} ebp ${r(6)} esp ${r(7)}\n`;
      o += `\t    ss  ${r(8)} eflags ${r(9)} eip ${r(10)} cs  ${r(11)}\n`;
      o += `\t    ds  ${r(12)} es     ${r(13)} fs  ${r(14)} gs  ${r(15)}\n`;
    } else if (cputype === CPU_TYPE.X86_64 && st.flavor === 4) {
      o += "     flavor x86_THREAD_STATE64\n";
      o += st.count === 42 ? "      count x86_THREAD_STATE64_COUNT\n" : `      count ${st.count} (not x86_THREAD_STATE64_COUNT)\n`;
      const r = (i: number): string => `0x${hex(u64(w, i * 2, true), 16)}`;
      o += `   rax  ${r(0)} rbx ${r(1)} rcx  ${r(2)}\n   rdx  ${r(3)} rdi ${r(4)} rsi  ${r(5)}\n`;
      o += `   rbp  ${r(6)} rsp ${r(7)} r8   ${r(8)}\n    r9  ${r(9)} r10 ${r(10)} r11  ${r(11)}\n`;
      o += `   r12  ${r(12)} r13 ${r(13)} r14  ${r(14)}\n   r15  ${r(15)} rip ${r(16)}\n`;
      o += `rflags  ${r(17)} cs  ${r(18)} fs   ${r(19)}\n    gs  ${r(20)}\n`;
    } else if (cputype === CPU_TYPE.ARM64 && st.flavor === 6) {
      o += "     flavor ARM_THREAD_STATE64\n";
      o += st.count === 68 ? "      count ARM_THREAD_STATE64_COUNT\n" : `      count ${st.count} (not ARM_THREAD_STATE64_COUNT)\n`;
      const r = (i: number): string => `0x${hex(u64(w, i * 2, true), 16)}`;
      for (let i = 0; i < 27; i += 3) {
        const n = (k: number): string => `x${k}`.padEnd(3, " ");
        o += `\t    ${n(i)} ${r(i)} ${n(i + 1)} ${r(i + 1)} ${n(i + 2)} ${r(i + 2)}\n`;
      }
      o += `\t    x27 ${r(27)} x28 ${r(28)}  fp ${r(29)}\n\t     lr ${r(30)} sp  ${r(31)}  pc ${r(32)}\n\t   cpsr 0x${hex(w[66] ?? 0, 8)}\n`;
    } else if (cputype === CPU_TYPE.ARM && st.flavor === 1) {
      o += "     flavor ARM_THREAD_STATE\n";
      o += st.count === 17 ? "      count ARM_THREAD_STATE_COUNT\n" : `      count ${st.count} (not ARM_THREAD_STATE_COUNT)\n`;
      const r = (i: number): string => `0x${hex(w[i] ?? 0, 8)}`;
      o += `\t    r0  ${r(0)} r1     ${r(1)} r2  ${r(2)} r3  ${r(3)}\n\t    r4  ${r(4)} r5     ${r(5)} r6  ${r(6)} r7  ${r(7)}\n`;
      o += `\t    r8  ${r(8)} r9     ${r(9)} r10 ${r(10)} r11 ${r(11)}\n\t    r12 ${r(12)} sp     ${r(13)} lr  ${r(14)} pc  ${r(15)}\n`;
      o += `\t   cpsr ${r(16)}\n`;
    } else if (cputype === CPU_TYPE.I386 || cputype === CPU_TYPE.X86_64 || cputype === CPU_TYPE.ARM || cputype === CPU_TYPE.ARM64 || cputype === CPU_TYPE.ARM64_32) {
      o += `     flavor ${st.flavor} (unknown)\n      count ${st.count}\n      state (unknown)\n`;
    } else {
      o += `     flavor ${st.flavor}\n      count ${st.count}\n      state (Unknown cputype/cpusubtype)\n`;
    }
  }
  return o;
}

function command(lc: LoadCommand, image: MachOImage, v: boolean): string {
  const size = image.bytes.length;
  const h = image.header;
  switch (lc.kind) {
    case "segment":
      return segment(lc, image, v);
    case "symtab": {
      const entry = h.is64 ? 16 : 12;
      return `     cmd LC_SYMTAB\n cmdsize ${lc.cmdsize}${lc.cmdsize !== 24 ? " Incorrect size\n" : "\n"}`
        + `  symoff ${lc.symoff}${past(lc.symoff, size)}   nsyms ${lc.nsyms}${past(lc.symoff + lc.nsyms * entry, size)}`
        + `  stroff ${lc.stroff}${past(lc.stroff, size)} strsize ${lc.strsize}${past(lc.stroff + lc.strsize, size)}`;
    }
    case "dysymtab": {
      const nsyms = image.symtab?.nsyms ?? 0;
      const idx = (v: number): string => (v > nsyms ? " (greater than the number of symbols)\n" : "\n");
      const cnt = (i: number, n: number): string => (i + n > nsyms ? " (past the end of the symbol table)\n" : "\n");
      const modSize = h.is64 ? 56 : 52;
      return `            cmd LC_DYSYMTAB\n        cmdsize ${lc.cmdsize}${lc.cmdsize !== 80 ? " Incorrect size\n" : "\n"}`
        + `      ilocalsym ${lc.ilocalsym}${idx(lc.ilocalsym)}      nlocalsym ${lc.nlocalsym}${cnt(lc.ilocalsym, lc.nlocalsym)}`
        + `     iextdefsym ${lc.iextdefsym}${idx(lc.iextdefsym)}     nextdefsym ${lc.nextdefsym}${cnt(lc.iextdefsym, lc.nextdefsym)}`
        + `      iundefsym ${lc.iundefsym}${idx(lc.iundefsym)}      nundefsym ${lc.nundefsym}${cnt(lc.iundefsym, lc.nundefsym)}`
        + `         tocoff ${lc.tocoff}${past(lc.tocoff, size)}           ntoc ${lc.ntoc}${past(lc.tocoff + lc.ntoc * 8, size)}`
        + `      modtaboff ${lc.modtaboff}${past(lc.modtaboff, size)}        nmodtab ${lc.nmodtab}${past(lc.modtaboff + lc.nmodtab * modSize, size)}`
        + `   extrefsymoff ${lc.extrefsymoff}${past(lc.extrefsymoff, size)}    nextrefsyms ${lc.nextrefsyms}${past(lc.extrefsymoff + lc.nextrefsyms * 4, size)}`
        + ` indirectsymoff ${lc.indirectsymoff}${past(lc.indirectsymoff, size)}  nindirectsyms ${lc.nindirectsyms}${past(lc.indirectsymoff + lc.nindirectsyms * 4, size)}`
        + `      extreloff ${lc.extreloff}${past(lc.extreloff, size)}        nextrel ${lc.nextrel}${past(lc.extreloff + lc.nextrel * 8, size)}`
        + `      locreloff ${lc.locreloff}${past(lc.locreloff, size)}        nlocrel ${lc.nlocrel}${past(lc.locreloff + lc.nlocrel * 8, size)}`;
    }
    case "dyldInfo": {
      const f = (label: string, off: number, sz: number, szLabel: string): string =>
        `${label} ${off}${past(off, size)}${szLabel} ${sz}${past(off + sz, size)}`;
      return `            cmd ${lc.cmd === LC.LC_DYLD_INFO ? "LC_DYLD_INFO" : "LC_DYLD_INFO_ONLY"}\n        cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 48)}`
        + f("     rebase_off", lc.rebaseOff, lc.rebaseSize, "    rebase_size")
        + f("       bind_off", lc.bindOff, lc.bindSize, "      bind_size")
        + f("  weak_bind_off", lc.weakBindOff, lc.weakBindSize, " weak_bind_size")
        + f("  lazy_bind_off", lc.lazyBindOff, lc.lazyBindSize, " lazy_bind_size")
        + f("     export_off", lc.exportOff, lc.exportSize, "    export_size");
    }
    case "string": {
      const [name, label] = STRING_LABELS.get(lc.cmd) ?? [`?(${lc.cmd})`, "         name"];
      return `          cmd ${name}\n      cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 12, false)}${label} ${lc.value} (offset ${lc.stringOffset})\n`;
    }
    case "uuid": {
      let u = "";
      for (let i = 0; i < 16; i++) u += hex(lc.uuid[i] ?? 0, 2).toUpperCase() + (i === 3 || i === 5 || i === 7 || i === 9 ? "-" : "");
      return `     cmd LC_UUID\n cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 24)}    uuid ${u}\n`;
    }
    case "versionMin":
      return `      cmd ${VERSION_MIN_NAMES.get(lc.cmd)}\n  cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 16)}`
        + `  version ${versionString(lc.version)}\n      sdk ${lc.sdk === 0 ? "n/a" : versionString(lc.sdk)}\n`;
    case "buildVersion": {
      let o = `       cmd LC_BUILD_VERSION\n   cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 24 + lc.tools.length * 8)}`;
      o += `  platform ${v ? platformName(lc.platform) : lc.platform}\n       sdk ${lc.sdk !== 0 ? versionString(lc.sdk) : "n/a"}\n     minos ${versionString(lc.minos)}\n    ntools ${lc.tools.length}\n`;
      for (const t of lc.tools) o += `      tool ${v ? toolName(t.tool) : t.tool}\n   version ${versionString(t.version)}\n`;
      return o;
    }
    case "sourceVersion":
      return `      cmd LC_SOURCE_VERSION\n  cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 16)}  version ${sourceVersion(lc.version)}\n`;
    case "main":
      return `       cmd LC_MAIN\n   cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 24)}  entryoff ${lc.entryoff}\n stacksize ${lc.stacksize}\n`;
    case "dylib": {
      const cv = lc.currentVersion === 0xffffffff ? "n/a" : dylibVersion(lc.currentVersion);
      const kv = lc.compatibilityVersion === 0xffffffff ? "n/a" : dylibVersion(lc.compatibilityVersion);
      return `          cmd ${DYLIB_NAMES.get(lc.cmd)}\n      cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 24, false)}`
        + `         name ${lc.name} (offset ${lc.nameOffset})\n   time stamp ${lc.timestamp} ${ctime(lc.timestamp)}`
        + `      current version ${cv}\ncompatibility version ${kv}\n`;
    }
    case "linkeditData": {
      const name = LINKEDIT_NAMES.get(lc.cmd);
      if (name === undefined) break;
      return `      cmd ${name}\n  cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 16)}  dataoff ${lc.dataoff}${past(lc.dataoff, size)}`
        + ` datasize ${lc.datasize}${past(lc.dataoff + lc.datasize, size)}`;
    }
    case "encryptionInfo": {
      const is64 = lc.cmd === LC.LC_ENCRYPTION_INFO_64;
      return `          cmd ${is64 ? "LC_ENCRYPTION_INFO_64" : "LC_ENCRYPTION_INFO"}\n      cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, is64 ? 24 : 20)}`
        + `     cryptoff ${lc.cryptoff}${past(lc.cryptoff, size)}    cryptsize ${lc.cryptsize}${past(lc.cryptsize, size)}      cryptid ${lc.cryptid}\n`
        + (is64 ? `          pad ${lc.pad}\n` : "");
    }
    case "linkerOption": {
      let o = `     cmd LC_LINKER_OPTION\n cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 12, false)}   count ${lc.count}\n`;
      lc.strings.forEach((s, i) => { o += `  string #${i + 1} ${s}\n`; });
      if (lc.count !== lc.strings.length) o += `   count ${lc.count} does not match number of strings ${lc.strings.length}\n`;
      return o;
    }
    case "note":
      return `       cmd LC_NOTE\n   cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 40)}data_owner ${lc.dataOwner}\n    offset ${lc.noteOffset}\n      size ${lc.size}\n`;
    case "routines": {
      const is64 = lc.cmd === LC.LC_ROUTINES_64;
      let o = `          cmd ${is64 ? "LC_ROUTINES_64" : "LC_ROUTINES"}\n      cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, is64 ? 72 : 40)}`;
      o += ` init_address 0x${hex(lc.initAddress, is64 ? 16 : 8)}\n  init_module ${lc.initModule}\n`;
      lc.reserved.forEach((r, i) => { o += `    reserved${i + 1} ${r}\n`; });
      return o;
    }
    case "thread":
      return `        cmd ${lc.cmd === LC.LC_THREAD ? "LC_THREAD" : "LC_UNIXTHREAD"}\n    cmdsize ${lc.cmdsize}${sizeNote(lc.cmdsize, 16, false)}${threadState(lc, h.cputype)}`;
    default:
      break;
  }
  return `      cmd ?(0x${hex(lc.cmd, 8)})\n  cmdsize ${lc.cmdsize}\n`;
}

/** Every load command, as `otool -l` prints them after the header. */
export function printLoadCommands(image: MachOImage, verbose = false): string {
  let o = "";
  for (const lc of image.loadCommands) o += `Load command ${lc.index}\n${command(lc, image, verbose)}`;
  return o;
}
