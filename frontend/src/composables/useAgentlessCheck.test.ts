import { describe, expect, it } from 'vitest'
import { nextTick, reactive } from 'vue'
import type { AgentlessHostCheck } from '../api/generated'
import { emptyAgentlessForm } from '../lib/agentless_form'
import { useAgentlessCheck } from './useAgentlessCheck'

// A check_agentless_host whose answers wait for the test.
function slowCheck() {
  const calls: Array<{ ip: string; answer: (c: AgentlessHostCheck) => void; fail: (e: Error) => void }> = []
  const check = (req: { ip: string }) => new Promise<AgentlessHostCheck>((answer, fail) => calls.push({ ip: req.ip, answer, fail }))
  return { calls, check }
}
const ok = (addr: string) => ({ ok: true, ssh_addr: addr, ssh_user: 'root' }) as AgentlessHostCheck
const flush = async () => {
  await nextTick()
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('useAgentlessCheck', () => {
  it('shows the result of the address tested', async () => {
    const form = reactive({ ...emptyAgentlessForm(), ip: '10.0.0.5', credentialId: 'c1' })
    const s = slowCheck()
    const c = useAgentlessCheck(form, s.check, () => {})
    const done = c.run()
    expect(c.testing.value).toBe(true)
    s.calls[0]!.answer(ok('10.0.0.5:22'))
    await done
    expect(c.result.value?.ssh_addr).toBe('10.0.0.5:22')
    expect(c.testing.value).toBe(false)
    form.port = '2222'
    await flush()
    expect(c.result.value).toBeNull() // a changed field makes it stale
  })

  it('drops a result that arrives after another address was typed', async () => {
    const form = reactive({ ...emptyAgentlessForm(), ip: '10.0.0.5', credentialId: 'c1' })
    const s = slowCheck()
    const errors: unknown[] = []
    const c = useAgentlessCheck(form, s.check, (e) => errors.push(e))
    const done = c.run()
    form.ip = '10.0.0.6'
    await flush()
    expect(c.testing.value).toBe(false)
    s.calls[0]!.answer(ok('10.0.0.5:22'))
    await done
    expect(c.result.value).toBeNull()

    // Its failure is dropped too; the new address's test is shown.
    const again = c.run()
    const late = s.calls[1]!
    expect(late.ip).toBe('10.0.0.6')
    form.ip = '10.0.0.7'
    await flush()
    late.fail(new Error('refused'))
    await again
    expect(errors).toEqual([])
    const third = c.run()
    s.calls[2]!.answer(ok('10.0.0.7:22'))
    await third
    expect(c.result.value?.ssh_addr).toBe('10.0.0.7:22')
  })

  it('keeps only the latest of two tests of the same form', async () => {
    const form = reactive({ ...emptyAgentlessForm(), ip: '10.0.0.5', credentialId: 'c1' })
    const s = slowCheck()
    const c = useAgentlessCheck(form, s.check, () => {})
    const first = c.run()
    const second = c.run()
    s.calls[1]!.answer(ok('second'))
    await second
    s.calls[0]!.answer(ok('first'))
    await first
    expect(c.result.value?.ssh_addr).toBe('second')
  })
})
