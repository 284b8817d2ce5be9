/**
 * The kernel's one deterministic scheduler with virtual time (see Scheduler.ts for the mechanism).
 */
export { Scheduler, NS_PER_MS, NS_PER_US, type SchedulerOptions, type TaskHandle } from "./Scheduler.ts";
