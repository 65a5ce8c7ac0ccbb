import type { StreamParser } from '@codemirror/language'

// bat is a small stream parser for Windows batch files (legacy-modes has
// none): comments (REM, ::), labels, %VAR% / %%i / !VAR! variables, strings
// and the common commands. Enough to read a script, not a full cmd.exe grammar.
const keywords = new Set([
  'call', 'cd', 'chdir', 'choice', 'cls', 'copy', 'del', 'defined', 'dir', 'do', 'echo', 'else', 'endlocal',
  'equ', 'errorlevel', 'exist', 'exit', 'for', 'geq', 'goto', 'gtr', 'if', 'in', 'leq', 'lss', 'md', 'mkdir',
  'move', 'neq', 'not', 'pause', 'popd', 'pushd', 'rd', 'ren', 'rmdir', 'set', 'setlocal', 'shift', 'start',
  'title', 'type', 'xcopy',
])

interface BatState {
  lineStart: boolean
}

export const bat: StreamParser<BatState> = {
  name: 'bat',
  startState: () => ({ lineStart: true }),
  token(stream, state) {
    if (stream.sol()) state.lineStart = true
    if (stream.eatSpace()) return null
    const first = state.lineStart
    state.lineStart = false
    if (first) {
      if (stream.match(/^(rem(\s|$)|::)/i)) {
        stream.skipToEnd()
        return 'comment'
      }
      if (stream.match(/^:[\w.-]+/)) return 'labelName'
      if (stream.eat('@')) {
        state.lineStart = true // "@echo off": the command follows
        return 'meta'
      }
    }
    if (stream.match(/^%%~?[a-z]/i) || stream.match(/^%~?[0-9*]/) || stream.match(/^%[^%\s]+%/) || stream.match(/^![^!\s]+!/)) {
      return 'variableName'
    }
    if (stream.eat('"')) {
      while (!stream.eol()) if (stream.next() === '"') break
      return 'string'
    }
    if (stream.match(/^\d+\b/)) return 'number'
    if (stream.match(/^(&&|\|\||[&|<>]+)/)) {
      state.lineStart = true // a new command follows an operator
      return 'operator'
    }
    if (stream.match(/^[\w.-]+/)) {
      return keywords.has(stream.current().toLowerCase()) ? 'keyword' : null
    }
    stream.next()
    return null
  },
}
