import {
  webApi,
  type Script,
  type ScriptVersion,
  type ScriptVersionState,
  type V3PageOfScript,
  type V3PageOfScriptVersion,
} from '../api/generated'
import { encodeBase64 } from './format'

// A script library: a business's (bk-job's 业务脚本) or the platform's
// public one (公共脚本). The pages are the same for both; only the
// endpoints differ (the public ones take no scope), so the pages hold a
// ScriptLibrary and never ask which one it is but for its texts.
export interface ScriptListQuery {
  name?: string
  keyword?: string
  tag?: string
  script_language?: number
  start: number
  length: number
}

export interface NewScriptInput {
  name: string
  description?: string
  script_language: number
  content: string // plain text: encoded here
  version: string
  version_desc?: string
  tags?: string[]
}

export interface ScriptLibrary {
  isPublic: boolean
  list(q: ScriptListQuery): Promise<V3PageOfScript>
  versions(scriptId: string, withContent: boolean): Promise<V3PageOfScriptVersion>
  detail(id: number): Promise<ScriptVersion>
  create(s: NewScriptInput): Promise<ScriptVersion>
  addVersion(scriptId: string, version: string, content: string, desc: string): Promise<ScriptVersion>
  updateVersion(scriptId: string, versionId: number, content: string, desc: string): Promise<ScriptVersion>
  updateBasic(scriptId: string, name: string, description: string, tags: string[]): Promise<Script>
  publish(scriptId: string, versionId: number): Promise<ScriptVersionState>
  disable(scriptId: string, versionId: number): Promise<ScriptVersionState>
  deleteVersion(scriptId: string, versionId: number): Promise<unknown>
  deleteScript(scriptId: string): Promise<unknown>
}

// maxVersions is how many versions the detail page loads (bk-job's page
// shows a script's versions in one list).
export const maxVersions = 1000

export function scriptLibrary(isPublic: boolean, scope: { bk_scope_type: string; bk_scope_id: string }): ScriptLibrary {
  if (isPublic) {
    return {
      isPublic,
      list: (q) => webApi.getPublicScriptList(q),
      versions: (id, c) => webApi.getPublicScriptVersionList({ script_id: id, return_script_content: c, length: maxVersions }),
      detail: (id) => webApi.getPublicScriptVersionDetail({ id }),
      create: (s) => webApi.createPublicScript({ ...s, content: encodeBase64(s.content) }),
      addVersion: (id, version, content, desc) =>
        webApi.createPublicScriptVersion({ script_id: id, version, content: encodeBase64(content), version_desc: desc }),
      updateVersion: (id, vid, content, desc) =>
        webApi.updatePublicScriptVersion({ script_id: id, script_version_id: vid, content: encodeBase64(content), version_desc: desc }),
      updateBasic: (id, name, description, tags) => webApi.updatePublicScriptBasic({ script_id: id, name, description, tags }),
      publish: (id, vid) => webApi.publishPublicScriptVersion({ script_id: id, script_version_id: vid }),
      disable: (id, vid) => webApi.disablePublicScriptVersion({ script_id: id, script_version_id: vid }),
      deleteVersion: (id, vid) => webApi.deletePublicScriptVersion({ script_id: id, script_version_id: vid }),
      deleteScript: (id) => webApi.deletePublicScript({ script_id: id }),
    }
  }
  return {
    isPublic,
    list: (q) => webApi.getScriptList({ ...scope, ...q }),
    versions: (id, c) => webApi.getScriptVersionList({ ...scope, script_id: id, return_script_content: c, length: maxVersions }),
    detail: (id) => webApi.getScriptVersionDetail({ ...scope, id }),
    create: (s) => webApi.createScript({ ...scope, ...s, content: encodeBase64(s.content) }),
    addVersion: (id, version, content, desc) =>
      webApi.createScriptVersion({ ...scope, script_id: id, version, content: encodeBase64(content), version_desc: desc }),
    updateVersion: (id, vid, content, desc) =>
      webApi.updateScriptVersion({ ...scope, script_id: id, script_version_id: vid, content: encodeBase64(content), version_desc: desc }),
    updateBasic: (id, name, description, tags) => webApi.updateScriptBasic({ ...scope, script_id: id, name, description, tags }),
    publish: (id, vid) => webApi.publishScriptVersion({ ...scope, script_id: id, script_version_id: vid }),
    disable: (id, vid) => webApi.disableScriptVersion({ ...scope, script_id: id, script_version_id: vid }),
    deleteVersion: (id, vid) => webApi.deleteScriptVersion({ ...scope, script_id: id, script_version_id: vid }),
    deleteScript: (id) => webApi.deleteScript({ ...scope, script_id: id }),
  }
}

// Version statuses (bk-job JobResourceStatusEnum) as catalogue keys and
// tones: the same word and colour on every page.
export const versionStatus: Record<number, { key: string; tone: 'success' | 'error' | 'warning' | 'info' | 'default' }> = {
  0: { key: 'ui.scripts.status_draft', tone: 'info' },
  1: { key: 'ui.scripts.status_online', tone: 'success' },
  2: { key: 'ui.scripts.status_offline', tone: 'default' },
  3: { key: 'ui.scripts.status_disabled', tone: 'error' },
}

// What a version's status allows (bk-job's rules; the server checks them
// again): edit a draft; publish all but a disabled one (not the online one
// again); disable an online or offline one; delete all but the online one.
export function versionActions(status: number) {
  return {
    edit: status === 0,
    publish: status === 0 || status === 2,
    disable: status === 1 || status === 2,
    remove: status !== 1,
    run: status === 1 || status === 2,
  }
}

// nextVersion proposes a version number after v: its last number plus
// one ("1.0.9" → "1.0.10"), else v with ".1" added.
export function nextVersion(v: string): string {
  const m = /^(.*?)(\d+)([^\d]*)$/.exec(v)
  if (!m) return v ? `${v}.1` : '1.0.0'
  return `${m[1]}${Number(m[2]) + 1}${m[3]}`
}

// parseTags reads a comma- or space-separated tag list.
export function parseTags(s: string): string[] {
  return [...new Set(s.split(/[,，\s]+/).map((t) => t.trim()).filter(Boolean))]
}
