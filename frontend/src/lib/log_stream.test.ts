import { describe, expect, it } from 'vitest'
import { closedState, logStreamURL, openLogStream, type EventSourceLike } from './log_stream'

class FakeSource implements EventSourceLike {
  readyState = 1
  onerror: ((e: Event) => void) | null = null
  listeners = new Map<string, (e: MessageEvent<string>) => void>()
  constructor(readonly url: string) {}
  addEventListener(type: string, l: (e: MessageEvent<string>) => void) {
    this.listeners.set(type, l)
  }
  emit(type: string, data: unknown) {
    this.listeners.get(type)?.(new MessageEvent(type, { data: JSON.stringify(data) }))
  }
  close() {
    this.readyState = closedState
  }
}

describe('live log stream', () => {
  it('asks for the host of a step run', () => {
    expect(logStreamURL({ stepInstanceId: 3, executeCount: 1, hostId: 9 })).toBe(
      '/api/web/logs/stream?step_instance_id=3&execute_count=1&host_id=9',
    )
  })

  it('appends text once, even when a reconnect sends it again, and stops at the end', () => {
    let source: FakeSource | undefined
    let text = ''
    const events: string[] = []
    const stop = openLogStream(
      { stepInstanceId: 1, executeCount: 0, hostId: 2 },
      { onText: (t) => (text += t), onEnd: () => events.push('end'), onFail: () => events.push('fail') },
      (url) => (source = new FakeSource(url)),
    )
    source!.emit('log', { offset: 0, next: 6, data: 'hello\n' })
    source!.emit('log', { offset: 0, next: 6, data: 'hello\n' })
    source!.emit('log', { offset: 3, next: 10, data: 'lo\nbye\n' })
    expect(text).toBe('hello\nbye\n')
    source!.emit('end', { offset: 10 })
    expect(events).toEqual(['end'])
    expect(source!.readyState).toBe(closedState)
    stop()
  })

  it('reports a refused stream, not a reconnect', () => {
    let source: FakeSource | undefined
    const events: string[] = []
    openLogStream({ stepInstanceId: 1, executeCount: 0, hostId: 2 }, { onText: () => {}, onEnd: () => {}, onFail: () => events.push('fail') }, (url) => (source = new FakeSource(url)))
    source!.onerror?.(new Event('error'))
    expect(events).toEqual([])
    source!.readyState = closedState
    source!.onerror?.(new Event('error'))
    expect(events).toEqual(['fail'])
  })
})
