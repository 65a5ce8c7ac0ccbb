import { defineStore } from 'pinia'
import { ref } from 'vue'
import { webApi, type Scope } from '../api/generated'
import { businessTimeZone } from '../lib/format'

// useBusiness is the business of the current route as the server describes
// it (get_scope): its name for the switcher and its time zone, in which
// every date of its pages is shown.
export const useBusiness = defineStore('business', () => {
  const current = ref<Scope | null>(null)

  // load fetches the scope unless it is the one already loaded. On failure
  // (no such business, no permission) dates fall back to the browser's zone
  // and the caller reports the error.
  async function load(scopeType: string, scopeId: string): Promise<void> {
    if (current.value?.bk_scope_type === scopeType && current.value.bk_scope_id === scopeId) return
    current.value = null
    businessTimeZone.value = undefined
    const sc = await webApi.getScope({ bk_scope_type: scopeType, bk_scope_id: scopeId })
    current.value = sc
    businessTimeZone.value = sc.time_zone || undefined
  }

  return { current, load }
})
