import type { AccountNameRule, GlobalSettingsInfo, ScriptTemplate, UpdateGlobalSettingsRequest } from '../api/generated'

// The global settings page's forms, one per section, and the checks the
// server makes (modules/manage/manageimpl/settings.go), so what to fix
// shows as one types. The server stays the judge.

export const limits = { title: 64, footer: 256, helpLink: 512, rule: 256, ruleDescription: 256, maxUploadBytes: 5 * 1024 * 1024 }

export type ExtensionMode = 'any' | 'allow' | 'deny'

export interface SettingsForm {
  title: string
  footer: string
  helpLink: string
  maxSizeKiB: number
  extensionMode: ExtensionMode
  extensions: string[]
  rules: AccountNameRule[]
  templates: ScriptTemplate[]
}

export function formFromSettings(s: GlobalSettingsInfo): SettingsForm {
  const mode = s.file_upload.extension_mode
  return {
    title: s.platform_info.title,
    footer: s.platform_info.footer,
    helpLink: s.platform_info.help_link,
    maxSizeKiB: Math.round(s.file_upload.max_size_bytes / 1024),
    extensionMode: mode === 'allow' || mode === 'deny' ? mode : 'any',
    extensions: [...(s.file_upload.extension_list ?? [])],
    rules: (s.account_name_rules ?? []).map((r) => ({ ...r })),
    templates: (s.script_templates ?? []).map((t) => ({ ...t })),
  }
}

export type Section = 'platform' | 'upload' | 'rules' | 'templates'

// requestFor is update_global_settings carrying one section.
export function requestFor(section: Section, f: SettingsForm): UpdateGlobalSettingsRequest {
  switch (section) {
    case 'platform':
      return { platform_info: { title: f.title.trim(), footer: f.footer.trim(), help_link: f.helpLink.trim() } }
    case 'upload':
      return {
        file_upload: {
          max_size_bytes: f.maxSizeKiB * 1024,
          extension_mode: f.extensionMode,
          extension_list: f.extensionMode === 'any' ? [] : f.extensions.map(normalExtension),
        },
      }
    case 'rules':
      return { account_name_rules: f.rules.map((r) => ({ ...r, expression: r.expression.trim(), description: r.description.trim() })) }
    case 'templates':
      return { script_templates: f.templates.map((t) => ({ ...t })) }
  }
}

function normalExtension(e: string): string {
  return e.trim().replace(/^\./, '').toLowerCase()
}

// Problems maps a field (the server's names) to a catalogue key.
export type Problems = Record<string, string>

const controlChars = /\p{Cc}/u

export function settingsProblems(f: SettingsForm): Problems {
  const p: Problems = {}
  const line = (field: string, v: string, max: number) => {
    if ([...v].length > max) p[field] = 'ui.settings.too_long'
    else if (controlChars.test(v)) p[field] = 'ui.settings.one_line'
  }
  line('platform_info.title', f.title.trim(), limits.title)
  line('platform_info.footer', f.footer.trim(), limits.footer)
  line('platform_info.help_link', f.helpLink.trim(), limits.helpLink)
  if (f.helpLink.trim() !== '' && !/^https?:\/\/[^/\s]+/i.test(f.helpLink.trim())) p['platform_info.help_link'] = 'ui.settings.bad_link'
  const bytes = f.maxSizeKiB * 1024
  if (!Number.isInteger(f.maxSizeKiB) || bytes < 1024 || bytes > limits.maxUploadBytes) p['file_upload.max_size_bytes'] = 'ui.settings.bad_size'
  f.extensions.forEach((e, i) => {
    if (!/^[a-z0-9_+-]{0,16}$/.test(normalExtension(e))) p[`file_upload.extension_list[${i}]`] = 'ui.settings.bad_extension'
  })
  if (f.extensionMode === 'allow' && f.extensions.length === 0) p['file_upload.extension_list'] = 'ui.settings.allow_needs_one'
  f.rules.forEach((r, i) => {
    const expr = r.expression.trim()
    if (expr.length > limits.rule) p[`account_name_rules[${i}].expression`] = 'ui.settings.too_long'
    else if (expr !== '' && !compiles(expr)) p[`account_name_rules[${i}].expression`] = 'ui.settings.bad_regex'
    line(`account_name_rules[${i}].description`, r.description.trim(), limits.ruleDescription)
  })
  return p
}

function compiles(expr: string): boolean {
  try {
    new RegExp(`^(?:${expr})$`)
    return true
  } catch {
    return false
  }
}

// sectionOf says which section a field belongs to.
export function sectionProblems(p: Problems, section: Section): string[] {
  const prefix = { platform: 'platform_info', upload: 'file_upload', rules: 'account_name_rules', templates: 'script_templates' }[section]
  return Object.keys(p).filter((k) => k.startsWith(prefix))
}

// ruleMatches tries an account name on a rule as the server will (whole
// name): the page's live test. null when the rule is empty or broken.
export function ruleMatches(expression: string, name: string): boolean | null {
  const expr = expression.trim()
  if (expr === '' || !compiles(expr)) return null
  return new RegExp(`^(?:${expr})$`).test(name)
}
