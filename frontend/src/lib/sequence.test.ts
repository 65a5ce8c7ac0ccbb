import { describe, expect, it } from 'vitest'
import { sequence } from './sequence'

describe('sequence', () => {
  it('keeps only the latest request current', () => {
    const seq = sequence()
    const first = seq.next()
    expect(first()).toBe(true)
    const second = seq.next()
    expect(first()).toBe(false)
    expect(second()).toBe(true)
  })

  it('drops a slow earlier answer that arrives last', async () => {
    const seq = sequence()
    const shown: string[] = []
    const ask = async (answer: string, wait: Promise<void>) => {
      const current = seq.next()
      await wait
      if (current()) shown.push(answer)
    }
    let releaseSlow!: () => void
    const slow = ask('old', new Promise((r) => (releaseSlow = r)))
    const fast = ask('new', Promise.resolve())
    await fast
    releaseSlow()
    await slow
    expect(shown).toEqual(['new'])
  })

  it('invalidates every request in flight', () => {
    const seq = sequence()
    const current = seq.next()
    seq.invalidate()
    expect(current()).toBe(false)
    expect(seq.next()()).toBe(true)
  })
})
