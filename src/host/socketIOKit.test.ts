import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { IOKitLib } from "../libiokit/index.ts";
import { IOKitDaemon } from "./IOKitDaemon.ts";
import { SocketTransport } from "./SocketTransport.ts";
import { bootKernel, type BootedKernel } from "./bootKernel.ts";
import { iokitLibConformance, type ConformanceEnv } from "./iokitLib.case.ts";

let booted: BootedKernel;
let daemon: IOKitDaemon;
let env: ConformanceEnv;
beforeAll(async () => {
  booted = await bootKernel({ extensions: null, realTime: true });
  const socketPath = join(mkdtempSync(join(tmpdir(), "iokit-conf-")), "iokit.sock");
  daemon = await IOKitDaemon.start(booted.server, { socketPath });
  env = {
    kernel: booted.kernel,
    connect: async () => new IOKitLib(await SocketTransport.connect(socketPath, { procName: "conformance-socket" })),
    identity: { pid: process.pid, procName: "conformance-socket" },
    connectPrivileged: async (entitlements) => new IOKitLib(await SocketTransport.connect(`${socketPath}.priv`, { entitlements: entitlements ?? null })),
  };
});
afterAll(async () => {
  await daemon.close();
  booted.kernel.scheduler.stop();
});

iokitLibConformance("a Unix domain socket", () => env);
