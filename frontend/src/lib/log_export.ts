// The logs of a step run as a zip: logsvr's GET /api/web/logs/export
// (modules/logsvr/http.go), authenticated by the session cookie like the log
// stream, so a plain link downloads it.

export interface LogExportTarget {
  stepInstanceId: number
  executeCount: number
  batch?: number // one batch of a rolling step; absent: every batch
}

export function logExportURL(t: LogExportTarget): string {
  const q = new URLSearchParams({ step_instance_id: String(t.stepInstanceId), execute_count: String(t.executeCount) })
  if (t.batch !== undefined && t.batch > 0) q.set('batch', String(t.batch))
  return `/api/web/logs/export?${q.toString()}`
}

// logExportName is the file name the server sends too.
export function logExportName(t: LogExportTarget): string {
  return `bkjob_step_${t.stepInstanceId}_${t.executeCount}_logs.zip`
}
