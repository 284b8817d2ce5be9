/**
 * Work loops and event sources: the serialising contexts drivers run in, all driven by the kernel
 * scheduler.
 */
export { IOWorkLoop, THREAD_AWAKENED, THREAD_INTERRUPTED, THREAD_TIMED_OUT } from "./IOWorkLoop.ts";
export { IOEventSource, type WorkLoopHost } from "./IOEventSource.ts";
export {
  IOInterruptEventSource, findMessagedInterruptIndex, kIOInterruptTypeEdge, kIOInterruptTypeLevel,
  kIOInterruptTypePCIMessaged, kIOInterruptTypePCIMessagedX, type InterruptAction, type InterruptProvider,
} from "./IOInterruptEventSource.ts";
export { IOFilterInterruptEventSource, type InterruptFilter } from "./IOFilterInterruptEventSource.ts";
export { IOTimerEventSource, kIOTimeOptionsContinuous, kIOTimeOptionsWithLeeway, type TimerAction } from "./IOTimerEventSource.ts";
export { IOCommandGate, type GateAction } from "./IOCommandGate.ts";
