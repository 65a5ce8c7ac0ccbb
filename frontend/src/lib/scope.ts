import { computed } from 'vue'
import { useRoute } from 'vue-router'

// useScope is the business of the current route, as the API's scope fields.
export function useScope() {
  const route = useRoute()
  const scopeType = computed(() => String(route.params.scopeType ?? 'biz'))
  const scopeId = computed(() => String(route.params.scopeId ?? '1'))
  const ref = computed(() => ({ bk_scope_type: scopeType.value, bk_scope_id: scopeId.value }))
  return { scopeType, scopeId, ref }
}
