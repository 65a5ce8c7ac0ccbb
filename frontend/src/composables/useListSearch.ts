import { onBeforeUnmount, onMounted, ref, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'

// useListSearch is a list's search box kept in the URL (?<param>=…), so a
// filtered view can be shared: `text` is what is typed, `applied` the
// filter in force (a pause in typing or Enter applies it), and `/`
// focuses the box (focus() is given the input by the page).
export function useListSearch(param: string, onApply: (value: string) => void, delayMs = 300) {
  const route = useRoute()
  const router = useRouter()
  const initial = typeof route.query[param] === 'string' ? (route.query[param] as string) : ''
  const text = ref(initial)
  const applied = ref(initial)
  let timer: ReturnType<typeof setTimeout> | undefined

  function apply() {
    clearTimeout(timer)
    const v = text.value.trim()
    if (v === applied.value) return
    applied.value = v
    const query = { ...route.query }
    if (v) query[param] = v
    else delete query[param]
    void router.replace({ query })
    onApply(v)
  }
  watch(text, () => {
    clearTimeout(timer)
    timer = setTimeout(apply, delayMs)
  })

  let focusBox: () => void = () => {}
  function onKey(e: KeyboardEvent) {
    const el = e.target as HTMLElement | null
    const typing = !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable)
    if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault()
      focusBox()
    }
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => {
    clearTimeout(timer)
    window.removeEventListener('keydown', onKey)
  })
  return {
    text,
    applied,
    apply,
    setFocus: (f: () => void) => {
      focusBox = f
    },
  }
}
