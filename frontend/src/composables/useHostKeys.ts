import { onBeforeUnmount, onMounted } from 'vue'

// isTyping: the key goes to a text field, not to the page.
function isTyping(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.isContentEditable)
}

// useHostKeys gives the task page its keys: `/` focuses the search, `j`/`k`
// or the down/up arrows move through the hosts.
export function useHostKeys(focusSearch: () => void, move: (delta: 1 | -1) => void) {
  function onKey(e: KeyboardEvent) {
    if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return
    if (e.key === '/') {
      e.preventDefault()
      focusSearch()
    } else if (e.key === 'j' || e.key === 'ArrowDown') {
      e.preventDefault()
      move(1)
    } else if (e.key === 'k' || e.key === 'ArrowUp') {
      e.preventDefault()
      move(-1)
    }
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
