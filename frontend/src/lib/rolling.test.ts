import { describe, expect, it } from 'vitest'
import { emptyRolling, previewRequest, rollingFromConfig } from './rolling'

const scope = { bk_scope_type: 'biz', bk_scope_id: '1' }

describe('rolling preview request', () => {
  const on = { enabled: true, expression: ' 1 50% ', mode: 1 }

  it('plans by the count of pasted hosts, understood or not by the server', () => {
    expect(previewRequest(on, '1:10.0.0.1\n7 nope', scope)).toEqual({ ...scope, expression: '1 50%', total_hosts: 2 })
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
