import { describe, expect, it } from 'vitest'
import { emptyTokenForm, enrolCommand, expireTime, tokenFormErrors } from './agent_token'

describe('agent token form', () => {
  it('needs a name of at most 64 characters without control characters', () => {
    expect(tokenFormErrors(emptyTokenForm()).name).toBe('ui.agent_tokens.name_required')
    expect(tokenFormErrors({ ...emptyTokenForm(), name: '   ' }).name).toBe('ui.agent_tokens.name_required')
    expect(tokenFormErrors({ ...emptyTokenForm(), name: '名'.repeat(64) })).toEqual({})
    expect(tokenFormErrors({ ...emptyTokenForm(), name: '名'.repeat(65) }).name).toBe('ui.agent_tokens.name_too_long')
    expect(tokenFormErrors({ ...emptyTokenForm(), name: 'a\tb' }).name).toBe('ui.agent_tokens.name_control')
  })
  it('bounds the description', () => {
    expect(tokenFormErrors({ ...emptyTokenForm(), name: 'x', description: 'd'.repeat(513) }).description).toBe(
      'ui.agent_tokens.description_too_long',
    )
  })
  it('turns an expiry choice into expire_time', () => {
    expect(expireTime('never', 1000)).toBe(0)
    expect(expireTime('7', 1000)).toBe(1000 + 7 * 86400000)
  })
  it('writes the enrolment command line', () => {
    expect(enrolCommand('https://bkjob.example:8080')).toBe(
      'bkjob agent --server https://bkjob.example:8080 --token-file /etc/bkjob/enrol-token',
    )
  })
})
