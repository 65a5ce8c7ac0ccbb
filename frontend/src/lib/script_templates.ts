import type { ScriptTemplate } from '../api/generated'

// templateFor is the content a new script of language starts with ("" when
// the platform has none for it).
export function templateFor(templates: readonly ScriptTemplate[], language: number): string {
  return templates.find((t) => t.script_language === language)?.content ?? ''
}

// swapTemplate is the editor's content after the language changed from
// `from` to `to`: the new language's template when the content is still
// the old template (or empty), else the user's own text, untouched.
export function swapTemplate(content: string, from: number, to: number, templates: readonly ScriptTemplate[]): string {
  const untouched = content.trim() === '' || content === templateFor(templates, from)
  return untouched ? templateFor(templates, to) : content
}
