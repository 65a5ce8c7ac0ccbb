import type { CreateCredentialRequest, UpdateCredentialRequest } from '../api/generated'

// The credential form: bk-job's four types and the values each needs
// (manage's typeValues). Values are write-only: an edit sends them only to
// replace them all.
export const credentialTypes = ['USERNAME_PASSWORD', 'PASSWORD', 'SECRET_KEY', 'APP_ID_SECRET_KEY'] as const
export type CredentialType = (typeof credentialTypes)[number]

export type ValueField = 'credential_access_key' | 'credential_secret_key' | 'credential_username' | 'credential_password'

export const typeFields: Record<CredentialType, ValueField[]> = {
  APP_ID_SECRET_KEY: ['credential_access_key', 'credential_secret_key'],
  PASSWORD: ['credential_password'],
  USERNAME_PASSWORD: ['credential_username', 'credential_password'],
  SECRET_KEY: ['credential_secret_key'],
}

export interface CredentialForm {
  name: string
  type: CredentialType
  description: string
  values: Record<ValueField, string>
}

export const emptyCredentialForm = (): CredentialForm => ({
  name: '',
  type: 'USERNAME_PASSWORD',
  description: '',
  values: { credential_access_key: '', credential_secret_key: '', credential_username: '', credential_password: '' },
})

// credentialErrors maps fields to catalogue keys of what is wrong. On an
// edit (editing true) empty values keep the stored ones, but once one is
// filled in, all the type needs are (the server replaces the whole set).
export function credentialErrors(f: CredentialForm, editing: boolean): Partial<Record<'name' | ValueField, string>> {
  const out: Partial<Record<'name' | ValueField, string>> = {}
  const name = f.name.trim()
  if (!name || [...name].length > 255) out.name = 'ui.credentials.name_required'
  const fields = typeFields[f.type]
  const replacing = !editing || fields.some((k) => f.values[k] !== '')
  if (replacing) {
    for (const k of fields) if (!f.values[k]) out[k] = 'ui.credentials.value_required'
  }
  return out
}

// createRequest and updateRequest send only the values the type uses.
export function createRequest(f: CredentialForm): Omit<CreateCredentialRequest, 'bk_scope_type' | 'bk_scope_id'> {
  const req: Omit<CreateCredentialRequest, 'bk_scope_type' | 'bk_scope_id'> = { name: f.name.trim(), type: f.type, description: f.description }
  for (const k of typeFields[f.type]) req[k] = f.values[k]
  return req
}

export function updateRequest(id: string, f: CredentialForm): Omit<UpdateCredentialRequest, 'bk_scope_type' | 'bk_scope_id'> {
  const req: Omit<UpdateCredentialRequest, 'bk_scope_type' | 'bk_scope_id'> = { id, name: f.name.trim(), description: f.description }
  const fields = typeFields[f.type]
  if (fields.some((k) => f.values[k] !== '')) {
    req.type = f.type
    for (const k of fields) req[k] = f.values[k]
  }
  return req
}
