import { describe, expect, it } from 'vitest'
import { diffLines, diffStats, maxCells } from './diff'
import { nextVersion, parseTags, versionActions } from './script_library'

describe('diffLines', () => {
  it('marks changed lines with both line numbers', () => {
    const d = diffLines('a\nb\nc\n', 'a\nB\nc\nd\n')
    expect(d.map((l) => `${l.op}:${l.text}`)).toEqual(['same:a', 'del:b', 'add:B', 'same:c', 'add:d'])
    expect(d[0]).toMatchObject({ a: 1, b: 1 })
    expect(d[3]).toMatchObject({ a: 3, b: 3 })
    expect(d[4]).toMatchObject({ b: 4 })
    expect(diffStats(d)).toEqual({ added: 2, removed: 1 })
  })
  it('handles empty texts and identical ones', () => {
    expect(diffLines('', 'x').map((l) => l.op)).toEqual(['add'])
    expect(diffLines('x\r\ny', 'x\ny').every((l) => l.op === 'same')).toBe(true)
  })
  it('falls back rather than build a huge table', () => {
    const n = Math.ceil(Math.sqrt(maxCells)) + 1
    const a = Array.from({ length: n }, (_, i) => `a${i}`).join('\n')
    const b = Array.from({ length: n }, (_, i) => `b${i}`).join('\n')
    const s = diffStats(diffLines(a, b))
    expect(s).toEqual({ added: n, removed: n })
  })
})

describe('script library helpers', () => {
  it('allows what bk-job allows per status', () => {
    expect(versionActions(0)).toMatchObject({ edit: true, publish: true, disable: false, remove: true, run: false })
    expect(versionActions(1)).toMatchObject({ edit: false, publish: false, disable: true, remove: false, run: true })
    expect(versionActions(2)).toMatchObject({ publish: true, disable: true, remove: true, run: true })
    expect(versionActions(3)).toMatchObject({ publish: false, disable: false, remove: true, run: false })
  })
  it('proposes the next version and reads tags', () => {
    expect(nextVersion('1.0.9')).toBe('1.0.10')
    expect(nextVersion('v2')).toBe('v3')
    expect(nextVersion('beta')).toBe('beta.1')
    expect(parseTags('ops, db ops，x')).toEqual(['ops', 'db', 'x'])
  })
})

describe('quick launch of a stored version', () => {
  it('runs by reference until the content is edited', async () => {
    const { emptyScriptForm, scriptRequest } = await import('./quick_script')
    const f = { ...emptyScriptForm(), content: 'echo hi\n', targets: '127.0.0.1' }
    f.stored = { id: 7, name: 's', version: '1', content: 'echo hi\n', language: 1 }
    const scope = { bk_scope_type: 'biz', bk_scope_id: '1' }
    const req = scriptRequest(f, scope)
    expect(req.script_version_id).toBe(7)
    expect(req.script_content).toBeUndefined()
    f.content = 'echo edited\n'
    const copy = scriptRequest(f, scope)
    expect(copy.script_version_id).toBeUndefined()
    expect(copy.script_content).toBeTruthy()
  })
})
