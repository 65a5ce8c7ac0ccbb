import { describe, expect, it } from 'vitest'
import type { GlobalSettingsInfo } from '../api/generated'
import { formFromSettings, requestFor, ruleMatches, sectionProblems, settingsProblems } from './global_settings'

const stored: GlobalSettingsInfo = {
  platform_info: { title: '', footer: '', help_link: '' },
  file_upload: { max_size_bytes: 5 * 1024 * 1024, extension_mode: 'any', extension_list: [] },
  account_name_rules: [{ account_type: 1, expression: '', description: '' }],
  script_templates: [{ script_language: 1, content: '#!/bin/bash\n' }],
  last_modify_user: '',
  last_modify_time: 0,
}

describe('global settings form', () => {
  it('starts from the stored settings and has nothing to fix', () => {
    const f = formFromSettings(stored)
    expect(f.maxSizeKiB).toBe(5120)
    expect(settingsProblems(f)).toEqual({})
  })
  it('names the fields to fix, by the server names', () => {
    const f = formFromSettings(stored)
    f.title = 'x'.repeat(65)
    f.helpLink = 'javascript:alert(1)'
    f.maxSizeKiB = 6000
    f.extensionMode = 'allow'
    f.rules[0]!.expression = 'ops_('
    const p = settingsProblems(f)
    expect(p['platform_info.title']).toBe('ui.settings.too_long')
    expect(p['platform_info.help_link']).toBe('ui.settings.bad_link')
    expect(p['file_upload.max_size_bytes']).toBe('ui.settings.bad_size')
    expect(p['file_upload.extension_list']).toBe('ui.settings.allow_needs_one')
    expect(p['account_name_rules[0].expression']).toBe('ui.settings.bad_regex')
    expect(sectionProblems(p, 'upload')).toEqual(['file_upload.max_size_bytes', 'file_upload.extension_list'])
    expect(sectionProblems(p, 'templates')).toEqual([])
  })
  it('sends one section, extensions normalised', () => {
    const f = formFromSettings(stored)
    f.extensionMode = 'deny'
    f.extensions = ['.SH', 'exe']
    f.maxSizeKiB = 64
    expect(requestFor('upload', f)).toEqual({ file_upload: { max_size_bytes: 65536, extension_mode: 'deny', extension_list: ['sh', 'exe'] } })
    f.title = '  Ops  '
    expect(requestFor('platform', f)).toEqual({ platform_info: { title: 'Ops', footer: '', help_link: '' } })
  })
  it('tries a naming rule on a whole name', () => {
    expect(ruleMatches('ops_[a-z]+', 'ops_deploy')).toBe(true)
    expect(ruleMatches('ops_[a-z]+', 'x_ops_deploy')).toBe(false)
    expect(ruleMatches('', 'x')).toBeNull()
    expect(ruleMatches('(', 'x')).toBeNull()
  })
})
