import type { CreateDangerousRuleRequest, ListDangerousRecordsRequest, ScriptCheckItem } from '../api/generated'

// bk-job's dangerous rule actions and check levels, with the tone and
// catalogue key each is shown with (never colour alone: a word beside it).
export const actionScan = 1
export const actionIntercept = 2

export const actions = [
  { value: actionScan, label: 'ui.danger.action_1', tone: 'warning' as const },
  { value: actionIntercept, label: 'ui.danger.action_2', tone: 'error' as const },
]

export function actionTone(action: number): 'warning' | 'error' {
  return action === actionIntercept ? 'error' : 'warning'
}

// levelTone: 1 warning, 2 error, 3 fatal.
export function levelTone(level: number): 'info' | 'warning' | 'error' {
  if (level >= 3) return 'error'
  if (level === 2) return 'warning'
  return 'info'
}

export const levelLabel = (level: number) => `ui.danger.level_${Math.min(Math.max(level, 1), 3)}`

// RuleForm is what the rule dialog holds.
export interface RuleForm {
  expression: string
  languages: number[]
  description: string
  action: number
}

export function emptyRuleForm(): RuleForm {
  return { expression: '', languages: [1], description: '', action: actionIntercept }
}

// ruleProblems are the form's own checks, as catalogue keys by field; the
// server checks the expression's syntax (RE2) and answers naming it.
export function ruleProblems(f: RuleForm): Partial<Record<keyof RuleForm, string>> {
  const out: Partial<Record<keyof RuleForm, string>> = {}
  if (!f.expression.trim()) out.expression = 'ui.danger.need_expression'
  else if ([...f.expression.trim()].length > 255) out.expression = 'ui.danger.expression_too_long'
  if (f.languages.length === 0) out.languages = 'ui.danger.need_languages'
  if (!f.description.trim()) out.description = 'ui.danger.need_description'
  else if ([...f.description.trim()].length > 500) out.description = 'ui.danger.description_too_long'
  return out
}

export function ruleRequest(f: RuleForm): CreateDangerousRuleRequest {
  return { expression: f.expression.trim(), script_language_list: [...f.languages].sort(), description: f.description.trim(), action: f.action }
}

// RecordFilters are the records page's filters, kept in the URL.
export interface RecordFilters {
  action: number | null
  language: number | null
  operator: string
  scopeId: string
  ruleId: string
  page: number
}

const positive = (v: unknown): number | null => {
  const n = Number(Array.isArray(v) ? v[0] : v)
  return Number.isInteger(n) && n > 0 ? n : null
}
const text = (v: unknown): string => String((Array.isArray(v) ? v[0] : v) ?? '').trim()

export function filtersFromQuery(q: Record<string, unknown>): RecordFilters {
  return {
    action: positive(q.action),
    language: positive(q.language),
    operator: text(q.operator).slice(0, 64),
    scopeId: /^\d+$/.test(text(q.biz)) ? text(q.biz) : '',
    ruleId: /^\d+$/.test(text(q.rule)) ? text(q.rule) : '',
    page: positive(q.page) ?? 1,
  }
}

export function queryFromFilters(f: RecordFilters): Record<string, string> {
  const q: Record<string, string> = {}
  if (f.action) q.action = String(f.action)
  if (f.language) q.language = String(f.language)
  if (f.operator) q.operator = f.operator
  if (f.scopeId) q.biz = f.scopeId
  if (f.ruleId) q.rule = f.ruleId
  if (f.page > 1) q.page = String(f.page)
  return q
}

export function recordsRequest(f: RecordFilters, start: number, length: number): ListDangerousRecordsRequest {
  const req: ListDangerousRecordsRequest = { start, length }
  if (f.action) req.action = f.action
  if (f.language) req.script_language = f.language
  if (f.operator) req.operator = f.operator
  if (f.scopeId) {
    req.record_scope_type = 'biz'
    req.record_scope_id = f.scopeId
  }
  if (f.ruleId) req.rule_id = Number(f.ruleId)
  return req
}

// worstLevel is the most severe level among results (0 when none).
export function worstLevel(items: ScriptCheckItem[]): number {
  return items.reduce((m, i) => Math.max(m, i.level), 0)
}
