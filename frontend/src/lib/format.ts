import { ref } from 'vue'

// Formatting of times and durations for people: absolute times in the
// user's locale and the business's time zone, durations as `1 min 12 s`.
// The translator is passed in so these stay plain functions (unit-tested
// without mounting anything).

export type Translate = (key: string, args?: Record<string, unknown>) => string

// formatDuration writes milliseconds as the two largest units.
export function formatDuration(ms: number | undefined, t: Translate): string {
  if (ms === undefined || ms < 0) return '—'
  if (ms < 1000) return t('ui.duration.ms', { n: Math.round(ms) })
  const s = Math.floor(ms / 1000)
  if (s < 60) return t('ui.duration.s', { s })
  const min = Math.floor(s / 60)
  if (min < 60) return t('ui.duration.min_s', { min, s: s % 60 })
  return t('ui.duration.h_min', { h: Math.floor(min / 60), min: min % 60 })
}

// businessTimeZone is the current business's IANA zone (stores/business.ts
// sets it); undefined means the browser's. It is a ref so that a page whose
// dates were formatted before the zone arrived renders them again.
export const businessTimeZone = ref<string | undefined>()

const timeFormat: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
}

// formatTime writes a Unix time in milliseconds in the locale, in timeZone
// when given, else in the business's zone; 0 is no time. A zone the
// browser does not know (a business configured with a name its Intl data
// lacks, or a typo) would make Intl throw a RangeError and blank the page:
// the date is then shown in the browser's zone instead.
export function formatTime(ms: number | undefined, locale: string, timeZone?: string): string {
  if (!ms) return '—'
  timeZone ??= businessTimeZone.value
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat(locale, { ...timeFormat, timeZone })
  } catch (e) {
    if (!(e instanceof RangeError) || timeZone === undefined) throw e
    format = new Intl.DateTimeFormat(locale, timeFormat)
  }
  return format.format(new Date(ms))
}

// encodeBase64 encodes text as UTF-8 then base64 (the API's script_content).
export function encodeBase64(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin)
}
