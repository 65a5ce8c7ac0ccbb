import type { ResultGroup } from '../api/generated'

// StepOperation is one operate_step_instance action the task page offers.
export interface StepOperation {
  code: number // operate_step_instance's operation_code
  label: string // catalogue key of the button
  confirm: string // catalogue key of the confirm text ({n} hosts)
  hosts: 'failed' | 'all' | 'none' // which hosts the confirm counts
  danger: boolean
}

const retryFailed: StepOperation = { code: 2, label: 'ui.op.retry_failed', confirm: 'ui.op.retry_failed_confirm', hosts: 'failed', danger: false }
const retryAll: StepOperation = { code: 8, label: 'ui.op.retry_all', confirm: 'ui.op.retry_all_confirm', hosts: 'all', danger: false }
const ignoreError: StepOperation = { code: 3, label: 'ui.op.ignore_error', confirm: 'ui.op.ignore_error_confirm', hosts: 'failed', danger: true }
const nextStep: StepOperation = { code: 11, label: 'ui.op.next_step', confirm: 'ui.op.next_step_confirm', hosts: 'none', danger: true }
const skip: StepOperation = { code: 12, label: 'ui.op.skip', confirm: 'ui.op.skip_confirm', hosts: 'none', danger: true }
const rollingContinue: StepOperation = { code: 13, label: 'ui.op.rolling_continue', confirm: 'ui.op.rolling_continue_confirm', hosts: 'none', danger: false }

// stepOperations lists what the engine allows on the job's current step in
// its status (modules/execute/executeimpl/operate.go): retry and ignore on
// a failed step, retry or pass over a terminated one, skip one being
// terminated, continue a rolling step that waits.
export function stepOperations(status: number, isCurrent: boolean, rolling: boolean): StepOperation[] {
  if (!isCurrent) return []
  switch (status) {
    case 4: // failed
    case 9: // abnormal
      return [retryFailed, retryAll, ignoreError]
    case 11: // force-terminated
      return [retryFailed, retryAll, nextStep]
    case 10: // terminating
      return [skip]
    case 7: // waiting for the user
      return rolling ? [rollingContinue] : []
    default:
      return []
  }
}

// hostCounts are the step's hosts in all and not succeeded (from its
// result groups), for the confirms.
export function hostCounts(groups: readonly ResultGroup[]): { all: number; failed: number } {
  let all = 0
  let failed = 0
  for (const g of groups) {
    all += g.host_size
    if (g.result_type !== 9 && g.result_type !== 3) failed += g.host_size
  }
  return { all, failed }
}
