import { h } from 'vue'
import { RouterLink } from 'vue-router'
import type { DataTableColumns } from 'naive-ui'
import type { JobInstanceSummary } from '../api/generated'
import StatusTag from '../components/StatusTag.vue'
import { formatDuration, formatTime, type Translate } from './format'

// taskColumns are the columns of a list of tasks (home and history): the
// name links to the task page in its business.
// The history is the wide list; the home page's card holds a narrower one
// (taskColumnsMinWidth: it fits the card at a laptop's width, no scrolling).
const widths = {
  wide: { id: 70, name: 200, status: 130, operator: 100, start: 170, duration: 100 },
  narrow: { id: 60, name: 150, status: 120, operator: 90, start: 165, duration: 90 },
}

export function taskColumnsMinWidth(wide: boolean): number {
  return Object.values(widths[wide ? 'wide' : 'narrow']).reduce((a, b) => a + b, 0)
}

export function taskColumns(t: Translate, locale: string, wide: boolean): DataTableColumns<JobInstanceSummary> {
  const w = widths[wide ? 'wide' : 'narrow']
  const cols: DataTableColumns<JobInstanceSummary> = [
    { title: t('ui.task.id'), key: 'id', width: w.id },
    {
      title: t('ui.task.name'),
      key: 'name',
      minWidth: w.name,
      ellipsis: { tooltip: true },
      render: (row) =>
        h(
          RouterLink,
          { to: { name: 'task', params: { scopeType: row.bk_scope_type, scopeId: row.bk_scope_id, taskId: row.id } }, 'data-test': 'task-link' },
          { default: () => row.name || `#${row.id}` },
        ),
    },
    { title: t('ui.task.status'), key: 'status', width: w.status, render: (row) => h(StatusTag, { status: row.status, kind: 'run' }) },
    { title: t('ui.task.operator'), key: 'operator', width: w.operator },
  ]
  if (wide) {
    cols.push(
      { title: t('ui.task.type'), key: 'type', width: 100, render: (row) => t(`ui.task_type.${row.type}`) },
      { title: t('ui.task.launch_mode'), key: 'launch_mode', width: 100, render: (row) => t(`ui.launch_mode.${row.launch_mode}`) },
    )
  }
  cols.push(
    { title: t('ui.task.start_time'), key: 'create_time', width: w.start, render: (row) => formatTime(row.start_time || row.create_time, locale) },
    { title: t('ui.task.duration'), key: 'total_time', width: w.duration, render: (row) => formatDuration(row.total_time || undefined, t) },
  )
  if (wide) {
    // Run a script task again with the same parameters (bk-job's 去重做).
    cols.push({
      title: t('ui.task.actions'),
      key: 'actions',
      width: 110,
      // Pinned right: at a laptop's width the table scrolls and the action
      // must stay in view.
      fixed: 'right',
      render: (row) =>
        row.type === 1
          ? h(
              RouterLink,
              { to: { name: 'quickScript', params: { scopeType: row.bk_scope_type, scopeId: row.bk_scope_id }, query: { from_task: row.id } }, 'data-test': 'run-again' },
              { default: () => t('ui.task.run_again') },
            )
          : '',
    })
  }
  return cols
}
