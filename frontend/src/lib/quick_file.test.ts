import { describe, expect, it } from 'vitest'
import { emptyFileForm, fileFormProblems, fileRequest, isMissing } from './quick_file'
import { pathProblem } from './paths'

const scope = { bk_scope_type: 'biz', bk_scope_id: '1' }

describe('quick launch file form', () => {
  it('says what is missing, field by field', () => {
    expect(fileFormProblems(emptyFileForm())).toEqual({
      'sources.0.files': 'ui.quick_file.need_files',
      'sources.0.hosts': 'ui.quick_file.need_source_hosts',
      targetPath: 'ui.quick_file.need_target_path',
      targets: 'ui.quick_script.need_targets',
    })
    expect(isMissing('ui.quick_file.need_files')).toBe(true)
    expect(isMissing('ui.paths.not_absolute')).toBe(false)
  })

  it('says what is wrong as it is typed', () => {
    const f = emptyFileForm()
    f.sources[0] = { files: '/etc/hosts\nrelative/x', hosts: '10.0.0.1 what', account: ' ' }
    f.targetPath = '/data/../etc'
    f.uploadLimit = 0
    f.timeout = 0
    f.targets = '7'
    f.rolling = { enabled: true, expression: '', mode: 1 }
    expect(fileFormProblems(f)).toEqual({
      'sources.0.files': 'ui.paths.not_absolute',
      'sources.0.hosts': 'ui.quick_script.fix_targets',
      'sources.0.account': 'ui.quick_script.need_account',
      targetPath: 'ui.paths.dot_dot',
      uploadLimit: 'ui.quick_file.bad_limit',
      timeout: 'ui.quick_script.bad_timeout',
      rolling: 'ui.rolling.need_expression',
    })
    f.targetPath = '/data/[FILESRCIP]'
    expect(fileFormProblems(f).targetPath).toBe('ui.quick_file.macro_not_expanded')
  })

  it('builds fast_transfer_file with every source and the options given', () => {
    const f = emptyFileForm()
    f.name = ' copy '
    f.sources = [
      { files: ' /etc/hosts \n\n/var/log/app/ ', hosts: '0:127.0.0.71', account: 'root' },
      { files: 'C:\\logs\\a.txt', hosts: '12', account: 'admin' },
    ]
    f.targetPath = ' /tmp/in '
    f.transferMode = 3
    f.downloadLimit = 5
    f.timeout = 60
    f.targets = '1:10.0.0.2, 9'
    f.rolling = { enabled: true, expression: '50%', mode: 2 }
    expect(fileFormProblems(f)).toEqual({})
    expect(fileRequest(f, scope)).toEqual({
      ...scope,
      task_name: 'copy',
      account_alias: 'root',
      file_target_path: '/tmp/in',
      file_source_list: [
        { file_list: ['/etc/hosts', '/var/log/app/'], account: { alias: 'root' }, server: { ip_list: [{ bk_cloud_id: 0, ip: '127.0.0.71' }] } },
        { file_list: ['C:\\logs\\a.txt'], account: { alias: 'admin' }, server: { host_id_list: [12] } },
      ],
      transfer_mode: 3,
      timeout: 60,
      download_speed_limit: 5,
      target_server: { ip_list: [{ bk_cloud_id: 1, ip: '10.0.0.2' }], host_id_list: [9] },
      rolling_config: { expression: '50%', mode: 2 },
    })
  })
})

describe('paths', () => {
  it.each([
    ['/tmp/a', ''],
    ['C:\\data', ''],
    ['D:/data', ''],
    ['tmp/a', 'ui.paths.not_absolute'],
    ['/a/../b', 'ui.paths.dot_dot'],
    ['/a/b\u0001', 'ui.paths.control'],
  ])('%s', (p, want) => expect(pathProblem(p)).toBe(want))
})
