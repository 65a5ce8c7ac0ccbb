import { describe, expect, it } from 'vitest'
import type { ScopeInfo } from '../api/generated'
import { businessErrors, createBizSetRequest, emptyBusinessForm, formFrom, scopeOptions, splitScopeKey, timeZones } from './business_form'

const scope = (type: string, id: string, name: string, extra: Partial<ScopeInfo> = {}): ScopeInfo => ({
  bk_scope_type: type,
  bk_scope_id: id,
  name,
  time_zone: 'UTC',
  maintainers: [],
  language: 'zh_CN',
  disabled: false,
  member_biz_ids: [],
  creator: '',
  last_modify_user: '',
  create_time: 0,
  last_modify_time: 0,
  ...extra,
})
const t = (key: string, args?: Record<string, unknown>) => `${key}${args ? JSON.stringify(args) : ''}`

describe('business form', () => {
  it('groups the switcher options and keeps the current scope', () => {
    const groups = scopeOptions([scope('biz', '1', 'Default'), scope('biz_set', '8000001', 'Shop')], { type: 'biz', id: '7' }, t)
    expect(groups.map((g) => g.key)).toEqual(['biz', 'biz_set'])
    expect(groups[0]?.children.map((o) => o.value)).toEqual(['biz/7', 'biz/1'])
    expect(groups[1]?.children[0]?.label).toContain('Shop')
    expect(scopeOptions([], { type: 'biz', id: '1', name: 'Default' }, t)).toHaveLength(1)
  })
  it('reads scope keys', () => {
    expect(splitScopeKey('biz_set/8000001')).toEqual({ type: 'biz_set', id: '8000001' })
    expect(splitScopeKey('tenant/1')).toBeNull()
  })
  it('checks the fields', () => {
    const f = emptyBusinessForm('biz_set')
    expect(Object.keys(businessErrors(f)).sort()).toEqual(['id', 'members', 'name'])
    f.id = 8000001
    f.name = 'Shop'
    f.members = [2]
    f.maintainers = ['alice', 'bad,name']
    expect(businessErrors(f)).toEqual({ maintainers: 'ui.business_manage.maintainers_invalid' })
    f.maintainers = ['alice']
    expect(businessErrors(f)).toEqual({})
    expect(createBizSetRequest(f)).toMatchObject({ bk_biz_set_id: 8000001, member_biz_ids: [2], maintainers: ['alice'] })
  })
  it('edits what the server sent', () => {
    const f = formFrom(scope('biz_set', '8000001', 'Shop', { member_biz_ids: [1, 2], maintainers: ['bob'], language: 'en' }))
    expect(f).toMatchObject({ kind: 'biz_set', id: 8000001, members: [1, 2], maintainers: ['bob'], language: 'en' })
  })
  it('offers UTC first', () => {
    expect(timeZones()[0]).toBe('UTC')
  })
})
