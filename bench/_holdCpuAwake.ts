/**
 * Keeps the CPUs out of their idle states while a latency benchmark runs, as cyclictest does: on
 * Linux, holding `/dev/cpu_dma_latency` open with a 0 µs request (PM QoS) makes the idle loop poll
 * instead of halting. On a virtual machine a halted vCPU costs a VM exit and a host wake-up on
 * every socket message (measured here: a raw echo round trip of 73 µs with the 2 vCPUs idle,
 * 17 µs with them held awake), so without this a round-trip figure measures the hypervisor, not
 * the code. Both sides of a comparison (the call and the raw echo) run under the same setting.
 */
import { closeSync, openSync, writeSync } from "node:fs";

/** Requests 0 µs wake-up latency until the returned function is called; says what it did. */
export function holdCpuAwake(log: (line: string) => void = console.log): () => void {
  let fd: number;
  try {
    fd = openSync("/dev/cpu_dma_latency", "w");
    writeSync(fd, new Uint8Array(new Int32Array([0]).buffer));
  } catch (e) {
    log(`cpu idle states: not held (/dev/cpu_dma_latency: ${(e as NodeJS.ErrnoException).code ?? e}); idle wake-up latency is included`);
    return () => {};
  }
  log("cpu idle states: held at 0 µs wake-up latency (/dev/cpu_dma_latency) for the run");
  return () => closeSync(fd);
}
