// What every clinician screen shares: data read from the network only (patient data is
// never stored on the device), reloaded when the connection comes back, and errors
// said plainly with what to do next.
import { createContext } from 'preact'
import { useContext, useEffect, useRef, useState } from 'preact/hooks'
import * as api from '../../api'
import { useOnline } from '../../ui/hooks'

export interface ClinicianActions {
  /** A 403: asks the server again whether an authenticator is active (setup if not). */
  recheck: () => void
  signOut: () => Promise<void>
  /** A short message for the patient list, e.g. after a link ended. */
  flash: (message: string) => void
}

export const Actions = createContext<ClinicianActions>({
  recheck: () => undefined,
  signOut: async () => undefined,
  flash: () => undefined,
})

export interface Remote<T> {
  data?: T
  error?: unknown
  loading: boolean
  reload: () => void
  /** Replaces the data after a write the server confirmed. */
  set: (data: T) => void
}

/**
 * `load()` now, again when `deps` change (the data shown is cleared then) and when the
 * connection comes back (what is shown stays meanwhile, in memory only).
 */
export function useRemote<T>(load: () => Promise<T>, deps: unknown[]): Remote<T> {
  const online = useOnline()
  const [tick, setTick] = useState(0)
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true })
  const key = JSON.stringify(deps)
  const lastKey = useRef(key)
  useEffect(() => {
    const changed = lastKey.current !== key
    lastKey.current = key
    let alive = true
    setState((s) => ({ data: changed ? undefined : s.data, loading: true }))
    load().then(
      (data) => alive && setState({ data, loading: false }),
      (error: unknown) => alive && setState((s) => ({ data: s.data, error, loading: false })),
    )
    return () => {
      alive = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, online, tick])
  return {
    ...state,
    reload: () => setTick((t) => t + 1),
    set: (data: T) => setState({ data, loading: false }),
  }
}

/** An error as a sentence, next to what failed; `what` names it ("the patient list"). */
export function Problem({ error, what }: { error: unknown; what: string }) {
  const { recheck, signOut } = useContext(Actions)
  const forbidden = error instanceof api.ApiError && error.status === 403
  useEffect(() => {
    if (forbidden) recheck()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [forbidden])
  if (error instanceof api.OfflineError) {
    return (
      <p class="notice warn" role="status">
        You are offline. Patient data is never stored on this device, so {what} needs a connection. It loads again
        as soon as you are back online.
      </p>
    )
  }
  if (error instanceof api.ApiError && error.status === 401) {
    return (
      <div class="notice warn" role="alert">
        <p>Your session has ended. Clinician sessions close after a short time without use, to protect patient data.</p>
        <button type="button" class="primary" onClick={() => void signOut()}>
          Log in again
        </button>
      </div>
    )
  }
  if (forbidden) {
    return (
      <div class="notice warn" role="alert">
        <p>{(error as Error).message}</p>
        <button type="button" onClick={() => void signOut()}>
          Log out and log in again
        </button>
      </div>
    )
  }
  if (error instanceof api.ApiError && error.status === 404) {
    return (
      <p class="notice" role="alert">
        This patient is not linked with you. The link may have ended; the patient can share a new code with you.
      </p>
    )
  }
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : 'Something went wrong. Please try again.'}
    </p>
  )
}
