import type { RouteRecordRaw } from 'vue-router'

// The routes keep bk-job's shape: business pages under
// /<scopeType>/<scopeId>/…, the login and admin pages at the root. Every
// page is its own chunk (code-split). meta.public pages need no session.
export const scopeTypes = ['biz', 'biz_set'] as const
export type ScopeType = (typeof scopeTypes)[number]

export const defaultScope = { scopeType: 'biz' as ScopeType, scopeId: '1' }

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('../pages/LoginPage.vue'), meta: { public: true } },
  {
    path: '/:scopeType(biz|biz_set)/:scopeId(\\d+)',
    component: () => import('../layouts/AppShell.vue'),
    children: [
      { path: '', redirect: { name: 'home' } },
      { path: 'home', name: 'home', component: () => import('../pages/HomePage.vue') },
      { path: 'execute/script', name: 'quickScript', component: () => import('../pages/QuickScriptPage.vue') },
      { path: 'execute/file', name: 'quickFile', component: () => import('../pages/QuickFilePage.vue') },
      // bk-job has no page of its own for push_config_file; this is bkjob's.
      { path: 'execute/push_config', name: 'pushConfig', component: () => import('../pages/PushConfigPage.vue') },
      { path: 'execute/list', name: 'history', component: () => import('../pages/HistoryPage.vue') },
      { path: 'execute/task/:taskId(\\d+)', name: 'task', component: () => import('../pages/TaskPage.vue') },
      { path: 'hosts', name: 'hosts', component: () => import('../pages/HostsPage.vue'), meta: { admin: true } },
      { path: 'ticket_manage', name: 'ticketManage', component: () => import('../pages/CredentialsPage.vue') },
      { path: 'account_manage', name: 'accountManage', component: () => import('../pages/AccountsPage.vue') },
      { path: 'script_manage', name: 'scriptManage', component: () => import('../pages/ScriptsPage.vue') },
      { path: 'script_manage/:scriptId([0-9a-f]{32})', name: 'scriptDetail', component: () => import('../pages/ScriptDetailPage.vue') },
    ],
  },
  // Platform pages (administrators) are at the root, as in bk-job.
  {
    path: '/service_state',
    component: () => import('../layouts/AppShell.vue'),
    children: [{ path: '', name: 'serviceState', component: () => import('../pages/ServiceStatePage.vue'), meta: { admin: true } }],
  },
  // bk-job's high-risk rule pages (平台管理): the rules and the detect records.
  {
    path: '/dangerous_rule_manage',
    component: () => import('../layouts/AppShell.vue'),
    children: [{ path: '', name: 'dangerousRules', component: () => import('../pages/DangerousRulesPage.vue'), meta: { admin: true } }],
  },
  {
    path: '/detect_records',
    component: () => import('../layouts/AppShell.vue'),
    children: [{ path: '', name: 'detectRecords', component: () => import('../pages/DangerousRecordsPage.vue'), meta: { admin: true } }],
  },
  // Public scripts: the platform's library, read-only but for administrators.
  {
    path: '/public_script_manage',
    component: () => import('../layouts/AppShell.vue'),
    children: [
      { path: '', name: 'publicScriptManage', component: () => import('../pages/ScriptsPage.vue'), props: { isPublic: true } },
      { path: ':scriptId([0-9a-f]{32})', name: 'publicScriptDetail', component: () => import('../pages/ScriptDetailPage.vue'), props: { isPublic: true } },
    ],
  },
  // bkjob's own (bk-job takes businesses from CMDB). Not guarded here: a
  // non-administrator who opens it gets the server's refusal (list_scopes).
  {
    path: '/business_manage',
    component: () => import('../layouts/AppShell.vue'),
    children: [{ path: '', name: 'businessManage', component: () => import('../pages/BusinessManagePage.vue') }],
  },
  // bk-job's 全局设置 (平台管理): administrators' settings for everyone.
  {
    path: '/global_settings',
    component: () => import('../layouts/AppShell.vue'),
    children: [{ path: '', name: 'globalSettings', component: () => import('../pages/GlobalSettingsPage.vue'), meta: { admin: true } }],
  },
  { path: '/', name: 'root', redirect: () => ({ name: 'home', params: lastScope() }) },
  // bk-job's old links without a scope land in the last business used.
  { path: '/execute/:rest(.*)', redirect: (to) => `/${lastScope().scopeType}/${lastScope().scopeId}/execute/${String(to.params.rest)}` },
  { path: '/:unknown(.*)*', name: 'notFound', component: () => import('../pages/NotFoundPage.vue'), meta: { public: true } },
]

const lastScopeKey = 'bkjob.scope'

// lastScope is the business the user worked in last (remembered), else business 1.
export function lastScope(storage: Storage = localStorage): { scopeType: ScopeType; scopeId: string } {
  const [type, id] = (storage.getItem(lastScopeKey) ?? '').split('/')
  if ((scopeTypes as readonly string[]).includes(type ?? '') && /^\d+$/.test(id ?? '')) {
    return { scopeType: type as ScopeType, scopeId: id as string }
  }
  return { ...defaultScope }
}

export function rememberScope(scopeType: string, scopeId: string, storage: Storage = localStorage) {
  storage.setItem(lastScopeKey, `${scopeType}/${scopeId}`)
}
