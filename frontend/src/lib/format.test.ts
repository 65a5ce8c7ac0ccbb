import { describe, expect, it } from 'vitest'
import { businessTimeZone, encodeBase64, formatDuration, formatTime, type Translate } from './format'

// t writes the key and its arguments, so the tests see which phrase was picked.
const t: Translate = (key, args) => `${key}${JSON.stringify(args ?? {})}`

describe('formatting', () => {
  it('writes durations in their two largest units', () => {
    expect(formatDuration(undefined, t)).toBe('—')
    expect(formatDuration(250, t)).toBe('ui.duration.ms{"n":250}')
    expect(formatDuration(12_400, t)).toBe('ui.duration.s{"s":12}')
    expect(formatDuration(72_000, t)).toBe('ui.duration.min_s{"min":1,"s":12}')
    expect(formatDuration(3_720_000, t)).toBe('ui.duration.h_min{"h":1,"min":2}')
  })

  it('writes times in the locale and zone, and no time as a dash', () => {
    expect(formatTime(0, 'en')).toBe('—')
    expect(formatTime(Date.UTC(2026, 0, 2, 3, 4, 5), 'en-GB', 'UTC')).toBe('02/01/2026, 03:04:05')
  })

  it('shows times in the business time zone unless told another', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5)
    businessTimeZone.value = 'Asia/Shanghai'
    try {
      expect(formatTime(at, 'en-GB')).toBe('02/01/2026, 11:04:05')
      expect(formatTime(at, 'en-GB', 'UTC')).toBe('02/01/2026, 03:04:05')
      businessTimeZone.value = 'America/New_York'
      expect(formatTime(at, 'en-GB')).toBe('01/01/2026, 22:04:05')
    } finally {
      businessTimeZone.value = undefined
    }
  })

  it('shows a date in the browser zone when the business zone is unknown', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5)
    const browser = new Intl.DateTimeFormat('en-GB', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    }).format(new Date(at))
    expect(formatTime(at, 'en-GB', 'Mars/Olympus_Mons')).toBe(browser)
    businessTimeZone.value = 'not a zone'
    try {
      expect(formatTime(at, 'en-GB')).toBe(browser)
    } finally {
      businessTimeZone.value = undefined
    }
  })

  it('encodes UTF-8 text as base64', () => {
    expect(encodeBase64('echo hi')).toBe('ZWNobyBoaQ==')
    expect(atob(encodeBase64('你好'))).toBe('\xe4\xbd\xa0\xe5\xa5\xbd')
  })
})
