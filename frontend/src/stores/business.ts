import { defineStore } from 'pinia'
import { ref } from 'vue'
import { webApi, type Scope, type ScopeInfo } from '../api/generated'
import { businessTimeZone } from '../lib/format'
import { sequence } from '../lib/sequence'

// useBusiness is the business of the current route as the server describes
// it (get_scope): its name for the switcher and its time zone, in which
// every date of its pages is shown; and the businesses and business sets
// the user may use (list_authorized_scopes, cut by the server), which the
// switcher offers.
export const useBusiness = defineStore('business', () => {
  const current = ref<Scope | null>(null)
  const scopes = ref<ScopeInfo[]>([])
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

  // loadScopes fetches the list the switcher offers.
  async function loadScopes(): Promise<void> {
    scopes.value = (await webApi.listAuthorizedScopes({})).data ?? []
  }

  // changed forgets the current scope and reloads the list: an
  // administrator edited a business (its name or time zone may be new).
  async function changed(scopeType: string, scopeId: string): Promise<void> {
    current.value = null
    await Promise.all([loadScopes(), load(scopeType, scopeId)])
  }

  return { current, scopes, load, loadScopes, changed }
})
