import { computed } from 'vue'
import { useRoute } from 'vue-router'
import { lastScope } from '../router/routes'

// useScope is the business of the current route, as the API's scope
// fields; on a platform page (no business in the path), the one used last.
export function useScope() {
  const route = useRoute()
  const scopeType = computed(() => String(route.params.scopeType ?? lastScope().scopeType))
  const scopeId = computed(() => String(route.params.scopeId ?? lastScope().scopeId))
  const ref = computed(() => ({ bk_scope_type: scopeType.value, bk_scope_id: scopeId.value }))
  return { scopeType, scopeId, ref }
}
