import { defineStore } from 'pinia'
import { ref } from 'vue'
import { webApi, type Scope } from '../api/generated'
import { businessTimeZone } from '../lib/format'
import { sequence } from '../lib/sequence'

// useBusiness is the business of the current route as the server describes
// it (get_scope): its name for the switcher and its time zone, in which
// every date of its pages is shown.
export const useBusiness = defineStore('business', () => {
  const current = ref<Scope | null>(null)
  // Switching business quickly: only the answer for the business asked for
  // last is applied (a slow answer for an earlier one is dropped, its
  // failure too).
  const asked = sequence()

  // load fetches the scope unless it is the one already loaded. On failure
  // (no such business, no permission) dates fall back to the browser's zone
  // and the caller reports the error.
  async function load(scopeType: string, scopeId: string): Promise<void> {
    if (current.value?.bk_scope_type === scopeType && current.value.bk_scope_id === scopeId) return
    const latest = asked.next()
    current.value = null
    businessTimeZone.value = undefined
    let sc: Scope
    try {
      sc = await webApi.getScope({ bk_scope_type: scopeType, bk_scope_id: scopeId })
    } catch (e) {
      if (latest()) throw e
      return
    }
    if (!latest()) return
    current.value = sc
    businessTimeZone.value = sc.time_zone || undefined
  }

  return { current, load }
})
