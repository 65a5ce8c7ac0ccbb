import type { JobGlobalVarValues, Server, StepInstanceInfo } from '../api/generated'

// Global variable types (bk-job TaskVariableTypeEnum).
export const varCipher = 4
const varHostList = 3

export const cipherMask = '******'

export interface VariableRow {
  key: string
  step: string // the step's name
  name: string
  type: number
  value: string // cipher values masked
}

// variableRows flattens get_job_instance_global_var_value per step, cipher
// values masked and host lists written as their hosts.
export function variableRows(values: JobGlobalVarValues | null, steps: readonly StepInstanceInfo[]): VariableRow[] {
  const names = new Map(steps.map((s) => [s.step_instance_id, s.name]))
  const rows: VariableRow[] = []
  for (const sv of values?.step_instance_var_list ?? []) {
    for (const v of sv.global_var_list ?? []) {
      const type = v.type ?? 1
      let value = v.value
      if (type === varCipher) value = cipherMask
      else if (type === varHostList && v.server) value = serverText(v.server)
      rows.push({ key: `${sv.step_instance_id}/${v.name}`, step: names.get(sv.step_instance_id) ?? String(sv.step_instance_id), name: v.name, type, value })
    }
  }
  return rows
}

function serverText(s: Server): string {
  const ips = (s.ip_list ?? []).map((ip) => `${ip.bk_cloud_id}:${ip.ip}`)
  const ids = (s.host_id_list ?? []).map(String)
  return [...ips, ...ids].join(', ')
}
