/**
 * Deferring a supervisor's work until its process has suspended on the handler's promise.
 */

/**
 * Runs `work` in a microtask, after the handler has returned its promise and the process has
 * suspended.
 * NOTE: a message delivered to the supervisor while a handler still runs (a start function that
 * links a dead process or sends to its supervisor) queues the supervisor again, and the core's
 * scheduler then runs it while it is suspended. Deferring the work avoids that until the core
 * checks the suspended flag itself.
 */
export function afterSuspend<T>(work: () => T | Promise<T>): Promise<T> {
  return Promise.resolve().then(work);
}
