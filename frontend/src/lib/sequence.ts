// A latest-request guard. Pages ask the server again when the user changes
// what they look at (another step, business, address); answers can come
// back in any order, and an old one must not overwrite the new view.
//
//	const seq = sequence()
//	const current = seq.next()
//	const got = await webApi.something()
//	if (!current()) return // another request started since: drop this answer
export interface Sequence {
  // next starts a request and returns its check: true while no later
  // request started and nothing invalidated it.
  next(): () => boolean
  // invalidate makes every request in flight stale (the input changed
  // without a new request, e.g. a form field edited).
  invalidate(): void
}

export function sequence(): Sequence {
  let latest = 0
  return {
    next() {
      const mine = ++latest
      return () => mine === latest
    },
    invalidate() {
      latest++
    },
  }
}
