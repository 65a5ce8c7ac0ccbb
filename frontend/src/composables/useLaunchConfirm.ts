import { NInput, useDialog } from 'naive-ui'
import { h, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { typedConfirmAbove } from '../lib/quick_script'

export interface LaunchConfirm {
  title: string
  body: string // names the host count
  action: string // the confirm button's text
  hosts: number
  run: () => Promise<unknown>
}

// useLaunchConfirm asks before a quick launch runs on hosts: a dialog
// naming the host count, and above typedConfirmAbove hosts the count typed
// (a fleet-wide action must not be one careless click).
export function useLaunchConfirm() {
  const { t } = useI18n()
  const dialog = useDialog()
  return function confirm(c: LaunchConfirm) {
    const typed = ref('')
    const needsTyping = c.hosts > typedConfirmAbove
    dialog.warning({
      title: c.title,
      content: () =>
        h('div', [
          h('p', c.body),
          needsTyping
            ? h(NInput, {
                value: typed.value,
                'onUpdate:value': (v: string) => (typed.value = v),
                placeholder: t('ui.quick_script.type_count', { n: c.hosts }),
                inputProps: { name: 'typed-count' },
              })
            : null,
        ]),
      positiveText: c.action,
      negativeText: t('ui.common.cancel'),
      positiveButtonProps: { 'data-test': 'confirm-run' } as never,
      // Above the threshold the dialog stays open until the count is typed.
      onPositiveClick: () => (needsTyping && typed.value.trim() !== String(c.hosts) ? false : c.run()),
    })
  }
}
