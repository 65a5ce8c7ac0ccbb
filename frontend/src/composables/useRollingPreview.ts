import { onScopeDispose, ref, watch, type Ref } from 'vue'
import { webApi, type RollingPlan } from '../api/generated'
import { previewRequest, type RollingForm } from '../lib/rolling'
import { sequence } from '../lib/sequence'

// debounceMS is how long typing must pause before the preview is asked for.
export const debounceMS = 300

// useRollingPreview asks the server (rolling_preview) for the batches of
// the rolling expression over the targets, as the user types (debounced;
// an older answer never replaces a newer one). An expression the server
// refuses gives its message in `error`, for the expression field.
export function useRollingPreview(rolling: () => RollingForm, targets: () => string, scope: Ref<{ bk_scope_type: string; bk_scope_id: string }>) {
  const plan = ref<RollingPlan | null>(null)
  const error = ref('')
  const loading = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  const loads = sequence()

  async function load() {
    const current = loads.next()
    const req = previewRequest(rolling(), targets(), scope.value)
    if (!req) {
      plan.value = null
      error.value = ''
      return
    }
    loading.value = true
    try {
      const answer = await webApi.rollingPreview(req)
      if (!current()) return
      plan.value = answer
      error.value = ''
    } catch (e) {
      if (!current()) return
      plan.value = null
      error.value = e instanceof Error ? e.message : String(e)
    } finally {
      if (current()) loading.value = false
    }
  }

  watch(
    () => [rolling().enabled, rolling().expression, targets()],
    () => {
      clearTimeout(timer)
      timer = setTimeout(() => void load(), debounceMS)
    },
    { immediate: true },
  )
  onScopeDispose(() => clearTimeout(timer))
  return { plan, error, loading }
}
