import { get } from './client'

// GET /api/web/service_state (modules/gateway/service_state.go): written
// by hand like session.ts, as it is the gateway's own report on the
// process it runs in, not a declared module method. Administrators only.

export interface RoleState {
  name: string
  kind: 'role' | 'plumbing' | 'pending'
  ready: boolean
}

export interface ServiceState {
  hostname: string
  pid: number
  started_at: number
  version: { version: string; commit: string; build_date: string }
  ready: boolean
  roles: RoleState[]
  backends_down: string[]
}

export const serviceStateApi = {
  get: (): Promise<ServiceState> => get<ServiceState>('service_state'),
}
