import { createI18n } from 'vue-i18n'
import { messages, type Locale } from './locales'

// The UI's languages, in the order the switch shows them; each names itself.
export const languages: ReadonlyArray<{ locale: Locale; label: string }> = [
  { locale: 'en', label: 'English' },
  { locale: 'zh-CN', label: '简体中文' },
]

export function isLocale(v: unknown): v is Locale {
  return languages.some((l) => l.locale === v)
}

// createAppI18n builds vue-i18n on the one shared catalogue.
export function createAppI18n(locale: Locale) {
  return createI18n({ legacy: false, locale, fallbackLocale: 'en', messages })
}
