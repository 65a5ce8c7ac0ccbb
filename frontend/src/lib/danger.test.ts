import { describe, expect, it } from 'vitest'
import { emptyRuleForm, filtersFromQuery, levelTone, queryFromFilters, recordsRequest, ruleProblems, ruleRequest, worstLevel } from './danger'

describe('dangerous rules', () => {
  it('checks the rule form by field', () => {
    expect(ruleProblems(emptyRuleForm())).toEqual({ expression: 'ui.danger.need_expression', description: 'ui.danger.need_description' })
    expect(ruleProblems({ expression: 'x'.repeat(256), languages: [], description: 'd', action: 2 })).toEqual({
      expression: 'ui.danger.expression_too_long',
      languages: 'ui.danger.need_languages',
    })
    expect(ruleRequest({ expression: ' rm ', languages: [4, 1], description: ' d ', action: 1 })).toEqual({
      expression: 'rm',
      script_language_list: [1, 4],
      description: 'd',
      action: 1,
    })
  })

  it('keeps the records filters in the URL and drops nonsense', () => {
    const f = filtersFromQuery({ action: '2', language: 'x', operator: ' bob ', biz: '3', rule: '-1', page: '2' })
    expect(f).toEqual({ action: 2, language: null, operator: 'bob', scopeId: '3', ruleId: '', page: 2 })
    expect(queryFromFilters(f)).toEqual({ action: '2', operator: 'bob', biz: '3', page: '2' })
    expect(recordsRequest(f, 50, 50)).toEqual({ start: 50, length: 50, action: 2, operator: 'bob', record_scope_type: 'biz', record_scope_id: '3' })
  })

  it('names levels by tone', () => {
    expect([1, 2, 3].map(levelTone)).toEqual(['info', 'warning', 'error'])
    expect(worstLevel([])).toBe(0)
    expect(worstLevel([{ line: 1, line_content: '', match_content: '', level: 1, description: '' }, { line: 2, line_content: '', match_content: '', level: 3, description: '' }])).toBe(3)
  })
})
