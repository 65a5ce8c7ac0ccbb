import { shallowRef, ref } from 'vue'
import type { HostResult } from '../api/generated'
import type { HostPage } from '../lib/host_pages'

export type { HostPage }
export type FetchHostPage = (start: number, length: number) => Promise<HostPage>

// useGroupHosts holds the hosts of one result group as the server pages
// them. rows has one slot per host of the group (total), null until the
// page holding it is loaded, so a virtual table can show the whole group's
// height and load only the pages the user scrolls to. The browser never
// asks for a whole 10,000-host group (copying reads the server again:
// lib/host_pages.ts).
export function useGroupHosts(fetchPage: FetchHostPage, pageSize = 100) {
  const rows = shallowRef<Array<HostResult | null>>([])
  const total = ref(0)
  const loading = ref(false)
  let pages = new Map<number, HostResult[]>()
  let inFlight = new Map<number, Promise<void>>()
  let generation = 0
  let visible: [number, number] = [0, pageSize - 1]

  function rebuild() {
    const out = new Array<HostResult | null>(total.value).fill(null)
    for (const [p, hosts] of pages) {
      for (let i = 0; i < hosts.length && p * pageSize + i < out.length; i++) out[p * pageSize + i] = hosts[i]
    }
    rows.value = out
  }

  function pagesOf(first: number, last: number): number[] {
    const from = Math.max(0, Math.floor(first / pageSize))
    const to = Math.max(from, Math.floor(Math.max(first, last) / pageSize))
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  }

  // load fetches a page once: a page already on its way is awaited, not
  // asked for again.
  function load(page: number, gen: number): Promise<void> {
    const pending = inFlight.get(page)
    if (pending) return pending
    const flights = inFlight
    const p = fetchPage(page * pageSize, pageSize)
      .then((got) => {
        if (gen !== generation) return // the group or a filter changed meanwhile
        if (got.total !== total.value) {
          // Hosts moved between groups: the other pages no longer line up.
          pages = new Map()
          total.value = got.total
        }
        pages.set(page, got.data ?? [])
        rebuild()
      })
      .finally(() => flights.delete(page))
    inFlight.set(page, p)
    return p
  }

  // reset forgets every page (another group, filter or attempt) and loads
  // the first page.
  async function reset(): Promise<void> {
    generation++
    pages = new Map()
    inFlight = new Map()
    visible = [0, pageSize - 1]
    loading.value = true
    try {
      await load(0, generation)
    } finally {
      loading.value = false
    }
  }

  // show says which rows are on screen and loads the pages they are on.
  async function show(first: number, last: number): Promise<void> {
    visible = [first, last]
    const gen = generation
    const wanted = pagesOf(first, last).filter((p) => !pages.has(p) && p * pageSize < total.value)
    await Promise.all(wanted.map((p) => load(p, gen)))
  }

  // refresh reloads the pages on screen only (the live view of a running
  // task); pages off screen are dropped and load again when scrolled to.
  async function refresh(): Promise<void> {
    const gen = ++generation
    inFlight = new Map()
    const on = pagesOf(visible[0], visible[1])
    const got = await Promise.all(on.map((p) => fetchPage(p * pageSize, pageSize)))
    if (gen !== generation) return
    pages = new Map()
    total.value = got[got.length - 1]?.total ?? 0
    got.forEach((g, i) => pages.set(on[i], g.data ?? []))
    rebuild()
  }

  function indexOf(hostId: number | null): number {
    return hostId === null ? -1 : rows.value.findIndex((h) => h?.bk_host_id === hostId)
  }

  // at returns host i, loading its page when needed.
  async function at(i: number): Promise<HostResult | null> {
    if (i < 0 || i >= total.value) return null
    if (!rows.value[i]) await show(i, i)
    return rows.value[i] ?? null
  }

  return { rows, total, loading, reset, show, refresh, indexOf, at }
}
