import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { usePolling } from '../composables/usePolling'
import { poller } from './poller'

// slowLoad is a load whose runs finish when the test says so; it counts
// how many ran at once.
function slowLoad() {
  const pending: Array<() => void> = []
  const s = {
    runs: 0,
    active: 0,
    maxActive: 0,
    load: () =>
      new Promise<void>((done) => {
        s.runs++
        s.active++
        s.maxActive = Math.max(s.maxActive, s.active)
        pending.push(() => {
          s.active--
          done()
        })
      }),
    finish: async () => {
      pending.shift()?.()
      await flush()
    },
  }
  return s
}
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('poller', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('never starts a run while one is in flight; asks meanwhile make one run after it', async () => {
    const s = slowLoad()
    const p = poller(s.load, () => true, 1000)
    p.restart()
    p.restart()
    p.restart()
    expect(s.runs).toBe(1)
    await s.finish()
    expect(s.runs).toBe(2) // the asks made while in flight, once
    await vi.advanceTimersByTimeAsync(5000) // no timer while a run is in flight
    expect(s.runs).toBe(2)
    await s.finish()
    await vi.advanceTimersByTimeAsync(1000)
    expect(s.runs).toBe(3)
    expect(s.maxActive).toBe(1)
    p.stop()
  })

  it('stops polling when keepGoing says so', async () => {
    const s = slowLoad()
    let going = true
    const p = poller(s.load, () => going, 1000)
    p.restart()
    await s.finish()
    going = false
    await vi.advanceTimersByTimeAsync(1000)
    await s.finish()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(s.runs).toBe(2)
  })

  it('schedules nothing after stop, even when the run in flight finishes later', async () => {
    const s = slowLoad()
    const p = poller(s.load, () => true, 1000)
    p.restart()
    p.restart()
    p.stop()
    await s.finish()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(s.runs).toBe(1)
    p.restart()
    expect(s.runs).toBe(1)
  })

  it('goes on after a failed run', async () => {
    let runs = 0
    const p = poller(
      () => {
        runs++
        return Promise.reject(new Error('offline'))
      },
      () => runs < 3,
      1000,
    )
    p.restart()
    await vi.advanceTimersByTimeAsync(5000)
    expect(runs).toBe(3)
    p.stop()
  })

  it('usePolling starts on mount and stops on unmount', async () => {
    const s = slowLoad()
    const wrapper = mount(defineComponent({ setup: () => (usePolling(s.load, () => true, 1000), () => h('div')) }))
    expect(s.runs).toBe(1)
    await s.finish()
    await vi.advanceTimersByTimeAsync(1000)
    expect(s.runs).toBe(2)
    wrapper.unmount()
    await s.finish()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(s.runs).toBe(2)
  })
})
