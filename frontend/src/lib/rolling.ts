import type { RollingConfig, RollingPreviewRequest } from '../api/generated'
import { hostCount, parseHostList } from './host_list'

// RollingForm is the rolling part of a quick-launch form: off, or an
// expression (bk-job's: "1 10% 30% +2 *3 100%") and what happens after a
// batch (rolling_config.mode).
export interface RollingForm {
  enabled: boolean
  expression: string
  mode: number
}

// rollingModes are rolling_config.mode's values (openapi fast_execute_script):
// 1 pause when a batch fails, 2 go on regardless, 3 confirm every batch.
export const rollingModes = [
  { value: 1, label: 'ui.rolling.mode_pause_on_failure' },
  { value: 2, label: 'ui.rolling.mode_ignore_failure' },
  { value: 3, label: 'ui.rolling.mode_manual' },
] as const

export function emptyRolling(): RollingForm {
  return { enabled: false, expression: '', mode: 1 }
}

// rollingProblems lists what to fix in the rolling part (catalogue keys);
// the expression's syntax is the server's to judge (the preview shows it).
export function rollingProblems(r: RollingForm): string[] {
  if (!r.enabled) return []
  return r.expression.trim() ? [] : ['ui.rolling.need_expression']
}

// rollingConfig is the request's rolling_config, or undefined when off.
export function rollingConfig(r: RollingForm): RollingConfig | undefined {
  if (!r.enabled) return undefined
  return { expression: r.expression.trim(), mode: r.mode }
}

// rollingFromConfig fills the rolling part from a step's rolling_config.
export function rollingFromConfig(c: RollingConfig | undefined): RollingForm {
  if (!c?.expression) return emptyRolling()
  return { enabled: true, expression: c.expression, mode: c.mode || 1 }
}

// previewRequest is the rolling_preview request for the expression over the
// pasted targets, by count: the plan depends only on how many hosts there
// are, and whether each host exists is the targets field's to say (asking by
// host would fail the preview on one unknown host). null when there is
// nothing to plan.
export function previewRequest(
  r: RollingForm,
  targets: string,
  scope: { bk_scope_type: string; bk_scope_id: string },
): RollingPreviewRequest | null {
  const expression = r.expression.trim()
  if (!r.enabled || !expression) return null
  const n = hostCount(parseHostList(targets))
  if (n === 0) return null
  return { ...scope, expression, total_hosts: n }
}
