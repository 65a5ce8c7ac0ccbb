import type { Agent } from '../api/generated'
import { agentState } from './agent_state'

// AgentCounts summarises a business's agents as the home page shows them.
export interface AgentCounts {
  online: number
  offline: number
  neverSeen: number
  revoked: number
}

// countAgents sorts agents into online (alive), offline (seen before, not
// alive now), never seen, and revoked (which count in no other group).
export function countAgents(agents: readonly Agent[]): AgentCounts {
  const c: AgentCounts = { online: 0, offline: 0, neverSeen: 0, revoked: 0 }
  for (const a of agents) {
    const s = agentState(a)
    if (s === 'revoked') c.revoked++
    else if (s === 'online') c.online++
    else if (s === 'offline') c.offline++
    else c.neverSeen++
  }
  return c
}
