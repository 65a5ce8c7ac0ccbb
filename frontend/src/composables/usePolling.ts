import { onBeforeUnmount, onMounted } from 'vue'

// usePolling runs load now and then every intervalMs while keepGoing() says
// so (a task that has not finished), from the component's mount until it
// unmounts. A run
// never overlaps the previous one.
export function usePolling(load: () => Promise<void>, keepGoing: () => boolean, intervalMs = 2000) {
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  async function tick() {
    timer = undefined
    await load()
    if (!stopped && keepGoing()) timer = setTimeout(tick, intervalMs)
  }
  function restart() {
    if (timer) clearTimeout(timer)
    void tick()
  }
  onMounted(() => void tick())
  onBeforeUnmount(() => {
    stopped = true
    if (timer) clearTimeout(timer)
  })
  return { restart }
}
