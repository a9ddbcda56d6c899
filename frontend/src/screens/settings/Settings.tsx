import { useEffect, useState } from 'preact/hooks'
import * as api from '../../api'
import { cachedMe, fetchMe, fetchPlan, saveMe, screeningRules } from '../../data'
import { cacheSet } from '../../store'
import { currentSubscription, disablePush, enablePushWithin, pushSupported, type PushStep } from '../../push'
import { budgetLabel, BUDGETS } from '../../sessions'
import type { Reminder, ReminderFields, SafetyRule } from '../../types'
import { CHECKIN_TIME_KEY, DEFAULTS, fieldsOf, KIND_NAMES, ReminderEditor, rememberCheckinTime, type Kind } from '../../ui/ReminderEditor'
import { useLive, useOnline } from '../../ui/hooks'
import { TextField } from '../../ui/TextField'
import { TimezoneSelect } from '../../ui/timezone'
import { YourName } from '../../ui/YourName'
import { ScreeningForm } from '../onboarding/Screening'

/** A missing endpoint (not deployed yet) is said kindly; `unavailable` is the sentence. */
function friendly(error: unknown, unavailable: string): string {
  if (error instanceof api.ApiError && (error.status === 404 || error.status === 405)) {
    return `${unavailable} Please try again after the next update.`
  }
  return (error as Error).message
}

/** The daily time budget: the plan fits it, the rest is offered as extras. */
function DailyBudget({ current }: { current: number | null | undefined }) {
  const [message, setMessage] = useState('')
  const choose = async (minutes: number | null) => {
    setMessage('')
    try {
      await saveMe(await api.updateMe({ daily_minutes: minutes }))
      await fetchPlan().catch(() => undefined)
      setMessage(`Saved: ${budgetLabel(minutes).toLowerCase()}. Today's plan fits it.`)
    } catch (e) {
      setMessage(friendly(e, 'A daily time is not available yet.'))
    }
  }
  const choices: [number | null, string][] = [...BUDGETS.map((m) => [m, `${m} minutes`] as [number, string]), [null, 'No limit']]
  return (
    <section class="card" aria-labelledby="budget-title">
      <h2 id="budget-title">Time for practice each day</h2>
      <p class="small muted">Your plan fits this time. More is offered as an extra, if you have time.</p>
      <div class="budget-choices" role="radiogroup" aria-labelledby="budget-title">
        {choices.map(([m, label]) => (
          <label class="choice budget-choice" key={label}>
            <input type="radio" name="daily-budget" checked={(current ?? null) === m} onChange={() => void choose(m)} />
            {label}
          </label>
        ))}
      </div>
      <p role="status" class="small">
        {message}
      </p>
    </section>
  )
}

const ALL_KINDS: Kind[] = ['session', 'checkin', 'breathing', 'desk_break', 'bedtime']

/** One rule: on or off at once; its other fields saved with one button. */
function ReminderRow({ rule, onSaved }: { rule: Reminder; onSaved: (r: Reminder, said: string) => void }) {
  const [draft, setDraft] = useState<ReminderFields>(rule)
  const [error, setError] = useState('')
  const name = KIND_NAMES[rule.kind] ?? rule.kind
  const changed = JSON.stringify(fieldsOf(draft)) !== JSON.stringify(fieldsOf(rule))
  const save = async (changes: Partial<ReminderFields>, said: string) => {
    setError('')
    try {
      const next = await api.updateReminder(rule.id, changes)
      await rememberCheckinTime(next)
      setDraft(next)
      onSaved(next, said)
    } catch (e) {
      setError(friendly(e, 'Reminders are not available yet.'))
    }
  }
  return (
    <div class="reminder-rule" data-kind={rule.kind}>
      <h3>{name}</h3>
      <label class="choice">
        <input type="checkbox" checked={rule.enabled} onChange={() => void save({ enabled: !rule.enabled }, `${name} reminders ${rule.enabled ? 'off' : 'on'}.`)} />
        {`${name} reminders on`}
      </label>
      <ReminderEditor id={`rule-${rule.id}`} rule={draft} onChange={setDraft} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="button" class="primary" disabled={!changed} onClick={() => void save(fieldsOf(draft), `${name} reminder saved.`)}>
        Save {name.toLowerCase()} reminder
      </button>
    </div>
  )
}

function Reminders() {
  const [reminders, setReminders] = useState<Reminder[]>()
  const [error, setError] = useState('')
  const [saved, setSaved] = useState('')
  useEffect(() => {
    api.getReminders().then(
      (list) => {
        setReminders(list)
        const checkin = list.find((r) => r.kind === 'checkin')
        void (checkin ? rememberCheckinTime(checkin) : cacheSet(CHECKIN_TIME_KEY, null))
      },
      (e) => setError(friendly(e, 'Reminders are not available yet.')),
    )
  }, [])
  const missing = ALL_KINDS.filter((k) => reminders && !reminders.some((r) => r.kind === k))
  const add = async (kind: Kind) => {
    setSaved('')
    try {
      const rule = await api.createReminder(DEFAULTS[kind])
      await rememberCheckinTime(rule)
      setReminders((list) => [...(list ?? []), rule])
      setSaved(`${KIND_NAMES[kind]} reminder added. Change its times below.`)
    } catch (e) {
      setError(friendly(e, 'Reminders are not available yet.'))
    }
  }
  return (
    <section class="card" aria-labelledby="reminders-title">
      <h2 id="reminders-title">Reminders</h2>
      {error && <p class="notice">{error}</p>}
      {reminders?.length === 0 && <p>No reminders yet. Add the ones you want.</p>}
      {reminders?.map((r) => (
        <ReminderRow
          key={r.id}
          rule={r}
          onSaved={(next, said) => {
            setReminders((list) => list?.map((x) => (x.id === next.id ? next : x)))
            setSaved(said)
          }}
        />
      ))}
      {missing.length > 0 && (
        <div class="row reminder-actions">
          {missing.map((kind) => (
            <button type="button" class="quiet" key={kind} onClick={() => void add(kind)}>
              Add {KIND_NAMES[kind].toLowerCase()}
            </button>
          ))}
        </div>
      )}
      <p role="status" class="small">
        {saved}
      </p>
    </section>
  )
}

function Notifications() {
  const [on, setOn] = useState<boolean>()
  const [message, setMessage] = useState('')
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    currentSubscription().then((s) => setOn(Boolean(s)), () => setOn(false))
  }, [])
  if (!pushSupported()) {
    return (
      <section class="card" aria-labelledby="push-title">
        <h2 id="push-title">Notifications</h2>
        <p>This browser cannot show notifications. On iPhone, add Backtrack to the home screen first.</p>
      </section>
    )
  }
  const flip = async () => {
    setBusy(true)
    setMessage('')
    try {
      if (on) {
        await disablePush()
        setOn(false)
        setMessage('Notifications are off on this phone.')
      } else {
        const said: Record<PushStep, string> = {
          permission: 'Turning notifications on: asking this phone for permission…',
          subscribe: 'Turning notifications on: connecting to the notification service…',
          save: 'Turning notifications on: almost there…',
        }
        await enablePushWithin((step) => setMessage(said[step]))
        setOn(true)
        await cacheSet('push-opt-in', true)
        setMessage('Notifications are on. You can turn them off here at any time.')
      }
    } catch (e) {
      setMessage(friendly(e, 'Notifications are not available yet.'))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="card" aria-labelledby="push-title">
      <h2 id="push-title">Notifications</h2>
      <p class="small muted">Gentle reminders on this phone, at the times you chose. We only ask when you tap below.</p>
      <div class="row">
        <button type="button" class={on ? 'quiet' : 'primary'} aria-pressed={Boolean(on)} disabled={busy || on === undefined} onClick={() => void flip()}>
          {busy && !on ? 'Turning notifications on…' : on ? 'Turn notifications off' : 'Turn notifications on'}
        </button>
        {on && (
          <button type="button" class="quiet" onClick={() => api.sendTestPush().then(() => setMessage('A test is on its way.'), (e) => setMessage(friendly(e, 'Test notifications are not available yet.')))}>
            Send a test
          </button>
        )}
      </div>
      <p role="status" class="small">
        {message}
      </p>
    </section>
  )
}

type CareModule = typeof import('./Care')

/**
 * The care team, the exercises set aside and the plan's history: a chunk of their own
 * (out of the first screen's JavaScript), precached, so they open offline too.
 */
function CareSections() {
  const [module, setModule] = useState<CareModule>()
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    import('./Care').then(setModule, () => setFailed(true))
  }, [])
  if (failed) return <p class="notice">Your care team's settings could not open. Please reload the app.</p>
  if (!module) return <p aria-busy="true">Loading your care team…</p>
  return (
    <>
      <module.CareTeam />
      <module.PlanChanges />
      <module.SetAside />
    </>
  )
}

/** The history questions, asked once at onboarding: answers can change. */
function History() {
  const [rules, setRules] = useState<SafetyRule[]>()
  useEffect(() => {
    screeningRules().then(setRules, () => setRules([]))
  }, [])
  if (rules?.length === 0) return null
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">Your health history</h2>
      <p class="small muted">The questions from when you started. If something has changed, update your answers.</p>
      {rules ? <ScreeningForm rules={rules} submitLabel="Save my answers" /> : <p aria-busy="true">Loading…</p>}
    </section>
  )
}

// The countries whose emergency and crisis numbers Backtrack lists (the rest use 112).
const COUNTRIES = [
  'AT', 'AU', 'BE', 'BG', 'CA', 'CH', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GB', 'GR', 'HR', 'HU', 'IE',
  'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'NZ', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'US',
]

function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code
  } catch {
    return code
  }
}

/** Which country's emergency number and crisis lines the app shows. */
function Country({ current }: { current: string | null | undefined }) {
  const [message, setMessage] = useState('')
  const codes = current && !COUNTRIES.includes(current) ? [...COUNTRIES, current] : COUNTRIES
  const options = codes.map((code) => [code, countryName(code)] as const).sort((a, b) => a[1].localeCompare(b[1]))
  const save = async (value: string) => {
    setMessage('')
    try {
      await api.updateMe({ country: value || null })
      await fetchMe()
      setMessage('Saved. The numbers to call are now for this country.')
    } catch (e) {
      setMessage((e as Error).message)
    }
  }
  return (
    <div class="field">
      <label for="country">Country (for emergency and help numbers)</label>
      <select id="country" value={current ?? ''} onChange={(e) => void save((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">From my time zone</option>
        {options.map(([code, name]) => (
          <option key={code} value={code}>
            {name}
          </option>
        ))}
      </select>
      <p role="status" class="small">
        {message}
      </p>
    </div>
  )
}

function DeleteAccount({ onDeleted }: { onDeleted: () => Promise<void> }) {
  const [password, setPassword] = useState('')
  const [sure, setSure] = useState(false)
  const [error, setError] = useState('')
  const submit = async (event: Event) => {
    event.preventDefault()
    setError('')
    try {
      await api.deleteAccount(password)
      await onDeleted()
    } catch (e) {
      setError(api.fieldError(e, 'password') ?? friendly(e, 'Deleting an account is not available yet.'))
    }
  }
  return (
    <section class="card" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete my account</h2>
      <p class="small">This erases your account and everything you logged, for good. Export first if you want a copy.</p>
      <form onSubmit={submit}>
        <TextField id="delete-password" label="Your password" type="password" autocomplete="current-password" required value={password} onValue={setPassword} />
        <label class="choice">
          <input type="checkbox" checked={sure} onChange={() => setSure(!sure)} />
          Yes, delete everything
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="danger" disabled={!sure || !password}>
          Delete my account
        </button>
      </form>
    </section>
  )
}

export function Settings({ onSignOut, onDeleted }: { onSignOut: () => Promise<void>; onDeleted: () => Promise<void> }) {
  const me = useLive(cachedMe, ['cache:me'])
  const online = useOnline()
  const [zone, setZone] = useState<string>()
  const [zoneMessage, setZoneMessage] = useState('')
  const saveZone = async () => {
    if (!zone) return
    try {
      await saveMe(await api.updateMe({ timezone: zone }))
      setZoneMessage('Time zone saved.')
    } catch (e) {
      setZoneMessage((e as Error).message)
    }
  }
  return (
    <main id="main">
      <h1>Settings</h1>
      {!online && (
        <p class="notice" role="status">
          You are offline. Changing settings needs a connection; what you see is how they stood, and your logs are safe on this phone.
        </p>
      )}
      <section class="card" aria-labelledby="account-title">
        <h2 id="account-title">Account</h2>
        <p>{me?.email}</p>
        <YourName me={me} hint="Shown to the clinicians you share with, instead of your email." />
        {me && <TimezoneSelect value={zone ?? me.timezone} onChange={setZone} />}
        <div class="row">
          <button type="button" disabled={!zone || zone === me?.timezone} onClick={() => void saveZone()}>
            Save time zone
          </button>
          <button type="button" class="quiet" onClick={() => void onSignOut()}>
            Log out
          </button>
        </div>
        <p role="status" class="small">
          {zoneMessage}
        </p>
        {me && <Country current={me.country} />}
      </section>
      <DailyBudget current={me?.daily_minutes} />
      <History />
      <Reminders />
      <Notifications />
      <CareSections />
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">Export my data</h2>
        <p class="small muted">Everything you logged, to keep or to bring to an appointment.</p>
        <div class="row">
          <a class="button" href={api.exportUrl('csv')} download>
            Spreadsheet (CSV)
          </a>
          <a class="button" href={api.exportUrl('json')} download>
            JSON
          </a>
          <a class="button" href={api.exportUrl('fhir')} download>
            FHIR (for clinics)
          </a>
        </div>
      </section>
      <DeleteAccount onDeleted={onDeleted} />
      <p class="small muted">
        Backtrack teaches and tracks; it does not diagnose. If pain is severe, new, or comes with numbness, weakness,
        fever or loss of bladder or bowel control, see a doctor. In an emergency, call emergency services.
      </p>
    </main>
  )
}
