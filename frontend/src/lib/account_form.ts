import type { AccountDetail, CreateAccountRequest, UpdateAccountRequest } from '../api/generated'

// The account form: bk-job's categories and types, the fields each type
// has, and the same rules the server applies (manageimpl/account_rules.go),
// so what is wrong shows as it is typed. Passwords are write-only: an edit
// starts with them empty and sends one only to replace it.

export const categorySystem = 1
export const categoryDB = 2

export const accountTypes = [
  { type: 1, category: categorySystem, name: 'Linux' },
  { type: 2, category: categorySystem, name: 'Windows' },
  { type: 9, category: categoryDB, name: 'MySQL' },
  { type: 10, category: categoryDB, name: 'Oracle' },
  { type: 11, category: categoryDB, name: 'DB2' },
] as const

export const typeName = (type: number): string => accountTypes.find((a) => a.type === type)?.name ?? String(type)
export const typesOf = (category: number) => accountTypes.filter((a) => a.category === category)
export const isDBType = (type: number) => typesOf(categoryDB).some((a) => a.type === type)

// Default database ports, filled in when a database type is chosen.
export const defaultPorts: Record<number, number> = { 9: 3306, 10: 1521, 11: 50000 }

export interface AccountForm {
  category: number
  type: number
  account: string
  alias: string
  description: string
  password: string
  dbPassword: string
  dbPort: number | null
  dbSystemAccountId: number | null
}

export const emptyAccountForm = (): AccountForm => ({
  category: categorySystem,
  type: 1,
  account: '',
  alias: '',
  description: '',
  password: '',
  dbPassword: '',
  dbPort: null,
  dbSystemAccountId: null,
})

export const formFromAccount = (a: AccountDetail): AccountForm => ({
  ...emptyAccountForm(),
  category: a.category,
  type: a.type,
  account: a.account,
  alias: a.alias,
  description: a.description,
  dbPort: a.db_port ?? null,
  dbSystemAccountId: a.db_system_account_id ?? null,
})

export type AccountField = 'account' | 'alias' | 'description' | 'password' | 'db_password' | 'db_port' | 'db_system_account_id'

const linuxName = /^[a-z_][a-z0-9_-]{0,30}[a-z0-9_$-]?$/
const windowsForbidden = /["/\\[\]:;|=,+*?<>@]/
const dbName = /^[A-Za-z0-9_.$#-]{1,32}$/
// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u001f\u007f]/
const len = (s: string) => [...s].length

// accountErrors maps fields to catalogue keys of what is wrong; keys ending
// in "_required" are only missing (shown once the user tries to save).
export function accountErrors(f: AccountForm, editing: boolean): Partial<Record<AccountField, string>> {
  const out: Partial<Record<AccountField, string>> = {}
  const name = f.account.trim()
  if (!editing) {
    if (!name) out.account = 'ui.accounts.err.account_required'
    else if (f.type === 1 && !linuxName.test(name)) out.account = 'ui.accounts.err.linux_name'
    else if (f.type === 2 && (len(name) > 20 || windowsForbidden.test(name) || control.test(name) || name.replace(/[. ]/g, '') === ''))
      out.account = 'ui.accounts.err.windows_name'
    else if (isDBType(f.type) && !dbName.test(name)) out.account = 'ui.accounts.err.db_name'
  }
  const alias = f.alias.trim()
  if (editing && !alias) out.alias = 'ui.accounts.err.alias_required'
  else if (len(alias) > 64 || control.test(alias)) out.alias = 'ui.accounts.err.alias'
  if (len(f.description) > 1024) out.description = 'ui.accounts.err.description'
  const checkPassword = (field: 'password' | 'db_password', pw: string) => {
    if (!pw && !editing) out[field] = 'ui.accounts.err.password_required'
    else if (new TextEncoder().encode(pw).length > 256 || /[\0\r\n]/.test(pw)) out[field] = 'ui.accounts.err.password'
  }
  if (f.type === 2) checkPassword('password', f.password)
  if (isDBType(f.type)) {
    checkPassword('db_password', f.dbPassword)
    if (f.dbPort === null) out.db_port = 'ui.accounts.err.port_required'
    else if (!Number.isInteger(f.dbPort) || f.dbPort < 1 || f.dbPort > 65535) out.db_port = 'ui.accounts.err.port'
    if (!f.dbSystemAccountId) out.db_system_account_id = 'ui.accounts.err.system_account_required'
  }
  return out
}

export const isMissingKey = (key: string) => key.endsWith('_required')

type Body<T> = Omit<T, 'bk_scope_type' | 'bk_scope_id' | 'bk_biz_id'>

// createRequest sends the fields the type has, and only those.
export function createRequest(f: AccountForm): Body<CreateAccountRequest> {
  const req: Body<CreateAccountRequest> = {
    account: f.account.trim(),
    type: f.type,
    category: f.category,
    alias: f.alias.trim() || undefined,
    description: f.description,
  }
  if (f.type === 2) req.password = f.password
  if (isDBType(f.type)) {
    req.db_password = f.dbPassword
    req.db_port = f.dbPort ?? undefined
    req.db_system_account_id = f.dbSystemAccountId ?? undefined
  }
  return req
}

// updateRequest sends what may change; an empty password keeps the stored one.
export function updateRequest(id: number, f: AccountForm): Body<UpdateAccountRequest> {
  const req: Body<UpdateAccountRequest> = { id, alias: f.alias.trim(), description: f.description }
  if (f.type === 2 && f.password) req.password = f.password
  if (isDBType(f.type)) {
    if (f.dbPassword) req.db_password = f.dbPassword
    req.db_port = f.dbPort ?? undefined
    req.db_system_account_id = f.dbSystemAccountId ?? undefined
  }
  return req
}
