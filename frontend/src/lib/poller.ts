// A poller runs load now and then every intervalMs while keepGoing() says
// so. A run never overlaps the previous one: a run asked for while one is
// in flight (restart after a user action) waits for it, then runs once
// (several such asks make one run). After stop nothing runs or is
// scheduled again, even when a run in flight finishes later.
//
// load reports its own errors (the task page shows them); a rejection is
// dropped here so that the polling goes on.
export interface Poller {
  restart(): void // run now (or right after the run in flight), then poll again
  stop(): void
  readonly running: boolean
}

export function poller(load: () => Promise<void>, keepGoing: () => boolean, intervalMs = 2000): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight = false
  let again = false
  let stopped = false

  function clear() {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }

  async function tick(): Promise<void> {
    clear()
    if (stopped) return
    if (inFlight) {
      again = true
      return
    }
    inFlight = true
    try {
      await load()
    } catch {
      // load reported it
    } finally {
      inFlight = false
    }
    if (stopped) return
    if (again) {
      again = false
      return tick()
    }
    if (keepGoing()) timer = setTimeout(() => void tick(), intervalMs)
  }

  return {
    restart: () => void tick(),
    stop() {
      stopped = true
      again = false
      clear()
    },
    get running() {
      return inFlight
    },
  }
}
