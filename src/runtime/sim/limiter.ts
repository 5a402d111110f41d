/**
 * @module
 * Bounded concurrency for the fleet's API calls: thousands of nodes renewing leases must not
 * open thousands of requests at once, which would starve the API server and every other client.
 */

/** A gate letting at most `maxInFlight` calls run at once, the rest in arrival order. */
export function limiter(maxInFlight: number) {
  let active = 0
  // A FIFO with a moving head: Array.shift would copy thousands of queued calls each time.
  let waiting: (() => void)[] = []
  let head = 0
  const idleWaiters: (() => void)[] = []
  const next = () => {
    active--
    const go = waiting[head]
    if (go) {
      waiting[head++] = undefined as never
      if (head > 1024 && head * 2 > waiting.length) {
        waiting = waiting.slice(head)
        head = 0
      }
      go()
    } else if (active === 0) {
      waiting = []
      head = 0
      for (const w of idleWaiters.splice(0)) w()
    }
  }
  return {
    /** Runs `fn` once fewer than `maxInFlight` calls are running; settles as `fn` does. */
    run<T>(fn: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const go = () => {
          active++
          // A synchronous throw must still free the slot.
          Promise.resolve().then(fn).then(resolve, reject).finally(next)
        }
        if (active < maxInFlight) go()
        else waiting.push(go)
      })
    },
    /** Resolves once nothing is running or waiting. */
    idle(): Promise<void> {
      return active === 0 && waiting.length === head ? Promise.resolve() : new Promise((r) => idleWaiters.push(r))
    },
    inFlight: () => active,
    queued: () => waiting.length - head,
  }
}
export type Limiter = ReturnType<typeof limiter>
