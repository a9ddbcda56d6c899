import { useEffect, useRef, useState } from 'preact/hooks'
import * as api from './api'
import { cachedMe, fetchMe, fetchPlan, refreshAll, refreshRest, saveMe } from './data'
import { applyServerHold, snapshot } from './hold'
import { Crisis } from './screens/help/Crisis'
import { clearAll, pendingCount, syncNow } from './outbox'
import { Login, ResetConfirm, ResetRequest, Signup, VerifyEmail } from './screens/auth/Auth'
import { Onboarding, onboardingStep } from './screens/onboarding/Onboarding'
import { Programs } from './screens/programs/Programs'
import { Progress } from './screens/progress/Progress'
import { Settings } from './screens/settings/Settings'
import { StepScreen } from './screens/today/Steps'
import { Today } from './screens/today/Today'
import type { Me } from './types'
import { focusMain, go, useRoute } from './ui/hooks'
import { SkipLink } from './ui/SkipLink'
import { SyncStatus } from './ui/SyncStatus'
import { UpdateBanner } from './ui/UpdateBanner'

type Auth = 'unknown' | 'in' | 'out'

// Whether someone has signed in on this phone before: a first visit opens on sign-up,
// a returning one on "Welcome back".
const KNOWN = 'backtrack-known'
const knownHere = () => {
  try {
    return localStorage.getItem(KNOWN) === '1'
  } catch {
    return false
  }
}
const markKnown = () => {
  try {
    localStorage.setItem(KNOWN, '1')
  } catch {
    /* private mode: the login screen is one tap away */
  }
}
type ClinicianModule = typeof import('./screens/clinician/Clinician')

/** The clinician screens, fetched only when a clinician signs in: patients never download them. */
function ClinicianLoader({ onSignOut }: { onSignOut: () => Promise<void> }) {
  const [module, setModule] = useState<ClinicianModule>()
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    import('./screens/clinician/Clinician').then(setModule, () => setFailed(true))
  }, [])
  if (module) return <module.ClinicianApp onSignOut={onSignOut} />
  return (
    <div class="app">
      <main id="main">
        {failed ? (
          <>
            <h1>Your patients</h1>
            <p class="notice warn" role="alert">
              The clinician screens need a connection to open. Please connect and try again.
            </p>
            <div class="row">
              <button type="button" class="primary" onClick={() => location.reload()}>
                Try again
              </button>
              <button type="button" class="quiet" onClick={() => void onSignOut()}>
                Log out
              </button>
            </div>
          </>
        ) : (
          <p aria-busy="true">Opening…</p>
        )}
      </main>
    </div>
  )
}

type PlayerModule = typeof import('./player/Player')

/** The session player: its own chunk, out of the first screen's JavaScript, precached for offline. */
function PlayerLoader({ time, extras, relax }: { time: string; extras: boolean; relax?: string }) {
  const [module, setModule] = useState<PlayerModule>()
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    import('./player/Player').then(setModule, () => setFailed(true))
  }, [])
  if (module) return <module.Player time={time} extras={extras} relax={relax} />
  return (
    <main id="main" class="app">
      {failed ? (
        <p class="notice warn" role="alert">
          The player could not open. Please reload the app and try again. <a href="#/today">Back to today</a>
        </p>
      ) : (
        <p aria-busy="true">Opening…</p>
      )}
    </main>
  )
}

type LearnModule = typeof import('./screens/learn/Learn')

/** Learn and the lesson reader: their own chunk, out of the first screen's JavaScript. */
function LearnLoader({ slug }: { slug?: string }) {
  const [module, setModule] = useState<LearnModule>()
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    import('./screens/learn/Learn').then(setModule, () => setFailed(true))
  }, [])
  if (module) return <module.Learn slug={slug} />
  return (
    <main id="main">
      {failed ? (
        <p class="notice warn" role="alert">
          Learn could not open. Please reload the app and try again.
        </p>
      ) : (
        <p aria-busy="true">Opening…</p>
      )}
    </main>
  )
}

type QuestionnaireModule = typeof import('./screens/questionnaire/Questionnaire')

/** A questionnaire (issue 18): its own chunk, precached, so it opens with no signal. */
function QuestionnaireLoader({ slug }: { slug: string }) {
  const [module, setModule] = useState<QuestionnaireModule>()
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    import('./screens/questionnaire/Questionnaire').then(setModule, () => setFailed(true))
  }, [])
  if (module) return <module.QuestionnaireScreen slug={slug} />
  return (
    <main id="main">
      {failed ? (
        <p class="notice warn" role="alert">
          The questionnaire could not open. Please reload the app and try again. <a href="#/today">Back to today</a>
        </p>
      ) : (
        <p aria-busy="true">Opening…</p>
      )}
    </main>
  )
}

const TABS: [string, string][] = [
  ['/today', 'Today'],
  ['/learn', 'Learn'],
  ['/progress', 'Progress'],
  ['/programs', 'Programs'],
  ['/settings', 'Settings'],
]

/** The app's frame. `bare` (onboarding): no tab bar or sync chip before anything exists. */
function Shell({ route, children, bare = false }: { route: string; children: preact.ComponentChildren; bare?: boolean }) {
  return (
    <>
      <SkipLink />
      {/* Early in keyboard order: the tabs come right after the skip link. */}
      {!bare && <Tabs route={route} />}
      <div class="app">
        <header class="topbar">
          <a class="brand" href="#/today">
            Backtrack
          </a>
          {/* On every screen: who to call, with no signal too (the lines are cached). */}
          <a class="help-link" href="#/help" aria-current={route.startsWith('/help') ? 'page' : undefined}>
            Need help now?
          </a>
          {!bare && <SyncStatus />}
        </header>
        <UpdateBanner />
        {children}
      </div>
    </>
  )
}

function Tabs({ route }: { route: string }) {
  return (
    <nav class="tabs" aria-label="Main">
      {TABS.map(([path, name]) => (
        <a key={path} href={`#${path}`} aria-current={route.startsWith(path) ? 'page' : undefined}>
          {name}
        </a>
      ))}
    </nav>
  )
}

export function App() {
  const route = useRoute()
  const [auth, setAuth] = useState<Auth>('unknown')
  const [role, setRole] = useState<Me['role']>()
  const [notice, setNotice] = useState('')
  const firstRoute = useRef(true)

  // A new screen: tell screen readers where they are (not on the first load).
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false
      return
    }
    requestAnimationFrame(focusMain)
  }, [route])

  useEffect(() => {
    void (async () => {
      // Offline first: a cached profile opens the app at once; the server is asked after.
      const me = await cachedMe().catch(() => undefined)
      if (me) {
        setRole(me.role)
        // Closed during onboarding: it resumes at the step where it stopped.
        const step = await onboardingStep().catch(() => undefined)
        if (me.role === 'patient' && step && step !== 'done' && !location.hash.startsWith('#/onboarding')) go('/onboarding')
        setAuth('in')
        try {
          if (!(await api.session())) {
            setAuth('out')
            setNotice(
              me.role === 'clinician'
                ? 'Please log in again.'
                : 'Please log in again. Anything you saved on this phone is kept and sent after you log in.',
            )
            return
          }
          // A clinician's screens read patient data live; nothing of the patient's plan to cache.
          if (me.role === 'clinician') await saveMe(await api.getMe())
          else await refreshAll()
        } catch {
          /* offline or server away: keep going with what is cached */
        }
        return
      }
      try {
        // First visit on this phone: one round trip decides; the rest loads behind.
        const plan = fetchPlan()
        const me = await fetchMe()
        setRole(me.role)
        setAuth('in')
        if (me.role === 'clinician') return
        void plan.then(
          () => refreshRest({ plan: false }),
          () => refreshRest({ plan: true }),
        ).catch(() => undefined)
      } catch (error) {
        setAuth('out')
        if (error instanceof api.OfflineError) setNotice('You are offline. Connect once to log in; after that Backtrack works with no signal.')
      }
    })()
  }, [])

  const signedIn = async () => {
    // Someone else on this phone (the last session had expired): what is stored here
    // is not theirs to see or to send under their name.
    const previous = await cachedMe().catch(() => undefined)
    const me = await api.getMe()
    markKnown()
    if (previous && previous.id !== me.id) await clearAll({ force: true })
    await saveMe(me)
    await applyServerHold(me.safety_hold, await snapshot())
    const [path] = route.split('?')
    setRole(me.role)
    if (me.role === 'clinician') {
      setNotice('')
      setAuth('in')
      if (!path.startsWith('/patients')) go('/patients')
      return
    }
    await refreshRest({ plan: true })
    setNotice('')
    setAuth('in')
    void syncNow()
    if (['/login', '/signup', '/', ''].includes(path)) go('/today')
  }

  const signOut = async () => {
    await syncNow().catch(() => undefined)
    const pending = await pendingCount()
    if (
      pending > 0 &&
      !confirm(`${pending} ${pending === 1 ? 'entry has' : 'entries have'} not been sent yet and would be lost. Log out anyway?`)
    ) {
      return
    }
    try {
      await api.logout()
    } catch (error) {
      setNotice((error as Error).message)
      return
    }
    await clearAll({ force: true })
    setAuth('out')
    go('/login')
  }

  const deleted = async () => {
    await clearAll({ force: true })
    setAuth('out')
    setNotice('Your account and all its data are deleted. Take care.')
    go('/signup')
  }

  const [path, ...rest] = route.split('/').filter(Boolean)
  const key = rest.join('/')

  if (path === 'reset-password') return key ? <ResetConfirm resetKey={key} /> : <ResetRequest />
  if (path === 'verify-email' && key) return <VerifyEmail verifyKey={key} onSignedIn={signedIn} />
  if (auth === 'unknown') {
    return (
      <div class="splash">
        <p class="splash-name">Backtrack</p>
        <p class="splash-line">A calmer back, a few minutes a day. Opening…</p>
      </div>
    )
  }
  if (auth === 'out') {
    return (
      <div class="app">
        {/* Help is one tap away before signing in too (the number where unknown: 112). */}
        <header class="topbar">
          <span class="brand">Backtrack</span>
          <a class="help-link" href={path === 'help' ? '#/login' : '#/help'}>
            {path === 'help' ? 'Back to log in' : 'Need help now?'}
          </a>
        </header>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        {path === 'help' ? (
          <Crisis />
        ) : path === 'signup' || (path !== 'login' && !knownHere()) ? (
          <Signup onSignedIn={signedIn} />
        ) : (
          <Login onSignedIn={signedIn} />
        )}
      </div>
    )
  }

  if (role === 'clinician') return <ClinicianLoader onSignOut={signOut} />

  if (path === 'relax' && key) {
    return <PlayerLoader key={route} time="anytime" extras={false} relax={decodeURIComponent(key)} />
  }

  if (path === 'play') {
    const [time, query = ''] = key.split('?')
    return <PlayerLoader key={route} time={time || 'morning'} extras={new URLSearchParams(query).has('extras')} />
  }

  let screen
  switch (path) {
    case 'onboarding':
      screen = <Onboarding />
      break
    case 'progress':
      screen = <Progress />
      break
    case 'learn':
      screen = <LearnLoader key={key} slug={key ? decodeURIComponent(key) : undefined} />
      break
    case 'programs':
      screen = <Programs />
      break
    case 'settings':
      screen = <Settings onSignOut={signOut} onDeleted={deleted} />
      break
    case 'checkin':
      screen = <StepScreen step="checkin" />
      break
    case 'journal':
      screen = <StepScreen step="journal" />
      break
    case 'help':
      screen = <Crisis />
      break
    case 'questionnaire':
      screen = key ? <QuestionnaireLoader key={key} slug={decodeURIComponent(key)} /> : <Today />
      break
    default:
      screen = <Today />
  }
  return (
    <Shell route={`/${path ?? 'today'}`} bare={path === 'onboarding'}>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {screen}
    </Shell>
  )
}
