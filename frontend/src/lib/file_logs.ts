import type { FileLog, FileTaskLog } from '../api/generated'

// File transfer statuses of a file log (gse FileStatus*).
const fileFinished = 4
const fileFailed = 5

export interface FileRow {
  key: string
  upload: boolean // the source side of the transfer, else the target's download
  file: string // the file on this host's side
  peer: string // the other host
  size: string
  speed: string
  percent: number
  status: number
  detail: string // the log's last line
}

// fileTone colours a file's status like host statuses: done green, failed
// red, moving blue.
export function fileTone(status: number): 'success' | 'error' | 'info' {
  if (status === fileFinished) return 'success'
  if (status === fileFailed) return 'error'
  return 'info'
}

// fileStatusKey is the catalogue key of a file's status word.
export function fileStatusKey(status: number): string {
  if (status === fileFinished) return 'ui.task_panels.file_done'
  if (status === fileFailed) return 'ui.task_panels.file_failed'
  if (status <= 1) return 'ui.task_panels.file_waiting'
  return 'ui.task_panels.file_moving'
}

// percentOf reads the server's "73%" as 73 (0 when absent or malformed).
export function percentOf(process: string | undefined): number {
  const n = Number.parseFloat(process ?? '')
  return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0
}

// fileRows are one host's file logs, downloads then uploads.
export function fileRows(logs: readonly FileLog[] | null | undefined): FileRow[] {
  return (logs ?? [])
    .map((l, i) => {
      const upload = l.mode === 0
      const peer = upload ? l.dest_ip : l.src_ip
      const lines = l.log_content.trim().split('\n')
      return {
        key: `${l.mode}/${i}`,
        upload,
        file: upload ? l.src_path : (l.dest_path ?? l.src_path),
        peer: peer ? peer.ip : '',
        size: l.size ?? '',
        speed: l.speed ?? '',
        percent: l.status === fileFinished ? 100 : percentOf(l.process),
        status: l.status,
        detail: lines[lines.length - 1] ?? '',
      }
    })
    .sort((a, b) => Number(a.upload) - Number(b.upload))
}

// sizeBytes reads the server's "1.2 MB" (1024-based, bk-job's units) back.
export function sizeBytes(size: string | undefined): number {
  const m = /^([\d.]+)\s*(Bytes|KB|MB|GB|TB|PB)$/.exec((size ?? '').trim())
  if (!m) return 0
  const units = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB']
  return Math.round(Number.parseFloat(m[1] ?? '0') * 1024 ** units.indexOf(m[2] ?? 'Bytes'))
}

// formatBytes writes a byte count as the server does ("1.2 MB").
export function formatBytes(n: number): string {
  const units = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB']
  let v = Math.max(0, n)
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(1)} ${units[u]}`
}

export interface FileSummary {
  hosts: number // target hosts with a file log
  files: number // downloads (one file to one target)
  done: number
  failed: number
  moving: number // waiting or transferring
  bytes: number // the size of the downloads
}

// fileSummary counts a step's downloads over the hosts read: each target
// host's copy of each file is one.
export function fileSummary(logs: readonly FileTaskLog[] | null | undefined): FileSummary {
  const s: FileSummary = { hosts: 0, files: 0, done: 0, failed: 0, moving: 0, bytes: 0 }
  for (const h of logs ?? []) {
    const downloads = (h.file_logs ?? []).filter((l) => l.mode === 1)
    if (downloads.length > 0) s.hosts++
    for (const l of downloads) {
      s.files++
      s.bytes += sizeBytes(l.size)
      if (l.status === fileFinished) s.done++
      else if (l.status === fileFailed) s.failed++
      else s.moving++
    }
  }
  return s
}
