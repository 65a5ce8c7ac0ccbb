import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, csrfToken } from '../api/client'
import { sessionApi, type CurrentUser } from '../api/session'

// useSession is who is logged in: loaded once from /api/web/me.
export const useSession = defineStore('session', () => {
  const user = ref<CurrentUser | null>(null)
  const loaded = ref(false)
  const isAdmin = computed(() => user.value?.all_scopes === true)

  // load asks the server who we are; a 401 means nobody. Without the
  // bkjob_csrf cookie (set with the session, script-readable) there is no
  // session to ask about.
  async function load(): Promise<CurrentUser | null> {
    if (!csrfToken()) {
      user.value = null
      loaded.value = true
      return null
    }
    try {
      user.value = await sessionApi.me()
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e
      user.value = null
    }
    loaded.value = true
    return user.value
  }

  async function login(username: string, password: string) {
    await sessionApi.login(username, password)
    await load()
  }

  async function logout() {
    await sessionApi.logout()
    user.value = null
  }

  return { user, loaded, isAdmin, load, login, logout }
})
