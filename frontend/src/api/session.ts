import { call, get } from './client'

// The session endpoints of the web API (modules/gateway/web.go): written by
// hand, as they are the gateway's own and not declared module methods.

export interface LoginAnswer {
  username: string
  expires_at: string
  csrf_token: string
}

// CurrentUser is the actor of GET /api/web/me.
export interface CurrentUser {
  username: string
  app_code?: string
  all_scopes: boolean
}

export const sessionApi = {
  login: (username: string, password: string): Promise<LoginAnswer> => call<LoginAnswer>('login', { username, password }),
  logout: (): Promise<null> => call<null>('logout', {}),
  me: (): Promise<CurrentUser> => get<CurrentUser>('me'),
}
