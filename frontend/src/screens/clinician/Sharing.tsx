// What the patient shares and what is going on with them: the permissions they gave
// this link, a flare-up or a safety hold (calm badges, for the list and the page), the
// record of flares, and every change to their plan.
import { useState } from 'preact/hooks'
import * as api from '../../api'
import type { AdaptedPatientProfile, AdaptedPatientRow, Flare, FlareRecord, PlanChange } from '../../types'
import { TextField } from '../../ui/TextField'
import { useSubmit } from '../../ui/hooks'
import { Problem, useRemote } from './remote'
import { flareSince, SCOPES, scopeWords } from './patients'

function when(instant: string): string {
  return new Date(instant).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/** Small badges: what the link shares (the list shows only what is on). */
export function ScopeBadges({ scopes, all = false }: { scopes: readonly string[]; all?: boolean }) {
  const shown = all ? SCOPES : SCOPES.filter(([scope]) => scopes.includes(scope))
  return (
    <span class="scope-badges">
      <span class="visually-hidden">{scopeWords(scopes)}</span>
      {shown.map(([scope, label]) => (
        <span key={scope} class={`scope${scopes.includes(scope) ? ' on' : ' off'}`} aria-hidden="true">
          {scopes.includes(scope) ? '' : 'No '}
          {label}
        </span>
      ))}
    </span>
  )
}

/** "Flare-up since Tue" and "Plan on hold": calm, not an alarm. */
export function StateBadges({ row, today }: { row: Pick<AdaptedPatientRow, 'flare' | 'safety_hold' | 'on_hold'>; today: Date }) {
  const flare = row.flare
  return (
    <>
      {flare && (
        <span class="badge badge-calm" data-state="flare">
          {typeof flare === 'object' ? `Flare-up since ${flareSince(flare.started_at, today)}` : 'Flare-up now'}
        </span>
      )}
      {(row.safety_hold || row.on_hold) && (
        <span class="badge badge-calm" data-state="hold">
          Plan on hold
        </span>
      )}
    </>
  )
}

const ENDED_BY: Record<string, string> = {
  patient: 'ended by the patient',
  expired: 'ran its 48 hours',
  check_in: 'ended with their check-in',
}

function flareEnd(record: FlareRecord): string {
  if (!record.ended_at) return `until ${when(record.ends_at)} unless they end it sooner`
  return `${ENDED_BY[record.ended_by ?? ''] ?? 'ended'} ${when(record.ended_at)}`
}

/** The permissions, the flare now and before. */
export function SharingAndFlare({ patient }: { patient: AdaptedPatientProfile }) {
  const flare: Flare | null | undefined = patient.flare
  const flares = patient.flares ?? []
  return (
    <section class="card" aria-labelledby="sharing-title">
      <h2 id="sharing-title">What they share with you</h2>
      <p>
        <ScopeBadges scopes={patient.scopes} all />
      </p>
      <p class="small muted">
        Only the patient changes these, in their Settings; a change takes effect at once.
        {patient.scopes.includes('prescribe')
          ? ' They let you change their plan: doses, exercises, the pain rule, and releasing a safety hold.'
          : ''}
      </p>
      <h3 id="flare-title">Flare-ups</h3>
      {flare ? (
        <p>
          <span class="badge badge-calm">Flare-up</span> Since <time dateTime={flare.started_at}>{when(flare.started_at)}</time>, until{' '}
          <time dateTime={flare.ends_at}>{when(flare.ends_at)}</time>: they follow the short flare plan, their usual plan
          is paused and these days are not counted as missed.
        </p>
      ) : (
        <p>No flare-up now.</p>
      )}
      {flares.filter((f) => f.ended_at).length > 0 && (
        <ul class="plain" aria-labelledby="flare-title">
          {flares
            .filter((f) => f.ended_at)
            .map((record) => (
              <li key={record.started_at}>
                From <time dateTime={record.started_at}>{when(record.started_at)}</time>, {flareEnd(record)}.
              </li>
            ))}
        </ul>
      )}
    </section>
  )
}

/** Every change to the plan, newest first, by the patient or a clinician. */
export function PlanChanges({ changes }: { changes: PlanChange[] | undefined }) {
  if (changes === undefined) return null
  return (
    <section class="card" aria-labelledby="changes-title">
      <h2 id="changes-title">Changes to their plan</h2>
      {changes.length === 0 ? (
        <p class="small muted">No changes yet: the plan is their programs' own.</p>
      ) : (
        <ul class="plain changes">
          {changes.map((change, n) => (
            <li key={`${change.at}-${n}`}>
              <time class="small muted" dateTime={change.at}>
                {when(change.at)}
              </time>{' '}
              {change.text}
              {change.by.role === 'patient' && <span class="small muted"> (the patient)</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** The name patients read beside what a clinician set ("Set by Dr Rao"). */
export function YourName() {
  const me = useRemote(api.getMe, [])
  const [typed, setTyped] = useState<string>()
  const name = typed ?? me.data?.display_name ?? ''
  const { busy, error, done, submit } = useSubmit(async () => {
    const saved = await api.updateMe({ display_name: name.trim() })
    me.set(saved)
    setTyped(undefined)
    return saved.display_name ? `Saved. Patients see “${saved.display_name}”.` : `Saved. Patients see your email, ${saved.email}.`
  })
  const nameError = api.fieldError(error, 'display_name')
  return (
    <section class="card" aria-labelledby="name-title">
      <h2 id="name-title">Your name as patients see it</h2>
      {me.error !== undefined && <Problem error={me.error} what="your name" />}
      <form onSubmit={submit}>
        <TextField
          id="display-name"
          label="Name"
          type="text"
          autocomplete="name"
          value={name}
          onValue={setTyped}
          error={nameError}
          hint={`Shown on what you prescribe (“Set by …”) and in their sharing settings. Empty: your email${me.data ? `, ${me.data.email}` : ''}.`}
        />
        {error !== undefined && !nameError && <Problem error={error} what="saving your name" />}
        <button type="submit" class="primary" disabled={busy || !me.data}>
          {busy ? 'Saving…' : 'Save name'}
        </button>
        <span role="status" class="small">
          {' '}
          {done}
        </span>
      </form>
    </section>
  )
}
