// Agent enrolment tokens on the hosts page: what the create form checks as
// you type (the server checks the same and names the field), the expiry and
// grace choices, and the command line an operator runs with a new token.

// Limits, as modules/manage/agent_token.go has them.
export const maxTokenName = 64
export const maxTokenDescription = 512

export interface AgentTokenForm {
  name: string
  description: string
  expiry: ExpiryChoice
}

// ExpiryChoice is how long a new token admits agents: never, or a number of days.
export type ExpiryChoice = 'never' | '1' | '7' | '30' | '90'
export const expiryChoices: readonly ExpiryChoice[] = ['never', '1', '7', '30', '90']

// graceChoices are the rotation grace periods offered, in seconds (0: the
// old secret stops at once); the server accepts 0..3600.
export const graceChoices: readonly number[] = [0, 600, 3600]

export function emptyTokenForm(): AgentTokenForm {
  return { name: '', description: '', expiry: 'never' }
}

// tokenFormErrors maps each field with a problem to its message key.
export function tokenFormErrors(f: AgentTokenForm): Partial<Record<'name' | 'description', string>> {
  const out: Partial<Record<'name' | 'description', string>> = {}
  const name = f.name.trim()
  const control = /[\u0000-\u001f\u007f-\u009f]/
  if (name === '') out.name = 'ui.agent_tokens.name_required'
  else if ([...name].length > maxTokenName) out.name = 'ui.agent_tokens.name_too_long'
  else if (control.test(name)) out.name = 'ui.agent_tokens.name_control'
  if ([...f.description.trim()].length > maxTokenDescription) out.description = 'ui.agent_tokens.description_too_long'
  return out
}

// expireTime is the expire_time (Unix ms, 0 = never) of a choice made at now.
export function expireTime(choice: ExpiryChoice, now: number): number {
  return choice === 'never' ? 0 : now + Number(choice) * 24 * 3600 * 1000
}

// enrolCommand is the command line that enrols a host with a token saved in
// tokenFile, against the server at origin (the page's own address: in a
// split deployment agents dial the gse role's address instead).
export function enrolCommand(origin: string, tokenFile = '/etc/bkjob/enrol-token'): string {
  return `bkjob agent --server ${origin} --token-file ${tokenFile}`
}

// tokenTone is the tag colour of a token status (the word is beside it).
export function tokenTone(status: string): 'success' | 'default' {
  return status === 'ACTIVE' ? 'success' : 'default'
}
