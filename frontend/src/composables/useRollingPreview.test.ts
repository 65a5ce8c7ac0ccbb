import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, reactive, ref } from 'vue'
import { ApiError } from '../api/client'
import { webApi, type RollingPlan, type RollingPreviewRequest } from '../api/generated'
import { debounceMS, useRollingPreview } from './useRollingPreview'

const scope = ref({ bk_scope_type: 'biz', bk_scope_id: '1' })

function planFor(req: RollingPreviewRequest): RollingPlan {
  return { expression: req.expression, total_hosts: req.total_hosts ?? 0, batches: [{ batch: 1, host_count: req.total_hosts ?? 0 }] }
}

describe('useRollingPreview', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('asks once typing pauses, and a late answer never replaces a newer one', async () => {
    const pending: Array<(p: RollingPlan) => void> = []
    const spy = vi.spyOn(webApi, 'rollingPreview').mockImplementation(
      (req) => new Promise((resolve) => pending.push(() => resolve(planFor(req)))),
    )
    const form = reactive({ rolling: { enabled: true, expression: '1', mode: 1 }, targets: '10.0.0.1' })
    const s = effectScope()
    const p = s.run(() => useRollingPreview(() => form.rolling, () => form.targets, scope))!
    await vi.advanceTimersByTimeAsync(debounceMS)
    expect(spy).toHaveBeenCalledTimes(1)

    // Typing on: each change restarts the wait; one request for the end.
    form.targets = '10.0.0.1 10.0.0.2'
    await nextTick()
    await vi.advanceTimersByTimeAsync(debounceMS / 2)
    form.rolling.expression = '50%'
    await nextTick()
    await vi.advanceTimersByTimeAsync(debounceMS)
    expect(spy).toHaveBeenCalledTimes(2)
    expect(spy.mock.calls[1]![0]).toEqual({ ...scope.value, expression: '50%', total_hosts: 2 })

    pending[1]!(planFor({ expression: '50%', total_hosts: 2 }))
    await vi.advanceTimersByTimeAsync(0)
    pending[0]!(planFor({ expression: '1', total_hosts: 1 })) // the first answer arrives last
    await vi.advanceTimersByTimeAsync(0)
    expect(p.plan.value?.expression).toBe('50%')
    s.stop()
  })

  it('gives the server error for the field and clears it when fixed', async () => {
    vi.spyOn(webApi, 'rollingPreview').mockImplementation(async (req) => {
      if (req.expression === 'x%') throw new ApiError(400, 1240001, 'expression: bad part "x%"', 'expression')
      return planFor(req)
    })
    const form = reactive({ rolling: { enabled: true, expression: 'x%', mode: 1 }, targets: '7' })
    const s = effectScope()
    const p = s.run(() => useRollingPreview(() => form.rolling, () => form.targets, scope))!
    await vi.advanceTimersByTimeAsync(debounceMS)
    expect(p.error.value).toBe('expression: bad part "x%"')
    expect(p.plan.value).toBeNull()
    form.rolling.expression = '1'
    await nextTick()
    await vi.advanceTimersByTimeAsync(debounceMS)
    expect(p.error.value).toBe('')
    expect(p.plan.value?.total_hosts).toBe(1)
    // Off: nothing is asked and nothing shown.
    form.rolling.enabled = false
    await nextTick()
    await vi.advanceTimersByTimeAsync(debounceMS)
    expect(p.plan.value).toBeNull()
    s.stop()
  })
})
