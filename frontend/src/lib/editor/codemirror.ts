import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { HighlightStyle, bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { Compartment, EditorState, type Extension } from '@codemirror/state'
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, placeholder } from '@codemirror/view'
import { tags } from '@lezer/highlight'
import { loadLanguage } from './languages'

// The CodeMirror side of ScriptEditor.vue, loaded lazily (its own chunk):
// a view with line numbers, history and the default keys. Tab is left to
// move focus (no indentWithTab), so the editor never traps the keyboard.

export interface EditorOptions {
  doc: string
  language: number
  dark: boolean
  label: string
  placeholder: string
  onChange: (doc: string) => void
}

export interface EditorHandle {
  setDoc(doc: string): void
  setLanguage(code: number): Promise<void>
  setDark(dark: boolean): void
  // gotoLine puts the cursor at the start of line n (1-based, clamped),
  // scrolls it into view and focuses the editor.
  gotoLine(n: number): void
  destroy(): void
}

// darkHighlight is a dark palette for the same tags defaultHighlightStyle
// colours (its colours are for a white background).
const darkHighlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#c792ea' },
  { tag: [tags.string, tags.special(tags.string)], color: '#c3e88d' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: '#7f8c98', fontStyle: 'italic' },
  { tag: [tags.number, tags.bool, tags.null], color: '#f78c6c' },
  { tag: [tags.variableName, tags.special(tags.variableName)], color: '#82aaff' },
  { tag: [tags.definition(tags.variableName), tags.function(tags.variableName)], color: '#82aaff' },
  { tag: [tags.operator, tags.punctuation], color: '#89ddff' },
  { tag: [tags.meta, tags.labelName, tags.typeName, tags.className], color: '#ffcb6b' },
  { tag: tags.invalid, color: '#ff5370' },
])

function themeFor(dark: boolean): Extension {
  return [
    EditorView.theme(
      {
        // The background is the frame's (ScriptEditor.vue: Naive UI's input colour).
        '&': { color: dark ? '#e0e0e6' : '#1f2225', backgroundColor: 'transparent' },
        '.cm-content': { caretColor: dark ? '#ffffff' : '#000000' },
        '.cm-gutters': {
          backgroundColor: dark ? '#ffffff08' : '#00000005',
          color: dark ? '#6b6b75' : '#8a8f98',
          borderRight: `1px solid ${dark ? '#ffffff18' : '#e0e0e6'}`,
        },
        '.cm-activeLine': { backgroundColor: dark ? '#ffffff0a' : '#2080f00d' },
        '.cm-activeLineGutter': { backgroundColor: dark ? '#ffffff10' : '#2080f014' },
        '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: dark ? '#3a4a66' : '#cce0ff' },
        '.cm-placeholder': { color: dark ? '#6b6b75' : '#a0a4ab' },
      },
      { dark },
    ),
    syntaxHighlighting(dark ? darkHighlight : defaultHighlightStyle),
  ]
}

export function createEditor(parent: HTMLElement, o: EditorOptions): EditorHandle {
  const language = new Compartment()
  const theme = new Compartment()
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: o.doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        bracketMatching(),
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        placeholder(o.placeholder),
        EditorView.contentAttributes.of({ 'aria-label': o.label, 'aria-multiline': 'true', spellcheck: 'false' }),
        language.of([]),
        theme.of(themeFor(o.dark)),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) o.onChange(u.state.doc.toString())
        }),
      ],
    }),
  })
  let want = o.language
  async function setLanguage(code: number) {
    want = code
    const ext = await loadLanguage(code)
    if (want === code) view.dispatch({ effects: language.reconfigure(ext) }) // a later choice wins
  }
  void setLanguage(o.language)
  return {
    setDoc(doc) {
      if (doc !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: doc } })
    },
    setLanguage,
    setDark(dark) {
      view.dispatch({ effects: theme.reconfigure(themeFor(dark)) })
    },
    gotoLine(n) {
      const line = view.state.doc.line(Math.min(Math.max(1, Math.trunc(n)), view.state.doc.lines))
      view.dispatch({ selection: { anchor: line.from, head: line.to }, effects: EditorView.scrollIntoView(line.from, { y: 'center' }) })
      view.focus()
    },
    destroy() {
      view.destroy()
    },
  }
}
