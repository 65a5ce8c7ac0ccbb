import { computed, ref, type Ref } from 'vue'
import { useErrors } from '../stores/errors'

// A page of a list the server pages (bk-job's start/length/total shape).
export interface ServerPage<T> {
  data: T[] | null
  total: number
}

// useServerPages pages through a server list: the rows of the current
// page, the total, a loading flag, Naive UI's pagination, and goTo(page).
// A failed load is reported once through the error display.
export function useServerPages<T>(fetchPage: (start: number, length: number) => Promise<ServerPage<T>>, pageSize = 50) {
  const errors = useErrors()
  const rows = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(1)
  const loading = ref(false)

  async function load(): Promise<void> {
    loading.value = true
    try {
      const got = await fetchPage((page.value - 1) * pageSize, pageSize)
      rows.value = got.data ?? []
      total.value = got.total
    } catch (e) {
      errors.report(e)
    } finally {
      loading.value = false
    }
  }

  function goTo(p: number): Promise<void> {
    page.value = p
    return load()
  }

  const pagination = computed(() => ({ page: page.value, pageSize, itemCount: total.value }))
  return { rows, total, loading, load, goTo, pagination }
}
