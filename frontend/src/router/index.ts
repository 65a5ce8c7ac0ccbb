import { createRouter, createWebHistory, type Router } from 'vue-router'
import type { Pinia } from 'pinia'
import { useSession } from '../stores/session'
import { useErrors } from '../stores/errors'
import { rememberScope, routes } from './routes'

// createAppRouter builds the router with its one guard: pages other than
// the public ones need a session (without one the user goes to the login
// page and comes back after); admin pages need an administrator.
export function createAppRouter(pinia: Pinia): Router {
  const router = createRouter({ history: createWebHistory(), routes })
  router.beforeEach(async (to) => {
    const session = useSession(pinia)
    if (!session.loaded) {
      try {
        await session.load()
      } catch (e) {
        useErrors(pinia).report(e)
      }
    }
    if (to.meta.admin && session.user && !session.isAdmin) {
      return { name: 'home', params: to.params }
    }
    if (to.meta.public || session.user) {
      if (typeof to.params.scopeType === 'string' && typeof to.params.scopeId === 'string') {
        rememberScope(to.params.scopeType, to.params.scopeId)
      }
      return true
    }
    return { name: 'login', query: { redirect: to.fullPath } }
  })
  // An error belongs to the page it happened on.
  router.afterEach((to, from) => {
    if (to.path !== from.path) useErrors(pinia).clear()
  })
  return router
}
