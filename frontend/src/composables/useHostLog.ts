import { onBeforeUnmount, ref, type Ref } from 'vue'
import { webApi, type HostResult } from '../api/generated'
import { openLogStream } from '../lib/log_stream'
import { sequence } from '../lib/sequence'

// HostLogTarget is the host whose log the task page shows.
export interface HostLogTarget {
  stepInstanceId: number
  executeCount: number
  host: HostResult
}

// Host statuses: waiting (nothing to read yet: the server does not know
// the host's log before its step starts) and running (the log grows).
const hostWaiting = 5
const hostRunning = 7

// useHostLog holds the shown host's log: followed live over the SSE stream
// while the host runs, read once (get_job_instance_ip_log) once it is done
// or when the stream is refused.
export function useHostLog(scope: Ref<{ bk_scope_type: string; bk_scope_id: string }>, jobInstanceId: Ref<number>) {
  const content = ref<string | null>(null)
  const live = ref(false)
  let streamKey = ''
  let stop: (() => void) | null = null
  const refused = new Set<string>()
  // Moving through hosts quickly asks for several logs: only the log of the
  // host shown last may land.
  const shown = sequence()

  function closeStream() {
    stop?.()
    stop = null
    streamKey = ''
    live.value = false
  }

  // show brings the log of target up to date; it is called on every refresh.
  async function show(target: HostLogTarget | null) {
    const current = shown.next()
    if (!target) {
      closeStream()
      content.value = null
      return
    }
    const key = `${target.stepInstanceId}/${target.executeCount}/${target.host.bk_host_id}`
    if (target.host.status === hostWaiting) {
      closeStream()
      content.value = ''
      return
    }
    if (target.host.status === hostRunning && !refused.has(key)) {
      if (streamKey === key) return
      closeStream()
      streamKey = key
      content.value = ''
      live.value = true
      stop = openLogStream(
        { stepInstanceId: target.stepInstanceId, executeCount: target.executeCount, hostId: target.host.bk_host_id },
        {
          onText: (text) => (content.value = (content.value ?? '') + text),
          onEnd: () => (live.value = false),
          onFail: () => {
            refused.add(key)
            closeStream()
          },
        },
      )
      return
    }
    if (streamKey === key && live.value) return // the stream drains the end
    closeStream()
    const got = await webApi.getHostLog({
      ...scope.value,
      job_instance_id: jobInstanceId.value,
      step_instance_id: target.stepInstanceId,
      host_id: target.host.bk_host_id,
      execute_count: target.executeCount,
    })
    if (current()) content.value = got.log_content ?? ''
  }

  onBeforeUnmount(closeStream)
  return { content, live, show }
}
