import type {
  CreateBizRequest,
  CreateBizSetRequest,
  ScopeInfo,
  UpdateBizRequest,
  UpdateBizSetRequest,
} from '../api/generated'

// The business administration page's plain logic: the switcher's options,
// the time zones offered, and the create/edit form (manage's scope_fields.go
// has the same rules; the server's answer wins).

export type ScopeKind = 'biz' | 'biz_set'
export type Translate = (key: string, args?: Record<string, unknown>) => string

// scopeKey / splitScopeKey: a scope as one select value, "biz/2".
export const scopeKey = (type: string, id: string): string => `${type}/${id}`
export function splitScopeKey(key: string): { type: ScopeKind; id: string } | null {
  const m = /^(biz|biz_set)\/(\d+)$/.exec(key)
  return m ? { type: m[1] as ScopeKind, id: m[2] as string } : null
}

// Type aliases, not interfaces: Naive UI's option types need the implicit
// index signature only aliases have.
type Option = { label: string; value: string }
type Group = { type: 'group'; key: string; label: string; children: Option[] }

// scopeOptions groups the scopes the user may use into businesses and
// business sets, named "<name> (<id>)"; the current scope is offered even
// when the list lacks it (not loaded yet, or disabled since).
export function scopeOptions(scopes: ScopeInfo[], current: { type: string; id: string; name?: string }, t: Translate): Group[] {
  const label = (name: string | undefined, id: string) => (name ? t('ui.business.named', { name, id }) : t('ui.business.name', { id }))
  const groups: Group[] = [
    { type: 'group', key: 'biz', label: t('ui.business_manage.kind_biz'), children: [] },
    { type: 'group', key: 'biz_set', label: t('ui.business_manage.kind_biz_set'), children: [] },
  ]
  const pick = (type: string) => (type === 'biz_set' ? groups[1] : groups[0]) as Group
  for (const s of scopes) pick(s.bk_scope_type).children.push({ value: scopeKey(s.bk_scope_type, s.bk_scope_id), label: label(s.name, s.bk_scope_id) })
  const cur = scopeKey(current.type, current.id)
  if (!scopes.some((s) => scopeKey(s.bk_scope_type, s.bk_scope_id) === cur)) {
    pick(current.type).children.unshift({ value: cur, label: label(current.name, current.id) })
  }
  return groups.filter((g) => g.children.length > 0)
}

// timeZones is the browser's IANA list with UTC first (the server checks
// the name with Go's time.LoadLocation).
export function timeZones(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return ['UTC', ...all.filter((z) => z !== 'UTC')]
}

export interface BusinessForm {
  kind: ScopeKind
  id: number | null
  name: string
  timeZone: string
  maintainers: string[]
  language: 'zh_CN' | 'en'
  members: number[]
}

export const emptyBusinessForm = (kind: ScopeKind): BusinessForm => ({
  kind,
  id: null,
  name: '',
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  maintainers: [],
  language: 'zh_CN',
  members: [],
})

// formFrom fills the form from a scope being edited.
export function formFrom(s: ScopeInfo): BusinessForm {
  return {
    kind: s.bk_scope_type === 'biz_set' ? 'biz_set' : 'biz',
    id: Number(s.bk_scope_id),
    name: s.name,
    timeZone: s.time_zone,
    maintainers: [...(s.maintainers ?? [])],
    language: s.language === 'en' ? 'en' : 'zh_CN',
    members: [...(s.member_biz_ids ?? [])],
  }
}

const userName = /^[A-Za-z0-9_.@-]{1,64}$/

export type FormField = 'id' | 'name' | 'timeZone' | 'maintainers' | 'members'

// businessErrors maps fields to catalogue keys of what is wrong.
export function businessErrors(f: BusinessForm): Partial<Record<FormField, string>> {
  const out: Partial<Record<FormField, string>> = {}
  if (f.id === null || !Number.isSafeInteger(f.id) || f.id <= 0) out.id = 'ui.business_manage.id_required'
  const name = f.name.trim()
  if (!name || [...name].length > 256) out.name = 'ui.business_manage.name_required'
  if (!f.timeZone) out.timeZone = 'ui.business_manage.time_zone_required'
  if (f.maintainers.length > 50 || f.maintainers.some((m) => !userName.test(m))) out.maintainers = 'ui.business_manage.maintainers_invalid'
  if (f.kind === 'biz_set' && f.members.length === 0) out.members = 'ui.business_manage.members_required'
  return out
}

const fields = (f: BusinessForm) => ({ name: f.name.trim(), time_zone: f.timeZone, maintainers: f.maintainers, language: f.language })

export const createBizRequest = (f: BusinessForm): CreateBizRequest => ({ bk_biz_id: f.id ?? 0, ...fields(f) })
export const updateBizRequest = (f: BusinessForm): UpdateBizRequest => ({ bk_biz_id: f.id ?? 0, ...fields(f) })
export const createBizSetRequest = (f: BusinessForm): CreateBizSetRequest => ({ bk_biz_set_id: f.id ?? 0, member_biz_ids: f.members, ...fields(f) })
export const updateBizSetRequest = (f: BusinessForm): UpdateBizSetRequest => ({ bk_biz_set_id: f.id ?? 0, member_biz_ids: f.members, ...fields(f) })
