/**
 * `npm run bench -- match [cycles]`: matching benchmarks. The lifecycle part (publish/terminate
 * cycles with instance counts back to baseline) lives in _matchLifecycle.ts.
 */
import { matchLifecycleBench } from "./_matchLifecycle.ts";

export default async function (args: string[]): Promise<void> {
  await matchLifecycleBench(args);
}
