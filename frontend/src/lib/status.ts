// The look of bk-job's statuses, the same on every page: a colour family
// (never alone: StatusTag puts the word beside it) and whether it moves.

export type StatusTone = 'success' | 'error' | 'info' | 'default' | 'warning' | 'dark'

// runStatusTone is the tone of a job or step status (status.run.*).
export function runStatusTone(status: number): StatusTone {
  switch (status) {
    case 3:
      return 'success'
    case 4:
    case 9:
    case 12:
      return 'error'
    case 2:
      return 'info'
    case 6:
    case 7:
    case 10:
    case 15:
      return 'warning'
    case 8:
    case 11:
    case 13:
      return 'dark'
    default:
      return 'default'
  }
}

// hostStatusTone is the tone of a host status (status.host.*).
export function hostStatusTone(status: number): StatusTone {
  switch (status) {
    case 3:
    case 9:
      return 'success'
    case 7:
      return 'info'
    case 5:
      return 'default'
    case 103:
    case 403:
      return 'dark'
    default:
      return 'error'
  }
}

// isRunning says whether a job or step status is still moving.
export function isRunning(status: number): boolean {
  return status === 1 || status === 2 || status === 7 || status === 10 || status === 15
}

// scriptLanguages are bk-job's script_language codes, in its order.
export const scriptLanguages = [
  { code: 1, name: 'Shell' },
  { code: 2, name: 'Bat' },
  { code: 3, name: 'Perl' },
  { code: 4, name: 'Python' },
  { code: 5, name: 'PowerShell' },
  { code: 6, name: 'SQL' },
] as const
