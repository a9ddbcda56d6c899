// The clinician's side of the PWA, loaded on demand (dynamic import from app.tsx) so
// a patient's phone never downloads it. Patient data is read from the network only.
import { useEffect, useState } from 'preact/hooks'
import * as api from '../../api'
import { useOnline, useRoute } from '../../ui/hooks'
import { SkipLink } from '../../ui/SkipLink'
import { PatientPage } from './Patient'
import { PatientList } from './Patients'
import { Actions, type ClinicianActions } from './remote'
import { TotpSetup } from './TotpSetup'
import './clinician.css'

/** Patient data needs an active authenticator: 'setup' until there is one. */
type Gate = 'checking' | 'setup' | 'ready' | 'unreachable'

function Shell({ route, onSignOut, children }: { route: string; onSignOut: () => void; children: preact.ComponentChildren }) {
  const online = useOnline()
  return (
    <>
      <SkipLink />
      <div class="app wide">
        <header class="topbar">
          <a class="brand" href="#/patients">
            Backtrack <span class="brand-role">for clinicians</span>
          </a>
          <nav class="row" aria-label="Main">
            <a class="nav-link" href="#/patients" aria-current={route === '/patients' ? 'page' : undefined}>
              Patients
            </a>
            <button type="button" class="quiet" onClick={onSignOut}>
              Log out
            </button>
          </nav>
        </header>
        {!online && (
          <p class="notice warn" role="status">
            You are offline. Patient data is never stored on this device, so these screens need a connection. What
            is on screen stays until you reload.
          </p>
        )}
        {children}
      </div>
    </>
  )
}

export function ClinicianApp({ onSignOut }: { onSignOut: () => Promise<void> }) {
  const route = useRoute()
  const [gate, setGate] = useState<Gate>('checking')
  const [gateError, setGateError] = useState<unknown>()
  const [flash, setFlash] = useState('')
  const online = useOnline()

  const check = (quiet: boolean) => {
    if (!quiet) setGate('checking')
    api.hasTotp().then(
      (has) => {
        // Quietly (after a 403) only a missing authenticator changes the screen.
        if (!has) setGate('setup')
        else if (!quiet) setGate('ready')
      },
      (error: unknown) => {
        if (error instanceof api.ApiError && error.status === 401) {
          void onSignOut()
          return
        }
        if (!quiet) {
          setGateError(error)
          setGate('unreachable')
        }
      },
    )
  }
  useEffect(() => check(false), [])
  useEffect(() => {
    if (online && gate === 'unreachable') check(false)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [online])

  const actions: ClinicianActions = {
    recheck: () => check(true),
    signOut: onSignOut,
    flash: setFlash,
  }

  const [path, id] = route.split('/').filter(Boolean)
  const patientId = path === 'patients' && id && /^\d+$/.test(id) ? Number(id) : undefined
  // The flash message belongs to the list; leaving it clears it.
  useEffect(() => {
    if (patientId !== undefined) setFlash('')
  }, [patientId])

  let screen
  if (gate === 'checking') {
    screen = (
      <main id="main">
        <p aria-busy="true">Opening…</p>
      </main>
    )
  } else if (gate === 'unreachable') {
    screen = (
      <main id="main">
        <h1>Your patients</h1>
        <p class="notice warn" role="alert">
          {gateError instanceof api.OfflineError
            ? 'You are offline. Patient data is never stored on this device, so these screens need a connection.'
            : (gateError as Error).message}
        </p>
        <button type="button" onClick={() => check(false)}>
          Try again
        </button>
      </main>
    )
  } else if (gate === 'setup') {
    screen = <TotpSetup onDone={() => setGate('ready')} />
  } else if (patientId !== undefined) {
    screen = <PatientPage key={patientId} id={patientId} />
  } else {
    screen = <PatientList flash={flash} />
  }
  return (
    <Actions.Provider value={actions}>
      <Shell route={patientId === undefined ? '/patients' : `/patients/${patientId}`} onSignOut={() => void onSignOut()}>
        {screen}
      </Shell>
    </Actions.Provider>
  )
}
