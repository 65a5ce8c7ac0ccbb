import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

// useProgress counts the API requests in flight, for the global indicator.
export const useProgress = defineStore('progress', () => {
  const pending = ref(0)
  const busy = computed(() => pending.value > 0)
  function track(delta: 1 | -1) {
    pending.value = Math.max(0, pending.value + delta)
  }
  return { pending, busy, track }
})
