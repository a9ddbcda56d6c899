import { useEffect, useRef, useState } from 'preact/hooks'
import { cacheGet, cacheSet, subscribe } from '../store'

/**
 * A value read from IndexedDB, read again when one of `topics` changes ("entries" for
 * the outbox, "cache:<key>" for a cached value).
 */
export function useLive<T>(load: () => Promise<T>, topics: string[], deps: unknown[] = []): T | undefined {
  const [value, setValue] = useState<T>()
  const last = useRef<string | undefined>(undefined)
  useEffect(() => {
    let alive = true
    last.current = undefined
    const run = () =>
      load().then(
        (v) => {
          // Re-fetched but unchanged (the usual case after a refresh): no re-render.
          const json = JSON.stringify(v) ?? 'undefined'
          if (!alive || json === last.current) return
          last.current = json
          setValue(() => v)
        },
        () => undefined,
      )
    void run()
    const stop = subscribe(run, topics)
    return () => {
      alive = false
      stop()
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps)
  return value
}

/** Whether the browser believes it has a connection. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine)
  useEffect(() => {
    const up = () => setOnline(true)
    const down = () => setOnline(false)
    window.addEventListener('online', up)
    window.addEventListener('offline', down)
    return () => {
      window.removeEventListener('online', up)
      window.removeEventListener('offline', down)
    }
  }, [])
  return online
}

/** The current hash route, e.g. "/today" or "/reset-password/KEY". */
export function useRoute(): string {
  const read = () => location.hash.replace(/^#/, '') || '/'
  const [route, setRoute] = useState(read)
  useEffect(() => {
    const onChange = () => setRoute(read())
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}

export function go(route: string): void {
  location.hash = route
}

/** Moves keyboard and screen-reader focus to the screen's main content. */
export function focusMain(): void {
  const main = document.querySelector('main')
  if (!main) return
  main.setAttribute('tabindex', '-1')
  main.focus()
}

/**
 * A form's draft: what the person typed and has not saved yet (kept in the cache, so it
 * survives closing the app), and otherwise the saved entry as it is now. So a copy
 * pulled from another device, or the server's copy after a conflict, shows at once,
 * while typing in progress is never overwritten. Just after saving, the typed values
 * stay until the saved entry reflects them (no flash of the old ones).
 */
export function useDraft<D>(key: string, saved: D | undefined, empty: D) {
  const [typed, setTyped] = useState<{ key: string; value?: D; hold?: D; against?: string }>()
  useEffect(() => {
    let alive = true
    void cacheGet<D>(key).then((stored) => alive && setTyped({ key, value: stored }))
    return () => {
      alive = false
    }
  }, [key])
  const current = JSON.stringify(saved ?? null)
  let draft: D | undefined
  if (typed?.key === key) {
    draft = typed.value ?? (typed.hold !== undefined && typed.against === current ? typed.hold : (saved ?? empty))
  }
  const update = (changes: Partial<D>) => {
    const next = { ...(draft as D), ...changes }
    setTyped({ key, value: next })
    void cacheSet(key, next, { silent: true })
  }
  const clear = async () => {
    setTyped({ key, hold: draft, against: current })
    await cacheSet(key, undefined, { silent: true })
  }
  return { draft, update, clear }
}

/**
 * A form's submit: `busy` while `action` runs, its `error` when it throws, and the
 * message it returns (for the form's role="status" line) when it succeeds. `setError`
 * shows an error that came from elsewhere (a step that was cancelled).
 */
export function useSubmit(action: () => Promise<string | void>) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const [done, setDone] = useState('')
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    setDone('')
    try {
      setDone((await action()) ?? '')
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, setError, done, submit }
}
