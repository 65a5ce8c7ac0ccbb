import { describe, expect, it } from 'vitest'
import { emptyScriptForm, formFromDetail, scriptFormProblems, scriptRequest } from './quick_script'

const scope = { bk_scope_type: 'biz', bk_scope_id: '1' }

describe('quick launch script form', () => {
  it('says what to fix', () => {
    const f = emptyScriptForm()
    expect(scriptFormProblems(f)).toEqual(['ui.quick_script.need_content', 'ui.quick_script.need_targets'])
    f.content = 'date'
    f.targets = '10.0.0.1 nope'
    f.timeout = 0
    f.account = ' '
    expect(scriptFormProblems(f)).toEqual(['ui.quick_script.need_account', 'ui.quick_script.fix_targets', 'ui.quick_script.bad_timeout'])
  })

  it('builds fast_execute_script with base64 content, ip_list and host ids', () => {
    const f = { ...emptyScriptForm(), content: 'echo hi', targets: '1:10.0.0.1\n5', params: 'a b', sensitive: true, name: ' n ' }
    expect(scriptFormProblems(f)).toEqual([])
    expect(scriptRequest(f, scope)).toEqual({
      ...scope,
      task_name: 'n',
      script_language: 1,
      script_content: 'ZWNobyBoaQ==',
      script_param: 'YSBi',
      is_param_sensitive: 1,
      timeout: 7200,
      account_alias: 'root',
      target_server: { ip_list: [{ bk_cloud_id: 1, ip: '10.0.0.1' }], host_id_list: [5] },
    })
  })
})

describe('rolling', () => {
  it('asks for an expression when on and sends rolling_config', () => {
    const f = { ...emptyScriptForm(), content: 'date', targets: '10.0.0.1', rolling: { enabled: true, expression: ' ', mode: 3 } }
    expect(scriptFormProblems(f)).toEqual(['ui.rolling.need_expression'])
    f.rolling.expression = ' 1 50% '
    expect(scriptFormProblems(f)).toEqual([])
    expect(scriptRequest(f, scope).rolling_config).toEqual({ expression: '1 50%', mode: 3 })
    f.rolling.enabled = false
    expect(scriptRequest(f, scope)).not.toHaveProperty('rolling_config')
  })
})

describe('running a task again', () => {
  it('fills the form from the earlier step, without a masked sensitive parameter', () => {
    const f = formFromDetail(
      {
        script_type: 1,
        script_content: 'echo hi',
        script_language: 4,
        script_param: '******',
        script_timeout: 60,
        account: { id: 1, name: 'root' },
        server: { ip_list: [{ bk_host_id: 1, bk_cloud_id: 0, bk_cloud_name: '', ip: '10.0.0.1', bk_agent_id: '', alive: 1 }], topo_node_list: null, dynamic_group_list: null },
        is_param_sensitive: 1,
        is_ignore_error: 0,
      },
      'deploy',
    )
    expect(f).toEqual({ name: 'deploy', language: 4, content: 'echo hi', params: '', sensitive: true, timeout: 60, account: 'root', targets: '0:10.0.0.1', rolling: { enabled: false, expression: '', mode: 1 } })
  })
})
