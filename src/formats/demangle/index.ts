/** The Itanium C++ ABI demangler: parse tree, LLVM-style printing, and symbol helpers for kexts. */
export * from "./Node.ts";
export * from "./nameNodes.ts";
export * from "./typeNodes.ts";
export * from "./exprNodes.ts";
export * from "./demangle.ts";
export * from "./symbolInfo.ts";
