import { describe, expect, it } from 'vitest'
import { emptyPushConfigForm, maxConfigBytes, pushConfigProblems, pushConfigRequest } from './push_config'

const scope = { bk_scope_type: 'biz', bk_scope_id: '1' }

describe('push config file form', () => {
  it('says what to fix', () => {
    expect(pushConfigProblems(emptyPushConfigForm())).toEqual({
      fileName: 'ui.push_config.need_file_name',
      targetPath: 'ui.quick_file.need_target_path',
      targets: 'ui.quick_script.need_targets',
    })
    const f = { ...emptyPushConfigForm(), fileName: '../x', targetPath: 'etc', targets: '10.0.0.1', content: 'x'.repeat(maxConfigBytes + 1) }
    expect(pushConfigProblems(f)).toEqual({
      fileName: 'ui.push_config.bad_file_name',
      content: 'ui.push_config.too_big',
      targetPath: 'ui.paths.not_absolute',
    })
    expect(pushConfigProblems({ ...f, fileName: 'n'.repeat(256) }).fileName).toBe('ui.push_config.long_file_name')
  })

  it('builds push_config_file with the content in base64', () => {
    const f = { ...emptyPushConfigForm(), fileName: ' app.conf ', content: 'k=v\n', targetPath: '/etc/app', targets: '0:127.0.0.71', timeout: 30 }
    expect(pushConfigProblems(f)).toEqual({})
    expect(pushConfigRequest(f, scope)).toEqual({
      ...scope,
      account_alias: 'root',
      file_target_path: '/etc/app',
      file_list: [{ file_name: 'app.conf', content: 'az12Cg==' }],
      timeout: 30,
      target_server: { ip_list: [{ bk_cloud_id: 0, ip: '127.0.0.71' }] },
    })
  })
})
