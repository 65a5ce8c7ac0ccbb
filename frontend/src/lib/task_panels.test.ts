import { describe, expect, it } from 'vitest'
import type { FileLog, ResultGroup } from '../api/generated'
import { fileRows, fileStatusKey, fileSummary, formatBytes, percentOf, sizeBytes } from './file_logs'
import { hostLines } from './host_copy'
import { logExportName, logExportURL } from './log_export'
import { operationKey, operationRows } from './operation_log'
import { batchOptions, batchQuery } from './rolling_batches'
import { cipherMask, variableRows } from './task_variables'

const step = (id: number, name: string) => ({ step_instance_id: id, type: 1, name, status: 3, create_time: 0, start_time: 0, execute_count: 0 })

function group(result_type: number, hosts: Array<[number, string]>): ResultGroup {
  return {
    result_type,
    result_type_desc: '',
    tag: '',
    host_size: hosts.length,
    host_result_list: hosts.map(([id, ip]) => ({
      bk_host_id: id, ip, bk_cloud_id: 0, bk_cloud_name: '', status: result_type, status_desc: '', tag: '', exit_code: 0, error_code: 0, start_time: 0, end_time: 0, total_time: 0,
    })),
  }
}

function file(f: Partial<FileLog>): FileLog {
  return { mode: 1, src_path: '/src/a', status: 4, log_content: '', ...f }
}

describe('rolling batches', () => {
  it('lists all then every batch, the current one marked and the earlier done', () => {
    const opts = batchOptions(3, 2)
    expect(opts.map((o) => o.value)).toEqual([0, 1, 2, 3])
    expect(opts.filter((o) => o.current).map((o) => o.batch)).toEqual([2])
    expect(opts.filter((o) => o.done).map((o) => o.batch)).toEqual([1])
    expect(batchOptions(2, 0).some((o) => o.current || o.done)).toBe(false)
  })
  it('asks for a batch only when one is chosen', () => {
    expect(batchQuery(null)).toEqual({})
    expect(batchQuery(0)).toEqual({})
    expect(batchQuery(2)).toEqual({ batch: 2 })
  })
})

describe('log export', () => {
  it('names the step run and the batch only when one is chosen', () => {
    expect(logExportURL({ stepInstanceId: 7, executeCount: 1 })).toBe('/api/web/logs/export?step_instance_id=7&execute_count=1')
    expect(logExportURL({ stepInstanceId: 7, executeCount: 0, batch: 2 })).toBe('/api/web/logs/export?step_instance_id=7&execute_count=0&batch=2')
    expect(logExportURL({ stepInstanceId: 7, executeCount: 0, batch: 0 })).not.toContain('batch')
    expect(logExportName({ stepInstanceId: 7, executeCount: 1 })).toBe('bkjob_step_7_1_logs.zip')
  })
})

describe('variables', () => {
  it('masks cipher values and names the step', () => {
    const rows = variableRows(
      { job_instance_id: 1, step_instance_var_list: [{ step_instance_id: 5, global_var_list: [
        { name: 'user', value: 'root', type: 1 },
        { name: 'token', value: 's3cret', type: 4 },
        { name: 'hosts', value: '', type: 3, server: { ip_list: [{ bk_cloud_id: 0, ip: '10.0.0.1' }], host_id_list: [9] } },
      ] }] },
      [step(5, 'deploy')],
    )
    expect(rows.map((r) => [r.step, r.name, r.value])).toEqual([
      ['deploy', 'user', 'root'],
      ['deploy', 'token', cipherMask],
      ['deploy', 'hosts', '0:10.0.0.1, 9'],
    ])
    expect(JSON.stringify(rows)).not.toContain('s3cret')
  })
  it('is empty without variables', () => {
    expect(variableRows(null, [])).toEqual([])
    expect(variableRows({ job_instance_id: 1, step_instance_var_list: [{ step_instance_id: 5, global_var_list: null }] }, [])).toEqual([])
  })
})

describe('operation log', () => {
  it('names actions and steps, keeps the order', () => {
    const rows = operationRows(
      [
        { id: 3, operation_code: 1, operator: 'admin', step_instance_id: 5, execute_count: 1, create_time: 30 },
        { id: 2, operation_code: 4, operator: 'bob', app_code: 'ci', execute_count: 0, create_time: 20 },
        { id: 1, operation_code: 99, operator: 'admin', execute_count: 0, create_time: 10 },
      ],
      [step(5, 'deploy')],
    )
    expect(rows.map((r) => r.id)).toEqual([3, 2, 1])
    expect(rows[0]).toMatchObject({ action: 'ui.task_panels.op_1', step: 'deploy', attempt: 2 })
    expect(rows[1]).toMatchObject({ operator: 'bob (ci)', step: '', attempt: 0 })
    expect(rows[2]?.action).toBe('ui.task_panels.op_unknown')
    expect(operationKey(12)).toBe('ui.task_panels.op_12')
  })
})

describe('file logs', () => {
  it('reads sizes and progress as the server writes them', () => {
    expect(sizeBytes('9.0 Bytes')).toBe(9)
    expect(sizeBytes('1.5 KB')).toBe(1536)
    expect(sizeBytes('junk')).toBe(0)
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(0)).toBe('0.0 Bytes')
    expect(percentOf('73%')).toBe(73)
    expect(percentOf(undefined)).toBe(0)
    expect(percentOf('250%')).toBe(100)
  })
  it('lists a host’s downloads before its uploads with their side of the transfer', () => {
    const rows = fileRows([
      file({ mode: 0, src_path: '/src/a', dest_ip: { bk_host_id: 2, bk_cloud_id: 0, ip: '10.0.0.2' }, status: 2, process: '40%', log_content: 'a\nb\n' }),
      file({ mode: 1, src_path: '/src/a', dest_path: '/dst/a', src_ip: { bk_host_id: 1, bk_cloud_id: 0, ip: '10.0.0.1' }, size: '1.0 KB', process: '0%' }),
    ])
    expect(rows.map((r) => [r.upload, r.file, r.peer, r.percent])).toEqual([
      [false, '/dst/a', '10.0.0.1', 100],
      [true, '/src/a', '10.0.0.2', 40],
    ])
    expect(rows[1]?.detail).toBe('b')
    expect(fileStatusKey(5)).toBe('ui.task_panels.file_failed')
    expect(fileStatusKey(0)).toBe('ui.task_panels.file_waiting')
  })
  it('sums a step’s downloads by state', () => {
    const s = fileSummary([
      { bk_host_id: 1, bk_cloud_id: 0, ip: 'a', file_logs: [file({ size: '1.0 KB' }), file({ status: 5, size: '1.0 KB' }), file({ mode: 0, size: '9.0 MB' })] },
      { bk_host_id: 2, bk_cloud_id: 0, ip: 'b', file_logs: [file({ status: 3, size: '2.0 KB' })] },
      { bk_host_id: 3, bk_cloud_id: 0, ip: 'c', file_logs: [file({ mode: 0 })] },
    ])
    expect(s).toEqual({ hosts: 2, files: 3, done: 1, failed: 1, moving: 1, bytes: 4096 })
  })
})

describe('copy hosts', () => {
  it('writes one host a line as IP, cloud:IP or host id', () => {
    const hosts = group(9, [[1, '10.0.0.1'], [2, '10.0.0.2']]).host_result_list ?? []
    expect(hostLines(hosts, 'ip')).toBe('10.0.0.1\n10.0.0.2')
    expect(hostLines(hosts, 'cloud_ip')).toBe('0:10.0.0.1\n0:10.0.0.2')
    expect(hostLines(hosts, 'host_id')).toBe('1\n2')
    expect(hostLines([], 'ip')).toBe('')
  })
})
