import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError, call, transportHooks } from '../api/client'
import { useErrors, describeError } from './errors'
import { initialLanguage, initialTheme, usePreferences } from './preferences'
import { useProgress } from './progress'
import { useSession } from './session'
import { useBusiness } from './business'
import { businessTimeZone } from '../lib/format'

function storage(items: Record<string, string> = {}): Storage {
  const m = new Map(Object.entries(items))
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
    key: () => null,
    get length() {
      return m.size
    },
  }
}

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  document.cookie = 'bkjob_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT'
  vi.unstubAllGlobals()
})

describe('preferences', () => {
  it('remembers the language, else follows the browser', () => {
    expect(initialLanguage(storage({ 'bkjob.language': 'zh-CN' }), ['en-US'])).toBe('zh-CN')
    expect(initialLanguage(storage(), ['zh-TW', 'en'])).toBe('zh-CN')
    expect(initialLanguage(storage({ 'bkjob.language': 'fr' }), ['de'])).toBe('en')
    expect(initialTheme(storage({ 'bkjob.theme': 'dark' }))).toBe('dark')
    expect(initialTheme(storage())).toBe('light')
  })

  it('writes a change to localStorage', async () => {
    const p = usePreferences()
    p.language = 'zh-CN'
    p.toggleTheme()
    await Promise.resolve()
    expect(localStorage.getItem('bkjob.language')).toBe('zh-CN')
    expect(localStorage.getItem('bkjob.theme')).toBe('dark')
  })
})

describe('errors and progress', () => {
  it('shows the server message with its code, and dismisses it', () => {
    const errors = useErrors()
    errors.report(new ApiError(404, 1244006, '作业实例不存在'))
    errors.report(new Error('offline'))
    expect(errors.shown.map((e) => [e.message, e.code])).toEqual([
      ['作业实例不存在', 1244006],
      ['offline', undefined],
    ])
    errors.dismiss(errors.shown[0]!.id)
    expect(errors.shown).toHaveLength(1)
    errors.clear()
    expect(errors.shown).toHaveLength(0)
    expect(describeError('x')).toEqual({ message: 'x' })
  })

  it('counts requests in flight through the transport hooks', async () => {
    const progress = useProgress()
    transportHooks.onRequest = (d) => progress.track(d)
    transportHooks.language = () => 'zh-CN'
    let seen: Headers | undefined
    let release: () => void = () => {}
    const fetcher = (async (_u: string, init?: RequestInit) => {
      seen = new Headers(init?.headers)
      await new Promise<void>((r) => (release = r))
      return new Response('{}', { status: 200 })
    }) as typeof fetch
    const pending = call('x', {}, fetcher)
    await Promise.resolve()
    expect(progress.busy).toBe(true)
    release()
    await pending
    expect(progress.busy).toBe(false)
    expect(seen?.get('Accept-Language')).toBe('zh-CN')
    progress.track(-1)
    expect(progress.pending).toBe(0)
    transportHooks.onRequest = () => {}
    transportHooks.language = () => 'en'
  })
})

describe('session', () => {
  it('asks nobody without the CSRF cookie', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    expect(await useSession().load()).toBeNull()
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('loads the user, and treats a 401 as logged out', async () => {
    document.cookie = 'bkjob_csrf=tok'
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ username: 'admin', all_scopes: true }), { status: 200 })))
    const s = useSession()
    await s.load()
    expect(s.user?.username).toBe('admin')
    expect(s.isAdmin).toBe(true)
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ code: 1240004, message: 'no' }), { status: 401 })))
    expect(await s.load()).toBeNull()
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}', { status: 500 })))
    await expect(s.load()).rejects.toBeInstanceOf(ApiError)
  })

  it('logs in and out with the CSRF header', async () => {
    document.cookie = 'bkjob_csrf=tok'
    const calls: Array<[string, RequestInit | undefined]> = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        calls.push([url, init])
        return new Response(url.endsWith('/me') ? JSON.stringify({ username: 'bob', all_scopes: false }) : '{}', { status: 200 })
      }),
    )
    const s = useSession()
    await s.login('bob', 'pw')
    expect(s.user?.username).toBe('bob')
    await s.logout()
    expect(s.user).toBeNull()
    expect(calls.map((c) => `${c[1]?.method} ${c[0]}`)).toEqual(['POST /api/web/login', 'GET /api/web/me', 'POST /api/web/logout'])
    expect(new Headers(calls[2]![1]?.headers).get('X-CSRF-Token')).toBe('tok')
  })
})

describe('business', () => {
  it('loads the scope once and sets the time zone dates are shown in', async () => {
    const fetchMock = vi.fn(
      async () =>
        new Response(JSON.stringify({ bk_scope_type: 'biz', bk_scope_id: '1', bk_biz_id: 1, name: 'Default', time_zone: 'Europe/Paris' }), {
          status: 200,
        }),
    )
    vi.stubGlobal('fetch', fetchMock)
    const b = useBusiness()
    await b.load('biz', '1')
    expect(b.current?.name).toBe('Default')
    expect(businessTimeZone.value).toBe('Europe/Paris')
    await b.load('biz', '1')
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('forgets the zone when the next business cannot be read', async () => {
    businessTimeZone.value = 'Europe/Paris'
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ code: 1238001, message: 'no' }), { status: 403 })))
    const b = useBusiness()
    await expect(b.load('biz', '2')).rejects.toBeInstanceOf(ApiError)
    expect(b.current).toBeNull()
    expect(businessTimeZone.value).toBeUndefined()
  })

  it('keeps the business asked for last when an earlier answer comes late', async () => {
    // The server answers business 1 only after business 2, and refuses 3 late.
    const waiting: Array<() => void> = []
    const answer = (id: string, zone: string) =>
      new Response(JSON.stringify({ bk_scope_type: 'biz', bk_scope_id: id, bk_biz_id: Number(id), name: `Biz ${id}`, time_zone: zone }), { status: 200 })
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        const id = (JSON.parse(String(init.body)) as { bk_scope_id: string }).bk_scope_id
        if (id === '1') await new Promise<void>((go) => waiting.push(go))
        if (id === '3') {
          await new Promise<void>((go) => waiting.push(go))
          return new Response(JSON.stringify({ code: 1238001, message: 'no' }), { status: 403 })
        }
        return answer(id, id === '1' ? 'Asia/Shanghai' : 'Europe/Paris')
      }),
    )
    const b = useBusiness()
    const first = b.load('biz', '1')
    const third = b.load('biz', '3')
    const second = b.load('biz', '2')
    await second
    expect(b.current?.bk_scope_id).toBe('2')
    waiting.forEach((go) => go())
    await first
    await expect(third).resolves.toBeUndefined() // a stale failure is not reported
    expect(b.current?.bk_scope_id).toBe('2')
    expect(businessTimeZone.value).toBe('Europe/Paris')
  })
})
