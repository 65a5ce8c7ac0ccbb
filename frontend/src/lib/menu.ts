// The left menu in bk-job's groups (业务概览 / 快速执行 / 任务编排 / 资源 /
// 设置 / 平台管理 / 运营分析). A group shows only the pages that exist, and
// a group with none is hidden: never a dead link.

export interface MenuItem {
  route: string // the route name
  label: string // catalogue key
  admin?: boolean
  root?: boolean // a platform page at the root, outside any business
}

export interface MenuGroup {
  key: string
  label: string // catalogue key
  items: MenuItem[]
}

export const menuGroups: MenuGroup[] = [
  { key: 'overview', label: 'ui.menu.overview', items: [{ route: 'home', label: 'ui.menu.home' }] },
  {
    key: 'quick',
    label: 'ui.menu.quick',
    items: [
      { route: 'quickScript', label: 'ui.menu.quick_script' },
      { route: 'quickFile', label: 'ui.menu.quick_file' },
      { route: 'pushConfig', label: 'ui.menu.push_config' },
    ],
  },
  { key: 'orchestration', label: 'ui.menu.orchestration', items: [{ route: 'history', label: 'ui.menu.history' }] },
  {
    key: 'resources',
    label: 'ui.menu.resources',
    items: [
      { route: 'hosts', label: 'ui.menu.hosts', admin: true },
      { route: 'scriptManage', label: 'ui.menu.scripts' },
      { route: 'accountManage', label: 'ui.menu.accounts' },
      { route: 'ticketManage', label: 'ui.menu.credentials' },
    ],
  },
  { key: 'settings', label: 'ui.menu.settings', items: [] },
  {
    key: 'platform',
    label: 'ui.menu.platform',
    items: [
      { route: 'publicScriptManage', label: 'ui.menu.public_scripts', root: true },
      { route: 'dangerousRules', label: 'ui.danger.menu_rules', admin: true, root: true },
      { route: 'detectRecords', label: 'ui.danger.menu_records', admin: true, root: true },
      { route: 'serviceState', label: 'ui.menu.service_state', admin: true, root: true },
      { route: 'businessManage', label: 'ui.menu.business_manage', admin: true, root: true },
      { route: 'globalSettings', label: 'ui.settings.menu', admin: true, root: true },
    ],
  },
  { key: 'analysis', label: 'ui.menu.analysis', items: [] },
]

// visibleGroups drops admin items for others and groups left empty.
export function visibleGroups(groups: MenuGroup[], isAdmin: boolean): MenuGroup[] {
  return groups
    .map((g) => ({ ...g, items: g.items.filter((i) => !i.admin || isAdmin) }))
    .filter((g) => g.items.length > 0)
}

// activeItem is the menu item a route belongs to (the task page belongs to
// the history).
export function activeItem(routeName: string): string {
  if (routeName === 'scriptDetail') return 'scriptManage'
  if (routeName === 'publicScriptDetail') return 'publicScriptManage'
  return routeName === 'task' ? 'history' : routeName
}
