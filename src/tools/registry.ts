/**
 * The subcommands of `iokit`, each loaded only when run so that start-up stays fast.
 * A tool module exports `main(argv, io): Promise<number>` and a one-line `summary`.
 */
import type { ToolIO } from "./ToolIO.ts";

export interface ToolModule {
  main(argv: string[], io: ToolIO): Promise<number>;
  readonly summary: string;
}

export const TOOLS: Readonly<Record<string, () => Promise<ToolModule>>> = {
  "c++filt": () => import("./c++filt/main.ts"),
  codesign: () => import("./codesign/main.ts"),
  cycle: () => import("./cycle/main.ts"),
  ioclasscount: () => import("./ioclasscount/main.ts"),
  ioreg: () => import("./ioreg/main.ts"),
  ioreturn: () => import("./ioreturn/main.ts"),
  pmset: () => import("./pmset/main.ts"),
  nm: () => import("./nm/main.ts"),
  otool: () => import("./otool/main.ts"),
  lipo: () => import("./lipo/main.ts"),
  kextcache: () => import("./kextcache/main.ts"),
  kextfind: () => import("./kextfind/main.ts"),
  kextlibs: () => import("./kextlibs/main.ts"),
  kextutil: () => import("./kextutil/main.ts"),
  kextbuild: () => import("./kextbuild/main.ts"),
  boot: () => import("./boot/main.ts"),
  device: () => import("./device/main.ts"),
  log: () => import("./log/main.ts"),
  kextstat: () => import("./kextstat/main.ts"),
  kextload: () => import("./kextload/main.ts"),
  kextunload: () => import("./kextunload/main.ts"),
  fuzz: () => import("./fuzz/main.ts"),
  match: () => import("./match/main.ts"),
  plutil: () => import("./plutil/main.ts"),
};
