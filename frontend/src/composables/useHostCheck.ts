import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { webApi, type HostCheck } from '../api/generated'
import { hostCount, type ParsedHostList } from '../lib/host_list'
import { checkFindings, checkRequest, maxCheckHosts } from '../lib/host_selection'
import { useScope } from '../lib/scope'
import { useErrors } from '../stores/errors'

// checkDelayMs is how long typing must pause before the list is checked.
const checkDelayMs = 400

// useHostCheck checks a pasted list against the business (check_hosts,
// one request for the whole list) once typing pauses, and keeps only the
// answer to the latest list: an older answer arriving late is dropped.
export function useHostCheck(list: Ref<ParsedHostList>) {
  const { ref: scope } = useScope()
  const errors = useErrors()
  const answer = ref<HostCheck | null>(null)
  const checking = ref(false)
  const tooMany = computed(() => hostCount(list.value) > maxCheckHosts)
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0

  async function check(gen: number) {
    const req = checkRequest(list.value)
    if (!req) {
      answer.value = null
      checking.value = false
      return
    }
    try {
      const got = await webApi.checkHosts({ ...scope.value, ...req })
      if (gen === generation) answer.value = got
    } catch (e) {
      if (gen === generation) errors.report(e)
    } finally {
      if (gen === generation) checking.value = false
    }
  }

  watch(
    [list, scope],
    () => {
      clearTimeout(timer)
      const gen = ++generation
      checking.value = hostCount(list.value) > 0 && !tooMany.value
      timer = setTimeout(() => void check(gen), checkDelayMs)
    },
    { immediate: true },
  )
  onBeforeUnmount(() => {
    clearTimeout(timer)
    generation++ // answers still on their way are dropped
  })

  const findings = computed(() => checkFindings(answer.value, list.value))
  return { answer, checking, tooMany, findings }
}
