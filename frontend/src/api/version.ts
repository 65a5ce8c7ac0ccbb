// Build information of the running server, as served by GET /api/web/version.
export interface VersionInfo {
  version: string
  commit: string
  build_date: string
}

export const versionPath = '/api/web/version'

// fetchVersion asks the server which build it runs.
export async function fetchVersion(fetcher: typeof fetch = fetch): Promise<VersionInfo> {
  const res = await fetcher(versionPath, { headers: { Accept: 'application/json' } })
  if (!res.ok) {
    throw new Error(`GET ${versionPath}: HTTP ${res.status}`)
  }
  const body = (await res.json()) as Partial<VersionInfo>
  if (typeof body.version !== 'string') {
    throw new Error(`GET ${versionPath}: no version in response`)
  }
  return {
    version: body.version,
    commit: body.commit ?? '',
    build_date: body.build_date ?? '',
  }
}
