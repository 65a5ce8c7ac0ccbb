import { describe, expect, it } from 'vitest'
import { emptyRolling, previewRequest, rollingFromConfig } from './rolling'

const scope = { bk_scope_type: 'biz', bk_scope_id: '1' }

describe('rolling preview request', () => {
  const on = { enabled: true, expression: ' 1 50% ', mode: 1 }

  it('plans over the pasted hosts', () => {
    expect(previewRequest(on, '1:10.0.0.1\n7', scope)).toEqual({
      ...scope,
      expression: '1 50%',
      target_server: { ip_list: [{ bk_cloud_id: 1, ip: '10.0.0.1' }], host_id_list: [7] },
    })
  })

  it('plans by count when a host is not understood or when asked', () => {
    expect(previewRequest(on, '10.0.0.1 nope 10.0.0.2', scope)).toEqual({ ...scope, expression: '1 50%', total_hosts: 2 })
    expect(previewRequest(on, '10.0.0.1', scope, true)).toEqual({ ...scope, expression: '1 50%', total_hosts: 1 })
  })

  it('asks nothing when off, without an expression or without hosts', () => {
    expect(previewRequest(emptyRolling(), '10.0.0.1', scope)).toBeNull()
    expect(previewRequest({ ...on, expression: '  ' }, '10.0.0.1', scope)).toBeNull()
    expect(previewRequest(on, '', scope)).toBeNull()
  })

  it('reads a step rolling_config back', () => {
    expect(rollingFromConfig(undefined)).toEqual(emptyRolling())
    expect(rollingFromConfig({ expression: '10%', mode: 2 })).toEqual({ enabled: true, expression: '10%', mode: 2 })
  })
})
