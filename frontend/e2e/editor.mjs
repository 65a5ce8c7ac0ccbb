// Helpers to drive ScriptEditor (CodeMirror) from a browser scenario, as a
// user does: focus the editor, select all, paste the text (a paste event
// with the text on its clipboard, which CodeMirror inserts as one change).

// editorSelector is the editable part of the ScriptEditor on the page.
export const editorSelector = '[data-test=script-editor] .cm-content'

// fillEditor replaces the editor's text with text.
export async function fillEditor(page, text, selector = editorSelector) {
  const content = page.locator(selector)
  await content.waitFor()
  await content.click()
  await page.keyboard.press('Control+A')
  await content.evaluate((el, t) => {
    const data = new DataTransfer()
    data.setData('text/plain', t)
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  }, text)
}

// editorText is the editor's text, line by line as CodeMirror shows it.
export function editorText(selector = editorSelector) {
  const lines = document.querySelectorAll(`${selector} .cm-line`)
  return Array.from(lines, (l) => l.textContent ?? '').join('\n')
}
