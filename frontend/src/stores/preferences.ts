import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { isLocale } from '../i18n'
import type { Locale } from '../locales'

export type Theme = 'light' | 'dark'

const languageKey = 'bkjob.language'
const themeKey = 'bkjob.theme'

// initialLanguage is the remembered choice, else the browser's first
// language we speak, else English.
export function initialLanguage(storage: Storage = localStorage, browser: readonly string[] = navigator.languages): Locale {
  const saved = storage.getItem(languageKey)
  if (isLocale(saved)) return saved
  return browser.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en'
}

export function initialTheme(storage: Storage = localStorage): Theme {
  return storage.getItem(themeKey) === 'dark' ? 'dark' : 'light'
}

// usePreferences holds the language and theme, remembered in localStorage.
export const usePreferences = defineStore('preferences', () => {
  const language = ref<Locale>(initialLanguage())
  const theme = ref<Theme>(initialTheme())
  watch(language, (v) => localStorage.setItem(languageKey, v))
  watch(theme, (v) => localStorage.setItem(themeKey, v))
  function toggleTheme() {
    theme.value = theme.value === 'dark' ? 'light' : 'dark'
  }
  return { language, theme, toggleTheme }
})
