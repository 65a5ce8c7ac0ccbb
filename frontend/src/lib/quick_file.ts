import type { FastTransferFileRequest } from '../api/generated'
import { hostCount, parseHostList } from './host_list'
import { hasMacro, pathProblem, splitLines } from './paths'
import { emptyRolling, rollingConfig, rollingProblems, type RollingForm } from './rolling'
import { targetServer } from './targets'

// SourceForm is one source of a transfer: paths on hosts, read as an account.
export interface SourceForm {
  files: string // one absolute path a line; a directory ends with /
  hosts: string // pasted like the targets
  account: string
}

// FileForm is what the quick-launch file form holds.
export interface FileForm {
  name: string
  sources: SourceForm[]
  targetPath: string
  transferMode: number
  uploadLimit: number | null // MB/s, null = unlimited
  downloadLimit: number | null
  timeout: number
  account: string
  targets: string
  rolling: RollingForm
}

// transferModes are the API's transfer_mode values: 1 strict, 2 force
// (the API's default), 3 and 4 put each source's files in their own
// directory (bk-job's [FILESRCIP], and [DATE]/[FILESRCIP]).
export const transferModes = [
  { value: 2, label: 'ui.quick_file.mode_force' },
  { value: 1, label: 'ui.quick_file.mode_strict' },
  { value: 3, label: 'ui.quick_file.mode_ip' },
  { value: 4, label: 'ui.quick_file.mode_date_ip' },
] as const

export function emptySource(): SourceForm {
  return { files: '', hosts: '', account: 'root' }
}

export function emptyFileForm(): FileForm {
  return {
    name: '',
    sources: [emptySource()],
    targetPath: '',
    transferMode: 2,
    uploadLimit: null,
    downloadLimit: null,
    timeout: 7200,
    account: 'root',
    targets: '',
    rolling: emptyRolling(),
  }
}

// Problems maps a field ("targetPath", "sources.0.files", …) to the
// catalogue key of what to fix there; an empty map means the form can run.
export type Problems = Record<string, string>

// isMissing tells a "fill this in" problem from a "this is wrong" one: the
// form shows the first kind only once the user tried to run.
export function isMissing(key: string): boolean {
  return /\.need_/.test(key)
}

function sourceProblems(s: SourceForm, i: number, out: Problems) {
  const files = splitLines(s.files)
  if (files.length === 0) out[`sources.${i}.files`] = 'ui.quick_file.need_files'
  else {
    const bad = files.map(pathProblem).find((p) => p !== '')
    if (bad) out[`sources.${i}.files`] = bad
  }
  const hosts = parseHostList(s.hosts)
  if (hostCount(hosts) === 0) out[`sources.${i}.hosts`] = 'ui.quick_file.need_source_hosts'
  else if (hosts.invalid.length) out[`sources.${i}.hosts`] = 'ui.quick_script.fix_targets'
  if (!s.account.trim()) out[`sources.${i}.account`] = 'ui.quick_script.need_account'
}

function limitProblem(v: number | null): string {
  return v === null || (Number.isInteger(v) && v >= 1 && v <= 10240) ? '' : 'ui.quick_file.bad_limit'
}

export function fileFormProblems(f: FileForm): Problems {
  const out: Problems = {}
  f.sources.forEach((s, i) => sourceProblems(s, i, out))
  if (!f.targetPath.trim()) out.targetPath = 'ui.quick_file.need_target_path'
  else if (pathProblem(f.targetPath)) out.targetPath = pathProblem(f.targetPath)
  else if (hasMacro(f.targetPath)) out.targetPath = 'ui.quick_file.macro_not_expanded'
  if (limitProblem(f.uploadLimit)) out.uploadLimit = limitProblem(f.uploadLimit)
  if (limitProblem(f.downloadLimit)) out.downloadLimit = limitProblem(f.downloadLimit)
  if (!Number.isInteger(f.timeout) || f.timeout < 1 || f.timeout > 86400) out.timeout = 'ui.quick_script.bad_timeout'
  if (!f.account.trim()) out.account = 'ui.quick_script.need_account'
  const hosts = parseHostList(f.targets)
  if (hostCount(hosts) === 0) out.targets = 'ui.quick_script.need_targets'
  else if (hosts.invalid.length) out.targets = 'ui.quick_script.fix_targets'
  const rolling = rollingProblems(f.rolling)[0]
  if (rolling) out.rolling = rolling
  return out
}

// fileRequest is the fast_transfer_file request for the form in a scope.
export function fileRequest(f: FileForm, scope: { bk_scope_type: string; bk_scope_id: string }): FastTransferFileRequest {
  const req: FastTransferFileRequest = {
    ...scope,
    account_alias: f.account.trim(),
    file_target_path: f.targetPath.trim(),
    file_source_list: f.sources.map((s) => ({
      file_list: splitLines(s.files),
      account: { alias: s.account.trim() },
      server: targetServer(parseHostList(s.hosts)),
    })),
    transfer_mode: f.transferMode,
    timeout: f.timeout,
    target_server: targetServer(parseHostList(f.targets)),
  }
  if (f.name.trim()) req.task_name = f.name.trim()
  if (f.uploadLimit !== null) req.upload_speed_limit = f.uploadLimit
  if (f.downloadLimit !== null) req.download_speed_limit = f.downloadLimit
  const rolling = rollingConfig(f.rolling)
  if (rolling) req.rolling_config = rolling
  return req
}
