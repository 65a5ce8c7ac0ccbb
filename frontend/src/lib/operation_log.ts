import type { OperationLog, StepInstanceInfo } from '../api/generated'

// Operation codes of operation_log (bk-job UserOperationEnum, bkjob's 12:
// continue rolling); each has a catalogue key ui.task_panels.op_<code>.
const knownOps = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])

export interface OperationRow {
  id: number
  time: number
  operator: string // the user, and the app when one called the API
  action: string // catalogue key
  code: number
  step: string // the step's name; '' for job operations
  attempt: number // the step's attempt (1-based); 0 for job operations
}

export function operationKey(code: number): string {
  return knownOps.has(code) ? `ui.task_panels.op_${code}` : 'ui.task_panels.op_unknown'
}

// operationRows names the steps and actions of get_job_instance_operation_log
// entries, keeping the server's order (newest first).
export function operationRows(list: readonly OperationLog[] | null | undefined, steps: readonly StepInstanceInfo[]): OperationRow[] {
  const names = new Map(steps.map((s) => [s.step_instance_id, s.name]))
  return (list ?? []).map((o) => ({
    id: o.id,
    time: o.create_time,
    operator: o.app_code ? `${o.operator} (${o.app_code})` : o.operator,
    action: operationKey(o.operation_code),
    code: o.operation_code,
    step: o.step_instance_id ? (names.get(o.step_instance_id) ?? String(o.step_instance_id)) : '',
    attempt: o.step_instance_id ? o.execute_count + 1 : 0,
  }))
}
