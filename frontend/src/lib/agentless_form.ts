import type { CheckAgentlessHostRequest, Credential } from '../api/generated'

// The agentless host form: what the operator typed, checked as the server
// checks it (manageimpl/agentless_host.go) so the form says what to fix
// before sending.
export interface AgentlessForm {
  ip: string
  cloudId: string
  port: string
  user: string
  credentialId: string
}

export type AgentlessField = keyof AgentlessForm

export const emptyAgentlessForm = (): AgentlessForm => ({ ip: '', cloudId: '0', port: '22', user: '', credentialId: '' })

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

// agentlessErrors maps each field to the catalogue key of what is wrong
// with it; an empty object means the form can be sent.
export function agentlessErrors(f: AgentlessForm): Partial<Record<AgentlessField, string>> {
  const out: Partial<Record<AgentlessField, string>> = {}
  if (!ipv4.test(f.ip.trim())) out.ip = 'ui.hosts_page.ip_invalid'
  if (!/^\d{1,9}$/.test(f.cloudId.trim())) out.cloudId = 'ui.hosts_page.cloud_invalid'
  const port = Number(f.port.trim())
  if (!/^\d+$/.test(f.port.trim()) || port < 1 || port > 65535) out.port = 'ui.hosts_page.port_invalid'
  const user = f.user.trim()
  if (user.startsWith('-') || /\s/.test(user) || user.length > 128) out.user = 'ui.hosts_page.user_invalid'
  if (!f.credentialId) out.credentialId = 'ui.hosts_page.credential_needed'
  return out
}

// agentlessRequest is the form as create_agentless_host and
// check_agentless_host take it (without the scope).
export function agentlessRequest(f: AgentlessForm): Omit<CheckAgentlessHostRequest, 'bk_scope_type' | 'bk_scope_id'> {
  const req: Omit<CheckAgentlessHostRequest, 'bk_scope_type' | 'bk_scope_id'> = {
    bk_cloud_id: Number(f.cloudId.trim()),
    ip: f.ip.trim(),
    ssh_port: Number(f.port.trim()),
    credential_id: f.credentialId,
  }
  if (f.user.trim()) req.ssh_user = f.user.trim()
  return req
}

// The credential types that can log in over SSH (manage's sshLogin).
export const sshCredentialTypes = ['PASSWORD', 'USERNAME_PASSWORD', 'SECRET_KEY']

export function sshCredentials(all: Credential[]): Credential[] {
  return all.filter((c) => sshCredentialTypes.includes(c.type))
}

// probeReasonKey is the catalogue key of a failed login test's reason.
export function probeReasonKey(reason: string | undefined): string {
  return ['network', 'auth', 'host_key', 'credential'].includes(reason ?? '') ? `ui.hosts_page.reason_${reason}` : 'ui.hosts_page.reason_network'
}
