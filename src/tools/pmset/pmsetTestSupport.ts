/**
 * Test fixtures for the pmset tests: a settled root domain on a fresh virtual-time kernel, and
 * pmset run in-process against it.
 */
import { IOKernel, IOPMrootDomain } from "../../kernel/index.ts";
import { captureIO } from "../ToolIO.ts";
import { runPMSet } from "./main.ts";

/** A fresh kernel's root domain, settled. */
export async function freshRootDomain(): Promise<IOPMrootDomain> {
  const k = new IOKernel();
  const r = IOPMrootDomain.forService(k.resources);
  await k.scheduler.runAll();
  return r;
}

/** Runs `pmset argv…` against `root`; returns the exit status and what it printed. */
export async function runOn(root: IOPMrootDomain, ...argv: string[]): Promise<{ rc: number; out: string; err: string }> {
  const io = captureIO();
  const rc = await runPMSet(argv, io, root);
  return { rc, out: io.out(), err: io.err() };
}
