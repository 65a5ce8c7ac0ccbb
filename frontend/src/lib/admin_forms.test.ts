import { describe, expect, it } from 'vitest'
import type { Credential } from '../api/generated'
import { agentlessErrors, agentlessRequest, emptyAgentlessForm, probeReasonKey, sshCredentials } from './agentless_form'
import { createRequest, credentialErrors, emptyCredentialForm, updateRequest } from './credential_form'

describe('agentless host form', () => {
  const ok = { ...emptyAgentlessForm(), ip: ' 10.0.0.5 ', credentialId: 'c'.repeat(32) }
  it('accepts a full form and builds the request', () => {
    expect(agentlessErrors(ok)).toEqual({})
    expect(agentlessRequest(ok)).toEqual({ bk_cloud_id: 0, ip: '10.0.0.5', ssh_port: 22, credential_id: 'c'.repeat(32) })
    expect(agentlessRequest({ ...ok, user: ' deploy ' }).ssh_user).toBe('deploy')
  })
  it('names each field that needs fixing', () => {
    expect(Object.keys(agentlessErrors(emptyAgentlessForm())).sort()).toEqual(['credentialId', 'ip'])
    expect(agentlessErrors({ ...ok, ip: '10.0.0.256' }).ip).toBe('ui.hosts_page.ip_invalid')
    expect(agentlessErrors({ ...ok, ip: 'example.com' }).ip).toBeDefined()
    expect(agentlessErrors({ ...ok, port: '0' }).port).toBeDefined()
    expect(agentlessErrors({ ...ok, port: '65536' }).port).toBeDefined()
    expect(agentlessErrors({ ...ok, cloudId: '-1' }).cloudId).toBeDefined()
    expect(agentlessErrors({ ...ok, user: '-oProxyCommand=x' }).user).toBeDefined()
    expect(agentlessErrors({ ...ok, user: 'a b' }).user).toBeDefined()
  })
  it('offers only credentials that can log in over SSH', () => {
    const c = (type: string) => ({ id: type, name: type, type }) as Credential
    expect(sshCredentials([c('APP_ID_SECRET_KEY'), c('PASSWORD'), c('SECRET_KEY'), c('USERNAME_PASSWORD')]).map((x) => x.type)).toEqual([
      'PASSWORD',
      'SECRET_KEY',
      'USERNAME_PASSWORD',
    ])
  })
  it('words every reason the gse role gives', () => {
    expect(probeReasonKey('host_key')).toBe('ui.hosts_page.reason_host_key')
    expect(probeReasonKey('anything else')).toBe('ui.hosts_page.reason_network')
  })
})

describe('credential form', () => {
  it('needs the values of the type on create', () => {
    const f = { ...emptyCredentialForm(), name: 'deploy' }
    expect(credentialErrors(f, false)).toEqual({
      credential_username: 'ui.credentials.value_required',
      credential_password: 'ui.credentials.value_required',
    })
    f.values.credential_username = 'u'
    f.values.credential_password = 'p'
    f.values.credential_secret_key = 'left over from another type'
    expect(credentialErrors(f, false)).toEqual({})
    expect(createRequest(f)).toEqual({ name: 'deploy', type: 'USERNAME_PASSWORD', description: '', credential_username: 'u', credential_password: 'p' })
  })
  it('keeps stored values on an edit left empty, and replaces them all once one is typed', () => {
    const f = { ...emptyCredentialForm(), name: 'deploy' }
    expect(credentialErrors(f, true)).toEqual({})
    expect(updateRequest('id1', f)).toEqual({ id: 'id1', name: 'deploy', description: '' })
    f.values.credential_password = 'new'
    expect(credentialErrors(f, true)).toEqual({ credential_username: 'ui.credentials.value_required' })
    f.values.credential_username = 'u'
    expect(updateRequest('id1', f)).toMatchObject({ type: 'USERNAME_PASSWORD', credential_username: 'u', credential_password: 'new' })
  })
  it('needs a name', () => {
    expect(credentialErrors({ ...emptyCredentialForm(), name: '  ' }, true).name).toBe('ui.credentials.name_required')
    expect(credentialErrors({ ...emptyCredentialForm(), name: 'x'.repeat(256) }, true).name).toBeDefined()
  })
})
