import { describe, expect, it } from 'vitest'
import { ApiError, call, csrfToken } from './client'
import { webApi, type FastExecuteScriptRequest } from './generated'

describe('web API client', () => {
  it('reads the CSRF token from the bkjob_csrf cookie', () => {
    expect(csrfToken('a=1; bkjob_csrf=abc%3D; b=2')).toBe('abc=')
    expect(csrfToken('a=1')).toBe('')
  })

  it('posts JSON with the token and returns the answer', async () => {
    let seen: RequestInit | undefined
    const fetcher = (async (_url: string, init?: RequestInit) => {
      seen = init
      return new Response(JSON.stringify({ job_instance_id: 7 }), { status: 200 })
    }) as typeof fetch
    const got = await call<{ job_instance_id: number }>('fast_execute_script', { a: 1 }, fetcher)
    expect(got.job_instance_id).toBe(7)
    expect(seen?.method).toBe('POST')
    expect(seen?.body).toBe('{"a":1}')
  })

  it('turns an error body into an ApiError with the v3 code and field', async () => {
    const fetcher = (async () =>
      new Response(JSON.stringify({ code: 1241004, message: 'bk_scope_id is required', field: 'bk_scope_id' }), {
        status: 400,
      })) as typeof fetch
    const err = await call('get_job_instance_list', {}, fetcher).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).code).toBe(1241004)
    expect((err as ApiError).field).toBe('bk_scope_id')
    expect((err as ApiError).status).toBe(400)
  })

  it('types requests from the server declarations', () => {
    // A renamed field in the Go request type makes this fail the type check.
    const req: FastExecuteScriptRequest = { bk_scope_type: 'biz', bk_scope_id: '1', script_content: 'echo hi' }
    expect(typeof webApi.fastExecuteScript).toBe('function')
    expect(req.script_content).toBe('echo hi')
  })
})
