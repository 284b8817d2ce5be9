import { afterAll, beforeAll } from "vitest";
import { userTask } from "../kernel/index.ts";
import { IOKitLib } from "../libiokit/index.ts";
import { EmbeddedTransport } from "./EmbeddedTransport.ts";
import { bootKernel, type BootedKernel } from "./bootKernel.ts";
import { iokitLibConformance, type ConformanceEnv } from "./iokitLib.case.ts";

let booted: BootedKernel;
let env: ConformanceEnv;
beforeAll(async () => {
  booted = await bootKernel({ extensions: null, realTime: true });
  env = {
    kernel: booted.kernel,
    connect: async () => new IOKitLib(new EmbeddedTransport(booted.server, userTask({ pid: 7, procName: "conformance-embedded" }))),
    identity: { pid: 7, procName: "conformance-embedded" },
    connectPrivileged: async (entitlements) => new IOKitLib(new EmbeddedTransport(booted.server, userTask({
      pid: 8, procName: "admin", uid: 0, privileged: true, ...(entitlements ? { entitlements } : {}),
    }))),
  };
});
afterAll(() => booted.kernel.scheduler.stop());

iokitLibConformance("the embedded transport", () => env);
