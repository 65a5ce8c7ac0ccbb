// The web API's transport: POST JSON to /api/web/<name> with the session
// cookie and the CSRF token, and turn an error body into an ApiError.
// generated/ (written from the server's declarations) calls it.

export const webBase = '/api/web/'

// ApiError is the server's error body: the same numeric codes as v3.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly field?: string,
    readonly permission?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

// transportHooks let the app tell the transport the UI's language (sent as
// Accept-Language, so the server's messages match) and watch requests in
// flight (the global progress indicator). The defaults suit tests.
export const transportHooks: {
  language: () => string
  onRequest: (delta: 1 | -1) => void
} = { language: () => 'en', onRequest: () => {} }

// csrfToken is the session's token from the bkjob_csrf cookie.
export function csrfToken(cookie: string = document.cookie): string {
  for (const part of cookie.split(';')) {
    const [k, v] = part.trim().split('=')
    if (k === 'bkjob_csrf' && v) return decodeURIComponent(v)
  }
  return ''
}

// call POSTs req to the named web method and returns its answer.
export function call<T>(name: string, req: unknown, fetcher: typeof fetch = fetch): Promise<T> {
  return send<T>(name, 'POST', JSON.stringify(req ?? {}), fetcher)
}

// get reads a GET-only web path (/api/web/me).
export function get<T>(name: string, fetcher: typeof fetch = fetch): Promise<T> {
  return send<T>(name, 'GET', undefined, fetcher)
}

async function send<T>(name: string, method: string, body: string | undefined, fetcher: typeof fetch): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': transportHooks.language() }
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json'
    headers['X-CSRF-Token'] = csrfToken()
  }
  transportHooks.onRequest(1)
  try {
    const res = await fetcher(webBase + name, { method, credentials: 'same-origin', headers, body })
    const answer: unknown = await res.json().catch(() => null)
    if (!res.ok) {
      const e = (answer ?? {}) as { code?: number; message?: string; field?: string; permission?: unknown }
      throw new ApiError(res.status, e.code ?? 0, e.message ?? `HTTP ${res.status}`, e.field, e.permission)
    }
    return answer as T
  } finally {
    transportHooks.onRequest(-1)
  }
}
