// A rolling step runs its hosts in batches; the task page can show one
// batch (get_step_instance_status's batch) or all of them.

export interface BatchOption {
  value: number // 0: every batch
  batch: number // 0 for "all"
  current: boolean // the batch running or waiting now
  done: boolean // a batch before the current one
}

// batchOptions lists "all" then batch 1..total, the current one marked.
// current is 0 before the step starts.
export function batchOptions(total: number, current: number): BatchOption[] {
  const out: BatchOption[] = [{ value: 0, batch: 0, current: false, done: false }]
  for (let b = 1; b <= total; b++) out.push({ value: b, batch: b, current: b === current, done: current > 0 && b < current })
  return out
}

// batchQuery is the batch field of get_step_instance_status and of the log
// export for a selection: none for "all".
export function batchQuery(selected: number | null): { batch?: number } {
  return selected !== null && selected > 0 ? { batch: selected } : {}
}
