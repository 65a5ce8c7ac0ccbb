// Path checks the quick-launch file forms run as the user types; the
// server checks the same (cleanAbsPath), these only say it sooner.

// pathProblem is a catalogue key for what is wrong with an absolute path
// (Unix "/…" or Windows "C:\…"), or '' when it is fine.
export function pathProblem(p: string): string {
  const s = p.trim()
  if (!/^(\/|[A-Za-z]:[\\/])/.test(s)) return 'ui.paths.not_absolute'
  if (s.split(/[\\/]/).includes('..')) return 'ui.paths.dot_dot'
  if (/[\u0000-\u001f\u007f]/.test(s)) return 'ui.paths.control'
  return ''
}

// splitLines is the non-empty trimmed lines of a text box (one path a line).
export function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
}

// fileNameProblem is what is wrong with a plain file name (push config):
// the server refuses the same.
export function fileNameProblem(name: string): string {
  const n = name.trim()
  if (!n) return 'ui.push_config.need_file_name'
  if (n === '.' || n === '..' || /[\\/]/.test(n)) return 'ui.push_config.bad_file_name'
  if (new TextEncoder().encode(n).length > 255) return 'ui.push_config.long_file_name'
  return ''
}

// targetMacros are bk-job's macros for a file target path, with the
// catalogue key saying what each becomes (the help beside the field).
export const targetMacros = [
  { macro: '[FILESRCIP]', help: 'ui.quick_file.macro_filesrcip' },
  { macro: '[DATE:yyyy-MM-dd]', help: 'ui.quick_file.macro_date' },
] as const

// hasMacro tells whether a target path uses one of bk-job's macros, which
// bkjob does not expand in the path yet (the transfer modes "by source IP"
// and "by date and source IP" place files the same way).
export function hasMacro(p: string): boolean {
  return /\[(FILESRCIP|DATE:[^\]]*)\]/.test(p)
}
