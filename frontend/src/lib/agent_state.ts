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

// HostAgentStatus is a host's agent state as list_biz_hosts words it: an
// agentless host is reached over SSH; unknown when only BlueKing GSE knows.
export type HostAgentStatus = 'online' | 'offline' | 'never_seen' | 'agentless' | 'unknown'

export const hostAgentStatuses: readonly HostAgentStatus[] = ['online', 'offline', 'never_seen', 'agentless', 'unknown']

// hostAgentTone is the colour of a host's agent state (beside its word).
export function hostAgentTone(s: string): 'success' | 'error' | 'default' | 'info' {
  return s === 'online' ? 'success' : s === 'offline' ? 'error' : s === 'agentless' ? 'info' : 'default'
}
