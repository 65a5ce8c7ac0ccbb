import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { webApi, type GlobalSettingsInfo } from '../api/generated'

// useGlobalSettings holds the platform's global settings (get_global_settings),
// read once per session: the title, footer and help link the shell shows,
// and the templates new scripts start from. The settings page replaces them
// after a save (changed), so the shell follows at once.
export const useGlobalSettings = defineStore('globalSettings', () => {
  const settings = ref<GlobalSettingsInfo | null>(null)
  let loading: Promise<void> | null = null

  function load(): Promise<void> {
    loading ??= webApi
      .getGlobalSettings({})
      .then((s) => {
        settings.value = s
      })
      .catch((e: unknown) => {
        loading = null // try again next time
        throw e
      })
    return loading
  }

  function changed(s: GlobalSettingsInfo) {
    settings.value = s
  }

  const info = computed(() => settings.value?.platform_info ?? { title: '', footer: '', help_link: '' })
  const templates = computed(() => settings.value?.script_templates ?? [])

  return { settings, info, templates, load, changed }
})
