import { describe, expect, it } from 'vitest'
import { accountErrors, createRequest, emptyAccountForm, formFromAccount, isMissingKey, updateRequest, type AccountForm } from './account_form'

const form = (over: Partial<AccountForm>): AccountForm => ({ ...emptyAccountForm(), ...over })

describe('account form rules (the server rules, as one types)', () => {
  it.each([
    ['linux ok', form({ account: 'deploy' }), {}],
    ['linux trailing $', form({ account: 'svc$' }), {}],
    ['linux empty', form({}), { account: 'ui.accounts.err.account_required' }],
    ['linux capitals', form({ account: 'Deploy' }), { account: 'ui.accounts.err.linux_name' }],
    ['linux 33 chars', form({ account: 'a'.repeat(33) }), { account: 'ui.accounts.err.linux_name' }],
    ['windows needs password', form({ type: 2, account: 'Administrator' }), { password: 'ui.accounts.err.password_required' }],
    ['windows bad char', form({ type: 2, account: 'a\\b', password: 'p' }), { account: 'ui.accounts.err.windows_name' }],
    ['windows 21 chars', form({ type: 2, account: 'a'.repeat(21), password: 'p' }), { account: 'ui.accounts.err.windows_name' }],
    ['password line break', form({ type: 2, account: 'adm', password: 'a\nb' }), { password: 'ui.accounts.err.password' }],
    [
      'mysql needs port, password, system account',
      form({ category: 2, type: 9, account: 'app_ro' }),
      { db_password: 'ui.accounts.err.password_required', db_port: 'ui.accounts.err.port_required', db_system_account_id: 'ui.accounts.err.system_account_required' },
    ],
    ['mysql bad name', form({ category: 2, type: 9, account: "u'--", dbPassword: 'p', dbPort: 3306, dbSystemAccountId: 1 }), { account: 'ui.accounts.err.db_name' }],
    ['port range', form({ category: 2, type: 9, account: 'u', dbPassword: 'p', dbPort: 70000, dbSystemAccountId: 1 }), { db_port: 'ui.accounts.err.port' }],
    ['alias too long', form({ account: 'a', alias: 'x'.repeat(65) }), { alias: 'ui.accounts.err.alias' }],
  ])('%s', (_, f, want) => {
    expect(accountErrors(f, false)).toEqual(want)
  })

  it('an edit keeps passwords unless given and needs an alias', () => {
    const f = form({ type: 2, account: 'adm', alias: '' })
    expect(accountErrors(f, true)).toEqual({ alias: 'ui.accounts.err.alias_required' })
    expect(isMissingKey('ui.accounts.err.alias_required')).toBe(true)
    expect(isMissingKey('ui.accounts.err.alias')).toBe(false)
  })
})

describe('account requests', () => {
  it('send only the fields of the type', () => {
    expect(createRequest(form({ account: ' deploy ', password: 'stale', dbPassword: 'stale', dbPort: 1 }))).toEqual({
      account: 'deploy',
      type: 1,
      category: 1,
      alias: undefined,
      description: '',
    })
    expect(createRequest(form({ category: 2, type: 9, account: 'u', alias: 'ro', dbPassword: 'p', dbPort: 3306, dbSystemAccountId: 4 }))).toMatchObject({
      db_password: 'p',
      db_port: 3306,
      db_system_account_id: 4,
    })
  })

  it('an update sends a password only to replace it', () => {
    const f = formFromAccount({
      id: 7, bk_scope_type: 'biz', bk_scope_id: '1', account: 'adm', alias: 'win', category: 1, type: 2, os: 'Windows',
      description: '', creator: 'a', create_time: 0, last_modify_user: 'a', last_modify_time: 0,
    })
    expect(updateRequest(7, f)).toEqual({ id: 7, alias: 'win', description: '' })
    f.password = 'new'
    expect(updateRequest(7, f)).toEqual({ id: 7, alias: 'win', description: '', password: 'new' })
  })
})
