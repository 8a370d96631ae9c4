import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Work a request starts and does not wait for before it answers (the replication pass after a
 * submission, a certificate's delivery, evidence told to the peers). A long-running node lets it
 * run on; a serverless host must wait for it before it returns, because the platform freezes the
 * instance (Lambda) or throttles its CPU (Cloud Run functions, Flex Consumption) once the
 * handler has answered, and the work would then stall until the instance's next request or the
 * reconciler's next run.
 */
const pending = new AsyncLocalStorage<Set<Promise<unknown>>>();

/** Records `work` with the request it started in, if a host asked for that (answerThenSettle); returns it. */
export function afterAnswer<T>(work: Promise<T>): Promise<T> {
  const set = pending.getStore();
  if (set) {
    set.add(work);
    const done = () => void set.delete(work);
    work.then(done, done);
  }
  return work;
}

/**
 * Runs `answer` and then waits, at most `capMs` from when the answer is ready, for the work it
 * started, including work that work starts. Past the cap the answer goes out anyway: what is left
 * is the reconciler's (a peer that is down can keep a pass retrying for longer).
 */
export async function answerThenSettle<T>(answer: () => Promise<T>, capMs: number): Promise<T> {
  const set = new Set<Promise<unknown>>();
  const result = await pending.run(set, answer);
  const deadline = Date.now() + capMs;
  while (set.size > 0) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...set]), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  }
  return result;
}
