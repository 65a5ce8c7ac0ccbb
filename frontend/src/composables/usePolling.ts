import { onBeforeUnmount, onMounted } from 'vue'
import { poller } from '../lib/poller'

// usePolling runs load from the component's mount, then every intervalMs
// while keepGoing() says so (a task that has not finished), until it
// unmounts. Runs never overlap (lib/poller.ts); restart runs again now, or
// right after the run in flight.
export function usePolling(load: () => Promise<void>, keepGoing: () => boolean, intervalMs = 2000) {
  const p = poller(load, keepGoing, intervalMs)
  onMounted(() => p.restart())
  onBeforeUnmount(() => p.stop())
  return { restart: () => p.restart() }
}
