import type { FastExecuteScriptRequest, ScriptInfo } from '../api/generated'
import { encodeBase64 } from './format'
import { hostCount, parseHostList } from './host_list'
import { emptyRolling, rollingConfig, rollingFromConfig, rollingProblems, type RollingForm } from './rolling'
import { targetServer } from './targets'

// typedConfirmAbove is the host count above which running asks the user to
// type the count (a fleet-wide action must not be one careless click).
export const typedConfirmAbove = 100

// ScriptForm is what the quick-launch script form holds.
export interface ScriptForm {
  name: string
  language: number
  content: string
  params: string
  sensitive: boolean
  timeout: number
  account: string
  targets: string
  rolling: RollingForm
  // stored is the script library's version the form was filled from: it
  // runs by reference (script_version_id) while the content is unchanged.
  stored?: StoredScript
}

export interface StoredScript {
  id: number
  name: string
  version: string
  content: string
  language: number
}

// byReference reports whether the form still runs its stored version as it is.
export function byReference(f: ScriptForm): boolean {
  return f.stored !== undefined && f.content === f.stored.content && f.language === f.stored.language
}

export function emptyScriptForm(): ScriptForm {
  return { name: '', language: 1, content: '', params: '', sensitive: false, timeout: 7200, account: 'root', targets: '', rolling: emptyRolling() }
}

// scriptFormProblems lists what to fix before the form can run, as
// catalogue keys (empty when it can run).
export function scriptFormProblems(f: ScriptForm): string[] {
  const out: string[] = []
  if (!f.content.trim()) out.push('ui.quick_script.need_content')
  if (!f.account.trim()) out.push('ui.quick_script.need_account')
  const hosts = parseHostList(f.targets)
  if (hostCount(hosts) === 0) out.push('ui.quick_script.need_targets')
  if (hosts.invalid.length > 0) out.push('ui.quick_script.fix_targets')
  if (!Number.isInteger(f.timeout) || f.timeout < 1 || f.timeout > 86400) out.push('ui.quick_script.bad_timeout')
  out.push(...rollingProblems(f.rolling))
  return out
}

// scriptRequest is the fast_execute_script request for the form in a scope.
export function scriptRequest(f: ScriptForm, scope: { bk_scope_type: string; bk_scope_id: string }): FastExecuteScriptRequest {
  const hosts = parseHostList(f.targets)
  const req: FastExecuteScriptRequest = {
    ...scope,
    script_language: f.language,
    script_content: encodeBase64(f.content),
    timeout: f.timeout,
    account_alias: f.account.trim(),
    target_server: targetServer(hosts),
  }
  if (byReference(f) && f.stored) {
    // bk-job's priority: script_version_id wins; the content is the server's.
    delete req.script_content
    delete req.script_language
    req.script_version_id = f.stored.id
  }
  const rolling = rollingConfig(f.rolling)
  if (rolling) req.rolling_config = rolling
  if (f.name.trim()) req.task_name = f.name.trim()
  if (f.params) {
    req.script_param = encodeBase64(f.params)
    if (f.sensitive) req.is_param_sensitive = 1
  }
  return req
}

// sensitiveMask is what the server shows for a sensitive parameter.
const sensitiveMask = '******'

// formFromDetail fills the form from an earlier task's script step (run
// again with the same parameters); a sensitive parameter is not shown by the
// server, so it has to be typed again.
export function formFromDetail(info: ScriptInfo, name: string): ScriptForm {
  const sensitive = info.is_param_sensitive === 1
  return {
    name,
    language: info.script_language || 1,
    content: info.script_content,
    params: sensitive && info.script_param === sensitiveMask ? '' : info.script_param,
    sensitive,
    timeout: info.script_timeout || 7200,
    account: info.account.name,
    targets: (info.server.ip_list ?? []).map((h) => `${h.bk_cloud_id}:${h.ip}`).join('\n'),
    rolling: rollingFromConfig(info.rolling_config),
  }
}
