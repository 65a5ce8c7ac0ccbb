import { describe, expect, it } from 'vitest'
import { hostCount, isIPv4, parseHostList, parseHostToken } from './host_list'

describe('host list parsing', () => {
  it('reads plain IPs, cloud:IP and host ids, with any separator', () => {
    const got = parseHostList('10.0.0.1\n2:10.0.0.2, 10.0.0.3;10.0.0.4 | 42\t7，10.0.0.5')
    expect(got.ips).toEqual([
      { bk_cloud_id: 0, ip: '10.0.0.1' },
      { bk_cloud_id: 2, ip: '10.0.0.2' },
      { bk_cloud_id: 0, ip: '10.0.0.3' },
      { bk_cloud_id: 0, ip: '10.0.0.4' },
      { bk_cloud_id: 0, ip: '10.0.0.5' },
    ])
    expect(got.hostIds).toEqual([42, 7])
    expect(got.invalid).toEqual([])
    expect(hostCount(got)).toBe(7)
  })

  it('keeps each host once; 10.0.0.1 and 0:10.0.0.1 are the same host', () => {
    const got = parseHostList('10.0.0.1\n0:10.0.0.1\n1:10.0.0.1\n5\n5')
    expect(got.ips).toEqual([
      { bk_cloud_id: 0, ip: '10.0.0.1' },
      { bk_cloud_id: 1, ip: '10.0.0.1' },
    ])
    expect(got.hostIds).toEqual([5])
  })

  it('names what it does not understand, once each', () => {
    const got = parseHostList('10.0.0.256 host-a 1:x 01.2.3.4 host-a 0')
    expect(got.invalid).toEqual(['10.0.0.256', 'host-a', '1:x', '01.2.3.4', '0'])
    expect(hostCount(got)).toBe(0)
  })

  it('reads nothing from blank text', () => {
    expect(parseHostList('  \n\n ')).toEqual({ ips: [], hostIds: [], invalid: [] })
  })

  it('checks IPv4 addresses strictly', () => {
    expect(isIPv4('255.255.255.255')).toBe(true)
    expect(isIPv4('1.2.3')).toBe(false)
    expect(isIPv4('1.2.3.4.5')).toBe(false)
    expect(isIPv4('1.2.3.-4')).toBe(false)
    expect(parseHostToken('3:127.0.0.1')).toEqual({ bk_cloud_id: 3, ip: '127.0.0.1' })
  })

  it('reads ten thousand lines, repeats and bad lines among them', () => {
    const lines = Array.from({ length: 10000 }, (_, i) => `0:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
    // Every tenth line is a host id, every hundredth is junk (each junk
    // line distinct), and the first hundred lines come again at the end.
    const mixed = lines.map((l, i) => (i % 100 === 99 ? `bad-${i}` : i % 10 === 9 ? String(100000 + i) : l))
    const text = mixed.concat(mixed.slice(0, 100)).join('\n')
    const got = parseHostList(text)
    expect(got.invalid).toHaveLength(100)
    expect(got.invalid[0]).toBe('bad-99')
    expect(got.hostIds).toHaveLength(900)
    expect(got.ips).toHaveLength(9000)
    expect(got.ips[9000 - 1]).toEqual({ bk_cloud_id: 0, ip: '10.0.39.14' })
    expect(hostCount(got)).toBe(9900)
  })
})
