import en from '@locales/en.json'
import zhCN from '@locales/zh-CN.json'

// The message catalogue, one object per language, as vue-i18n takes it
// (createI18n({ messages })). The files are the server's own
// (platform/i18n/locales), so the UI and the v3 API say the same thing.
export const messages = { en, 'zh-CN': zhCN }

export type Locale = keyof typeof messages
