import type { PushConfigFileRequest } from '../api/generated'
import { encodeBase64 } from './format'
import { hostCount, parseHostList } from './host_list'
import { fileNameProblem, pathProblem } from './paths'
import type { Problems } from './quick_file'
import { targetServer } from './targets'

// maxConfigBytes is the server's limit on one file's content
// (execute.MaxConfigFileBytes).
export const maxConfigBytes = 5 * 1024 * 1024

// PushConfigForm is what the push-config-file form holds: one text file.
export interface PushConfigForm {
  name: string
  fileName: string
  content: string
  targetPath: string
  timeout: number
  account: string
  targets: string
}

export function emptyPushConfigForm(): PushConfigForm {
  return { name: '', fileName: '', content: '', targetPath: '', timeout: 7200, account: 'root', targets: '' }
}

export function pushConfigProblems(f: PushConfigForm): Problems {
  const out: Problems = {}
  const name = fileNameProblem(f.fileName)
  if (name) out.fileName = name
  if (new TextEncoder().encode(f.content).length > maxConfigBytes) out.content = 'ui.push_config.too_big'
  if (!f.targetPath.trim()) out.targetPath = 'ui.quick_file.need_target_path'
  else if (pathProblem(f.targetPath)) out.targetPath = pathProblem(f.targetPath)
  if (!Number.isInteger(f.timeout) || f.timeout < 1 || f.timeout > 86400) out.timeout = 'ui.quick_script.bad_timeout'
  if (!f.account.trim()) out.account = 'ui.quick_script.need_account'
  const hosts = parseHostList(f.targets)
  if (hostCount(hosts) === 0) out.targets = 'ui.quick_script.need_targets'
  else if (hosts.invalid.length) out.targets = 'ui.quick_script.fix_targets'
  return out
}

// pushConfigRequest is the push_config_file request for the form in a scope.
export function pushConfigRequest(f: PushConfigForm, scope: { bk_scope_type: string; bk_scope_id: string }): PushConfigFileRequest {
  const req: PushConfigFileRequest = {
    ...scope,
    account_alias: f.account.trim(),
    file_target_path: f.targetPath.trim(),
    file_list: [{ file_name: f.fileName.trim(), content: encodeBase64(f.content) }],
    timeout: f.timeout,
    target_server: targetServer(parseHostList(f.targets)),
  }
  if (f.name.trim()) req.task_name = f.name.trim()
  return req
}
