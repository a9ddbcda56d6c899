// The consent centre and the plan's history in Settings (a chunk of its own, loaded
// when Settings opens and precached for offline): who the person shares with and
// what each may see and do, the share code, who read what and when, the exercises
// set aside, and the changes made to the plan. Offline, the state last seen is shown
// read-only with a calm note; every change needs a connection (and says so).
import { useEffect, useRef, useState } from 'preact/hooks'
import * as api from '../../api'
import { accessSentence, ALWAYS_SHARED, flipScope, partyName, SCOPE_WORDS } from '../../consent'
import { bringBackHere, loadExclusions, refreshExclusions, shownList } from '../../exclusions'
import { fetchPlan } from '../../data'
import { cacheGet, cacheSet } from '../../store'
import type { AccessRow, CareLink, PlanChange, Scope } from '../../types'
import { NOBODY_WATCHES } from '../../ui/Call'
import { useLive, useOnline } from '../../ui/hooks'
import { dayAndTime, validUntil } from '../../when'

const LINKS = 'care:links'
const ACCESS = 'care:access-log'
const SHARE = 'care:share-code'
const CHANGES = 'care:plan-changes'

/** A missing endpoint (not deployed yet) is said kindly. */
function friendly(error: unknown, unavailable: string): string {
  if (error instanceof api.ApiError && (error.status === 404 || error.status === 405)) return `${unavailable} Please try again after the next update.`
  return (error as Error).message
}

const OFFLINE_NOTE = 'You are offline. This is how things stood when you were last online; changes need a connection.'

/**
 * Reads the server's list, keeps it on the phone, and falls back to the kept copy
 * offline. `reload` reads again.
 */
function useKept<T>(key: string, load: () => Promise<T>): { value: T | undefined; stale: boolean; error: string; reload: () => void; set: (v: T) => void } {
  const [value, setValue] = useState<T>()
  const [stale, setStale] = useState(false)
  const [error, setError] = useState('')
  const [round, setRound] = useState(0)
  useEffect(() => {
    let alive = true
    void cacheGet<T>(key).then((kept) => alive && kept !== undefined && setValue((v) => v ?? kept))
    load().then(
      (fresh) => {
        if (!alive) return
        setValue(fresh)
        setStale(false)
        setError('')
        void cacheSet(key, fresh, { silent: true })
      },
      (e: Error) => {
        if (!alive) return
        setStale(true)
        if (!(e instanceof api.OfflineError)) setError(friendly(e, 'This is not available yet.'))
      },
    )
    return () => {
      alive = false
    }
  }, [key, round])
  return {
    value,
    stale,
    error,
    reload: () => setRound((r) => r + 1),
    set: (v: T) => {
      setValue(v)
      void cacheSet(key, v, { silent: true })
    },
  }
}

const scopesOf = (link: CareLink): Scope[] => (Array.isArray(link.scopes) ? (link.scopes as Scope[]) : [])

/** The share code: copy and share buttons, and when it stops working in human words. */
function ShareCode() {
  const [code, setCode] = useState<{ code: string; expires_at: string }>()
  const [error, setError] = useState('')
  const [said, setSaid] = useState('')
  const online = useOnline()
  useEffect(() => {
    // A code made earlier and still valid is shown again (offline too).
    void cacheGet<{ code: string; expires_at: string }>(SHARE).then((kept) => kept && Date.parse(kept.expires_at) > Date.now() && setCode((c) => c ?? kept))
  }, [])
  const create = async () => {
    setError('')
    setSaid('')
    try {
      const made = await api.createShareCode()
      setCode(made)
      void cacheSet(SHARE, made, { silent: true })
    } catch (e) {
      setError(e instanceof api.OfflineError ? 'A share code needs a connection. Please try again when you are online.' : friendly(e, 'Sharing with a clinician is not available yet.'))
    }
  }
  const copy = async () => {
    if (!code) return
    try {
      await navigator.clipboard.writeText(code.code)
      setSaid('Code copied. Paste it in a message to your clinician.')
    } catch {
      setSaid('This browser would not copy it: please write the code down.')
    }
  }
  const share = async () => {
    if (!code) return
    const text = `My Backtrack share code: ${code.code} (works once, ${validUntil(code.expires_at)}).`
    if (typeof navigator.share === 'function') {
      try {
        await navigator.share({ title: 'Backtrack share code', text })
        setSaid('Shared.')
        return
      } catch (e) {
        // The person closed the share sheet: nothing to say.
        if ((e as Error).name === 'AbortError') return
      }
    }
    await copy()
  }
  const valid = code && Date.parse(code.expires_at) > Date.now()
  return (
    <div class="share-code">
      <button type="button" class={valid ? 'quiet' : 'primary'} onClick={() => void create()} disabled={!online}>
        {valid ? 'Make a new share code' : 'Create a share code'}
      </button>
      {code && (
        <div class="share-code-box" data-testid="share-code">
          <p>
            Your code: <b class="code">{code.code}</b>
          </p>
          <p class="small" data-testid="share-expiry">
            Works once, {validUntil(code.expires_at)}.
          </p>
          {valid && (
            <div class="row">
              <button type="button" onClick={() => void copy()}>
                Copy
              </button>
              <button type="button" onClick={() => void share()}>
                Share
              </button>
            </div>
          )}
        </div>
      )}
      <p role="status" class="small">
        {said}
      </p>
      {error && <p class="notice">{error}</p>}
    </div>
  )
}

/** One clinician: what they may see and do, as switches, and "End sharing". */
function LinkCard({ link, readOnly, onChanged, onEnded }: { link: CareLink; readOnly: boolean; onChanged: (l: CareLink) => void; onEnded: (l: CareLink) => void }) {
  const [error, setError] = useState('')
  const [said, setSaid] = useState('')
  const [ending, setEnding] = useState(false)
  const [busy, setBusy] = useState(false)
  const confirmRef = useRef<HTMLParagraphElement>(null)
  useEffect(() => {
    if (ending) confirmRef.current?.focus()
  }, [ending])
  const party = link.clinician as { email: string; name?: string }
  const name = partyName(party)
  const scopes = scopesOf(link)
  const flip = async (scope: Scope, label: string) => {
    setError('')
    setSaid('')
    setBusy(true)
    const wanted = flipScope(scopes, scope)
    // The switch moves at once; it moves back if the server did not take the change.
    onChanged({ ...link, scopes: wanted })
    try {
      const next = await api.setLinkScopes(link.id, wanted)
      onChanged(next)
      setSaid(`${label}: ${scopesOf(next).includes(scope) ? 'on' : 'off'} for ${name}, from now.`)
    } catch (e) {
      onChanged(link)
      setError(e instanceof api.OfflineError ? 'This needs a connection. Nothing was changed.' : friendly(e, 'This choice is not available yet.'))
    } finally {
      setBusy(false)
    }
  }
  const end = async () => {
    setError('')
    try {
      await api.endLink(link.id)
      onEnded(link)
    } catch (e) {
      setEnding(false)
      setError(e instanceof api.OfflineError ? 'Ending sharing needs a connection. Nothing was changed.' : friendly(e, 'Ending a link is not available yet.'))
    }
  }
  const titleId = `link-${link.id}-name`
  return (
    <li class="link-card" data-link-id={link.id} aria-labelledby={titleId}>
      <h4 id={titleId} class="link-name">
        {name}
      </h4>
      {party.name && <p class="small muted link-email">{party.email}</p>}
      <p class="small muted">Sharing since {dayAndTime(link.created_at).replace(/ \d\d:\d\d$/, '')}</p>
      <ul class="plain scope-list">
        {SCOPE_WORDS.map(([scope, label, line]) => {
          const id = `scope-${link.id}-${scope}`
          if (ALWAYS_SHARED.includes(scope)) {
            return (
              <li key={scope} class="scope" data-scope={scope}>
                <div class="switch always">
                  <span class="scope-text">
                    <span class="scope-label">{label}</span>
                    <span class="small muted scope-line">{line}</span>
                  </span>
                  <span class="always-on small">Always, while you share</span>
                </div>
              </li>
            )
          }
          return (
            <li key={scope} class="scope" data-scope={scope}>
              <label class="switch" for={id}>
                <span class="scope-text">
                  <span class="scope-label" id={`${id}-label`}>
                    {label}
                  </span>
                  <span class="small muted scope-line" id={`${id}-line`}>
                    {line}
                  </span>
                </span>
                <input
                  id={id}
                  type="checkbox"
                  role="switch"
                  checked={scopes.includes(scope)}
                  disabled={readOnly || busy}
                  aria-labelledby={`${id}-label`}
                  aria-describedby={`${id}-line`}
                  onChange={() => void flip(scope, label)}
                />
              </label>
            </li>
          )
        })}
      </ul>
      {ending ? (
        <div class="end-confirm">
          <p tabIndex={-1} ref={confirmRef}>
            End sharing with {name}? From now on they see nothing of yours and can change nothing. You can share again later with a new code.
          </p>
          <div class="row">
            <button type="button" class="danger" onClick={() => void end()}>
              Yes, end sharing
            </button>
            <button type="button" class="quiet" onClick={() => setEnding(false)}>
              Keep sharing
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="quiet" disabled={readOnly} onClick={() => setEnding(true)}>
          End sharing<span class="visually-hidden"> with {name}</span>
        </button>
      )}
      <p role="status" class="small">
        {said}
      </p>
      {error && (
        <p class="notice" role="alert">
          {error}
        </p>
      )}
    </li>
  )
}

const ACCESS_SHOWN = 12

/** Who read what, when: the access log in sentences. */
function AccessLog({ rows, stale }: { rows: AccessRow[] | undefined; stale: boolean }) {
  const [all, setAll] = useState(false)
  if (!rows) return stale ? null : <p aria-busy="true">Loading…</p>
  const now = new Date()
  const shown = all ? rows : rows.slice(0, ACCESS_SHOWN)
  return (
    <div class="access-log" data-testid="access-log">
      <h3 id="access-title">Who looked at what</h3>
      {rows.length === 0 ? (
        <p class="small muted">No clinician has looked at your data yet.</p>
      ) : (
        <ul class="plain access-rows" aria-labelledby="access-title">
          {shown.map((row, i) => (
            <li key={`${row.at}-${i}`} class="small">
              {accessSentence(row, now)}
            </li>
          ))}
        </ul>
      )}
      {rows.length > ACCESS_SHOWN && (
        <button type="button" class="linklike" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${rows.length}`}
        </button>
      )}
    </div>
  )
}

/** Settings' "Your care team": each link with its switches, the share code and the access log. */
export function CareTeam() {
  const online = useOnline()
  const links = useKept<CareLink[]>(LINKS, api.getLinks)
  const access = useKept<AccessRow[]>(ACCESS, api.getAccessLog)
  const [said, setSaid] = useState('')
  const readOnly = !online || links.stale
  const list = links.value ?? []
  return (
    <section class="card care-team" aria-labelledby="share-title">
      <h2 id="share-title">Your care team</h2>
      <p class="small muted">
        You choose who sees your data and what they may do. A change takes effect at once, and you can end sharing at any time.
      </p>
      {readOnly && links.value !== undefined && (
        <p class="notice" role="status">
          {OFFLINE_NOTE}
        </p>
      )}
      {links.error && <p class="notice">{links.error}</p>}
      {list.length > 0 && (
        <>
          <h3 id="links-title">You share with</h3>
          <ul class="plain links" aria-labelledby="links-title">
            {list.map((link) => (
              <LinkCard
                key={link.id}
                link={link}
                readOnly={readOnly}
                onChanged={(next) => links.set(list.map((l) => (l.id === next.id ? next : l)))}
                onEnded={(ended) => {
                  links.set(list.filter((l) => l.id !== ended.id))
                  setSaid(`You no longer share with ${partyName(ended.clinician as { email: string; name?: string })}. It took effect at once.`)
                }}
              />
            ))}
          </ul>
        </>
      )}
      <p role="status" class="small">
        {said}
      </p>
      <h3>Share with a clinician</h3>
      <p class="small muted">
        Give your physiotherapist or doctor a one-time code. They see your exercise logs and check-ins; your journal, and changes to your plan, only if you turn them on
        above.
      </p>
      <p class="notice warn">{NOBODY_WATCHES}</p>
      <ShareCode />
      <AccessLog rows={access.value} stale={access.stale} />
    </section>
  )
}

/** "Exercises you set aside", each with who set it aside and "Bring back". */
export function SetAside() {
  const state = useLive(loadExclusions, ['cache:not-for-me'])
  const [error, setError] = useState('')
  const [said, setSaid] = useState('')
  useEffect(() => {
    refreshExclusions().catch((e) => !(e instanceof api.OfflineError) && setError(friendly(e, 'Setting exercises aside is not available yet.')))
  }, [])
  const list = state ? shownList(state) : []
  // Shown while there is something set aside, or something just said about it.
  if (list.length === 0 && !error && !said) return null
  return (
    <section class="card" aria-labelledby="set-aside-title">
      <h2 id="set-aside-title">Exercises you set aside</h2>
      <p class="small muted">They stay out of your plan until you bring them back.</p>
      <ul class="plain set-aside">
        {list.map((e) => {
          const title = e.exercise_title || e.exercise
          return (
            <li key={e.exercise} class="set-aside-row" data-exercise={e.exercise}>
              <span>
                <b>{title}</b>
                <span class="small muted">
                  {' '}
                  · set aside by {e.by === 'patient' ? 'you' : e.by_name || 'your clinician'}
                  {e.reason ? `: “${e.reason}”` : ''}
                </span>
              </span>
              <button
                type="button"
                class="quiet"
                onClick={() => {
                  setSaid(`${title} is back in your plan.`)
                  // Once the server has it, its plan (which has the exercise again) is read.
                  void bringBackHere(e.exercise).then((sent) => (sent ? fetchPlan().catch(() => undefined) : undefined))
                }}
              >
                Bring back<span class="visually-hidden"> {title}</span>
              </button>
            </li>
          )
        })}
      </ul>
      {error && <p class="notice">{error}</p>}
      <p role="status" class="small">
        {said}
      </p>
    </section>
  )
}

const CHANGES_SHOWN = 10

/** "Changes to your plan": who changed what, newest first, in plain words. */
export function PlanChanges() {
  const changes = useKept<PlanChange[]>(CHANGES, api.getPlanChanges)
  const [all, setAll] = useState(false)
  const rows = changes.value
  if (!rows && !changes.error) return null
  const now = new Date()
  return (
    <section class="card" aria-labelledby="changes-title" data-testid="plan-changes">
      <h2 id="changes-title">Changes to your plan</h2>
      {changes.error && <p class="notice">{changes.error}</p>}
      {rows?.length === 0 && <p class="small muted">No changes yet: your plan is as your programs set it.</p>}
      {rows && rows.length > 0 && (
        <ul class="plain plan-changes">
          {(all ? rows : rows.slice(0, CHANGES_SHOWN)).map((c, i) => (
            <li key={`${c.at}-${i}`}>
              {c.text} <span class="small muted">· {dayAndTime(c.at, now)}</span>
            </li>
          ))}
        </ul>
      )}
      {rows && rows.length > CHANGES_SHOWN && (
        <button type="button" class="linklike" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${rows.length}`}
        </button>
      )}
    </section>
  )
}
