// A host's live log over the web API's Server-Sent Events stream
// (GET /api/web/logs/stream, modules/logsvr): "log" events carry the text
// from an offset, "end" says the host finished and its log is drained. The
// browser reconnects by itself after a network error, resuming from the
// last event id (the next offset); a refused stream ends it.

export interface LogStreamTarget {
  stepInstanceId: number
  executeCount: number
  hostId: number
}

export interface LogStreamHandlers {
  onText: (text: string) => void
  onEnd: () => void
  onFail: () => void
}

// EventSourceLike is the part of EventSource the stream uses (tests fake it).
export interface EventSourceLike {
  readonly readyState: number
  addEventListener(type: string, listener: (e: MessageEvent<string>) => void): void
  onerror: ((e: Event) => void) | null
  close(): void
}

export const closedState = 2 // EventSource.CLOSED

export function logStreamURL(t: LogStreamTarget): string {
  const q = new URLSearchParams({
    step_instance_id: String(t.stepInstanceId),
    execute_count: String(t.executeCount),
    host_id: String(t.hostId),
  })
  return `/api/web/logs/stream?${q.toString()}`
}

// openLogStream starts following a host's log and returns its stop function.
export function openLogStream(
  target: LogStreamTarget,
  h: LogStreamHandlers,
  open: (url: string) => EventSourceLike = (url) => new EventSource(url),
): () => void {
  const source = open(logStreamURL(target))
  let received = 0 // the offset the text shown so far reaches
  source.addEventListener('log', (e) => {
    const chunk = JSON.parse(e.data) as { offset: number; next: number; data: string }
    if (chunk.next <= received) return // sent again after a reconnect
    h.onText(chunk.offset < received ? chunk.data.slice(received - chunk.offset) : chunk.data)
    received = chunk.next
  })
  source.addEventListener('end', () => {
    source.close()
    h.onEnd()
  })
  source.onerror = () => {
    if (source.readyState === closedState) h.onFail()
  }
  return () => source.close()
}
