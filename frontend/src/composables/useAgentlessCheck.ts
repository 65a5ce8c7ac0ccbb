import { ref, watch } from 'vue'
import type { AgentlessHostCheck, CheckAgentlessHostRequest } from '../api/generated'
import { agentlessRequest, type AgentlessForm } from '../lib/agentless_form'
import { sequence } from '../lib/sequence'

type CheckRequest = Omit<CheckAgentlessHostRequest, 'bk_scope_type' | 'bk_scope_id'>

// useAgentlessCheck is the agentless host form's "test connection": the
// result shown is always the result for the form as it stands. Editing a
// field clears it, and a test still on its way when a field changes (the
// operator typed another address) is dropped when it answers, so the old
// address's success is never shown for the new one.
export function useAgentlessCheck(form: AgentlessForm, check: (req: CheckRequest) => Promise<AgentlessHostCheck>, report: (e: unknown) => void) {
  const result = ref<AgentlessHostCheck | null>(null)
  const testing = ref(false)
  const asked = sequence()

  function clear() {
    asked.invalidate()
    result.value = null
    testing.value = false
  }
  watch(form, clear, { deep: true })

  async function run(): Promise<void> {
    const current = asked.next()
    result.value = null
    testing.value = true
    try {
      const got = await check(agentlessRequest(form))
      if (current()) result.value = got
    } catch (e) {
      if (current()) report(e)
    } finally {
      if (current()) testing.value = false
    }
  }

  return { result, testing, run, clear }
}
