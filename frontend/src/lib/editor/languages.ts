import { StreamLanguage, type StreamParser } from '@codemirror/language'
import type { Extension } from '@codemirror/state'

// languageLoaders gives the CodeMirror language for each bk-job
// script_language code (1 shell, 2 bat, 3 perl, 4 python, 5 powershell,
// 6 SQL); each is its own lazy chunk, so opening the editor for a shell
// script does not load the SQL parser. 0 is plain text.
export const languageLoaders: Record<number, () => Promise<Extension>> = {
  1: async () => stream((await import('@codemirror/legacy-modes/mode/shell')).shell),
  2: async () => stream((await import('./bat')).bat),
  3: async () => stream((await import('@codemirror/legacy-modes/mode/perl')).perl),
  4: async () => (await import('@codemirror/lang-python')).python(),
  5: async () => stream((await import('@codemirror/legacy-modes/mode/powershell')).powerShell),
  6: async () => {
    const m = await import('@codemirror/lang-sql')
    return m.sql({ dialect: m.MySQL }) // bk-job runs SQL against MySQL
  },
}

function stream<S>(parser: StreamParser<S>): Extension {
  return StreamLanguage.define(parser)
}

// loadLanguage is the language extension for a code; plain text ([]) for
// 0 or an unknown code.
export async function loadLanguage(code: number): Promise<Extension> {
  const load = languageLoaders[code]
  return load ? load() : []
}
