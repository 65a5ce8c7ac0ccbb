import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError } from '../api/client'

// ShownError is one error as the error display shows it.
export interface ShownError {
  id: number
  message: string
  code?: number
}

// describeError turns anything thrown into the text to show: the server's
// message (already in the user's language) with its code.
export function describeError(e: unknown): Omit<ShownError, 'id'> {
  if (e instanceof ApiError) return { message: e.message, code: e.code || undefined }
  if (e instanceof Error) return { message: e.message }
  return { message: String(e) }
}

// useErrors is the one error display's queue: pages report, ErrorDisplay shows.
export const useErrors = defineStore('errors', () => {
  const shown = ref<ShownError[]>([])
  let next = 1
  function report(e: unknown) {
    shown.value.push({ id: next++, ...describeError(e) })
  }
  function dismiss(id: number) {
    shown.value = shown.value.filter((x) => x.id !== id)
  }
  function clear() {
    shown.value = []
  }
  return { shown, report, dismiss, clear }
})
