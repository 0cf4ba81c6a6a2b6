/**
 * A page's work as steps: a generator that yields between chunks of work (a slice of HTML, a few
 * hundred lines or stories) and returns the result. One pipeline, two ways to run it:
 * `runSteps` runs it to the end at once (the CLI, tests); `runStepsSliced` gives the event loop a
 * turn whenever a stretch of steps has run for `sliceMs`, so that one big or hostile page cannot
 * hold HTTP requests, timers and the systemd watchdog for seconds.
 *
 * Why slicing and not a worker thread: a worker needs a module file of its own to start, which the
 * one-file rolldown bundle of the CLI and vitest's TypeScript sources would each resolve
 * differently; the page's strings and stories would be copied across; and the stages would still
 * have to be cut into steps to bound the work a page may take. Generators keep one synchronous
 * pipeline that both drivers share.
 */

import { WirefeedError } from './errors.js';

/** Work that yields between steps and returns a `T`. */
export type Steps<T> = Generator<void, T, void>;

/** Run all steps now. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const stoppedError = (): WirefeedError => new WirefeedError('schedule', 'E_STOPPED', 'wirefeed is stopping: the page was left unread');

/**
 * Run the steps, giving the event loop a turn after each stretch of at least `sliceMs` (0: after
 * every step). When `stopped()` holds after a turn, the rest is not run: E_STOPPED.
 */
export async function runStepsSliced<T>(steps: Steps<T>, sliceMs: number, stopped: () => boolean = () => false): Promise<T> {
  // A turn first: what ran before (a 5 MB body decoded and hashed, ~15 ms) must not open the first slice.
  await turn();
  if (stopped()) throw stoppedError();
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since >= sliceMs) {
      await turn();
      if (stopped()) throw stoppedError();
      since = performance.now();
    }
  }
}
