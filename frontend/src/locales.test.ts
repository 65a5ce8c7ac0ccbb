import { describe, expect, it } from 'vitest'
import { messages } from './locales'

type Tree = { [key: string]: string | Tree }

// flatten maps every text to its dotted key, as vue-i18n resolves them.
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out.set(key, v)
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv)
  }
  return out
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]))].sort()
}

describe('message catalogue', () => {
  const en = flatten(messages.en)
  const zh = flatten(messages['zh-CN'])

  it('loads both languages', () => {
    expect(en.get('v3.success')).toBe('success')
    expect(zh.get('v3.success')).toBe('成功')
    expect(zh.get('status.host.9')).toBe('执行成功')
    expect(en.size).toBeGreaterThan(50)
  })

  it('has the same keys in both languages', () => {
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort())
  })

  it('has the same placeholders in both languages', () => {
    for (const [key, text] of en) {
      expect(placeholders(zh.get(key) ?? ''), key).toEqual(placeholders(text))
    }
  })
})
