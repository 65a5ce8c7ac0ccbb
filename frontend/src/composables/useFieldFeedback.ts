import type { Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { isMissing, type Problems } from '../lib/quick_file'

// useFieldFeedback turns a form's problems into NFormItem props: what is
// wrong shows as it is typed; what is only missing waits until the user
// tries to run (an empty form does not open in red).
export function useFieldFeedback(problems: Ref<Problems>, submitted: Ref<boolean>) {
  const { t } = useI18n()
  return function fb(field: string, help = ''): { validationStatus?: 'error'; feedback?: string } {
    const key = problems.value[field]
    if (key && (submitted.value || !isMissing(key))) return { validationStatus: 'error', feedback: t(key) }
    return help ? { feedback: help } : {}
  }
}
