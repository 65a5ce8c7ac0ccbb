import type { Agent } from '../api/generated'

// AgentState is one agent's state as the hosts page words it.
export type AgentState = 'online' | 'offline' | 'never_seen' | 'revoked'

export function agentState(a: Agent): AgentState {
  if (a.revoked) return 'revoked'
  if (a.alive) return 'online'
  return a.last_seen > 0 ? 'offline' : 'never_seen'
}

// agentStateTone is the tag colour of a state (never alone: the word is beside it).
export function agentStateTone(s: AgentState): 'success' | 'error' | 'default' | 'warning' {
  return s === 'online' ? 'success' : s === 'offline' ? 'error' : s === 'revoked' ? 'warning' : 'default'
}
