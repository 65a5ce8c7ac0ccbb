// The web API's transport: POST JSON to /api/web/<name> with the session
// cookie and the CSRF token, and turn an error body into an ApiError.
// generated.ts (written from the server's declarations) calls it.

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

// csrfToken is the session's token from the bkjob_csrf cookie.
export function csrfToken(cookie: string = document.cookie): string {
  for (const part of cookie.split(';')) {
    const [k, v] = part.trim().split('=')
    if (k === 'bkjob_csrf' && v) return decodeURIComponent(v)
  }
  return ''
}

// call POSTs req to the named web method and returns its answer.
export async function call<T>(name: string, req: unknown, fetcher: typeof fetch = fetch): Promise<T> {
  const res = await fetcher(webBase + name, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrfToken() },
    body: JSON.stringify(req ?? {}),
  })
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const e = (body ?? {}) as { code?: number; message?: string; field?: string; permission?: unknown }
    throw new ApiError(res.status, e.code ?? 0, e.message ?? `HTTP ${res.status}`, e.field, e.permission)
  }
  return body as T
}
