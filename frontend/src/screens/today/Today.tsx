import { useEffect, useRef, useState } from 'preact/hooks'
import { cachedDay, cachedMe, refreshToday } from '../../data'
import { heldDay, loadSafety, type SafetyState } from '../../hold'
import { longDate, overlayDay, sessionStatuses, userToday } from '../../merge'
import { clearSession, listEntries, recordSession } from '../../outbox'
import type { Day, Me, PlanItem, Prescription } from '../../types'
import { useLive } from '../../ui/hooks'
import { Illustrations } from '../../ui/Illustration'
import { Rejected } from '../../ui/Rejected'
import { Replaced } from '../../ui/Replaced'
import { CheckIn } from './CheckIn'
import { Journal } from './Journal'
import { EmergencyPanel, HoldPanel } from './Safety'
import { Countdown, Pacer, RepCounter, formatSeconds } from './tools'

const TIMES: [string, string][] = [
  ['morning', 'Morning'],
  ['midday', 'Midday'],
  ['afternoon', 'Afternoon'],
  ['evening', 'Evening'],
  ['bedtime', 'Bedtime'],
]

export function dose(p: Prescription): string {
  const parts: string[] = []
  if (p.sets && p.reps) parts.push(`${p.sets} × ${p.reps} reps`)
  else if (p.reps) parts.push(`${p.reps} reps`)
  else if (p.sets) parts.push(`${p.sets} ${p.sets === 1 ? 'time' : 'times'}`)
  if (p.hold_seconds) parts.push(`hold ${formatSeconds(p.hold_seconds)} s`)
  if (p.breaths) parts.push(`${p.breaths} breaths`)
  if (p.duration_seconds) {
    parts.push(p.duration_seconds >= 60 ? `${Math.round(p.duration_seconds / 60)} min` : `${p.duration_seconds} s`)
  }
  if (p.per_side) parts.push('each side')
  return parts.join(' · ')
}

interface ItemProps {
  item: PlanItem
  date: string
  pending: boolean
}

/** An exercise while the plan is held: visibly paused, nothing to tick off. */
function PausedItem({ item, nameId }: { item: PlanItem; nameId: string }) {
  return (
    <li class="card item is-held" aria-labelledby={nameId} data-item-id={item.id} data-status="held">
      <div class="item-head">
        <div>
          <h3 class="item-name" id={nameId}>
            {item.exercise.name}
          </h3>
          <p class="dose">{dose(item.prescription)}</p>
        </div>
        <span class="chip held">Paused</span>
      </div>
    </li>
  )
}

function Item({ item, date, pending }: ItemProps) {
  const { exercise, prescription: p } = item
  const nameId = `item-${item.id.replace(/[^a-zA-Z0-9-]/g, '-')}`
  if (item.status === 'held') return <PausedItem item={item} nameId={nameId} />
  const mark = (status: 'done' | 'skipped') => void recordSession({ date, item_id: item.id, status })
  const undo = () => void clearSession(item.id, date)
  // Steps and tools are drawn only once opened: a long day stays quick to show.
  const [open, setOpen] = useState(false)
  return (
    <li class={`card item${item.status === 'done' ? ' is-done' : ''}`} aria-labelledby={nameId} data-item-id={item.id}>
      <div class="item-head">
        <div>
          <h3 class="item-name" id={nameId}>
            {exercise.name}
          </h3>
          <p class="dose">{dose(p)}</p>
        </div>
        {item.status !== 'pending' && (
          <span class={`chip ${item.status}`}>
            {item.status === 'done' ? 'Done' : 'Skipped'}
            {pending && <span class="visually-hidden"> (waiting to send)</span>}
          </span>
        )}
      </div>
      {p.note && <p class="small">{p.note}</p>}
      <Illustrations pictures={exercise.illustrations} />
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>How to do it</summary>
        {open && (
          <>
        {exercise.summary && <p>{exercise.summary}</p>}
        <ol class="steps">
          {exercise.steps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
        {exercise.cautions.length > 0 && (
          <div class="cautions">
            <b>Take care:</b>
            <ul>
              {exercise.cautions.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </div>
        )}
        <div class="stack">
          {exercise.pattern && (
            <Pacer pattern={exercise.pattern} breaths={p.breaths} durationSeconds={p.duration_seconds} />
          )}
          {!exercise.pattern && p.hold_seconds && (
            <Countdown seconds={p.hold_seconds} label="Hold" doneText="Hold done. Rest for a breath, then go again." />
          )}
          {!exercise.pattern && p.reps && <RepCounter reps={p.reps} sets={p.sets} perSide={p.per_side} />}
          {!exercise.pattern && !p.hold_seconds && p.duration_seconds && (
            <Countdown seconds={p.duration_seconds} label="Timer" doneText="Time is up. Well done." />
          )}
        </div>
          </>
        )}
      </details>
      {item.status === 'pending' ? (
        <div class="actions">
          <button type="button" class="primary" onClick={() => mark('done')} aria-describedby={nameId}>
            Done
          </button>
          <button type="button" class="quiet" onClick={() => mark('skipped')} aria-describedby={nameId}>
            Skip
          </button>
        </div>
      ) : (
        <div class="row">
          <span class="small muted">
            {item.status === 'done' ? 'Nicely done.' : 'Skipped. Rest is part of it too.'}
          </span>
          <button type="button" class="linklike" onClick={undo} aria-describedby={nameId}>
            Undo
          </button>
        </div>
      )}
    </li>
  )
}

export function Today({ focus }: { focus?: 'checkin' }) {
  const me = useLive<Me | undefined>(cachedMe, ['cache:me'])
  const today = me ? userToday(me) : undefined
  const day = useLive<Day | null>(() => (today ? cachedDay(today) : Promise.resolve(null)), [`cache:day:${today}`], [today])
  const loadedEntries = useLive(listEntries, ['entries'])
  const entries = loadedEntries ?? []
  const safety = useLive<SafetyState>(loadSafety, ['cache:safety'])
  const [refreshError, setRefreshError] = useState<string>()
  const [refreshed, setRefreshed] = useState(false)
  const [backNote, setBackNote] = useState('')
  const wasHeld = useRef<boolean | undefined>(undefined)
  const held = Boolean(safety?.hold)
  useEffect(() => {
    if (safety === undefined) return
    if (wasHeld.current && !held) setBackNote('Your exercises are back. Start gently, and stop if anything feels wrong.')
    if (held) setBackNote('')
    wasHeld.current = held
  }, [held, safety === undefined])

  useEffect(() => {
    refreshToday().then(
      () => setRefreshError(undefined),
      (e: Error) => setRefreshError(e.message),
    ).finally(() => setRefreshed(true))
  }, [])
  useEffect(() => {
    if (focus === 'checkin') document.getElementById('checkin')?.scrollIntoView()
  }, [focus, day === undefined])

  if (!today || day === undefined || loadedEntries === undefined || safety === undefined) return <main id="main" aria-busy="true" />
  const shown = day ? heldDay(overlayDay(day, entries), held) : undefined
  const statuses = sessionStatuses(entries)
  const doneCount = shown?.items.filter((i) => i.status === 'done').length ?? 0
  const heading = longDate(today)

  return (
    <main id="main">
      {safety.emergency && <EmergencyPanel notice={safety.emergency} me={me} />}
      <h1>Today</h1>
      <p class="muted">
        {heading}
        {/* While paused, a count of what is not done would read as a reproach. */}
        {shown && shown.items.length > 0 && (safety.hold ? ' · exercises paused' : ` · ${doneCount} of ${shown.items.length} done`)}
      </p>
      {/* The emergency's message is said once, above; an urgent hold says its own. */}
      {safety.hold && <HoldPanel hold={safety.hold} showAdvice={safety.hold.level === 'urgent'} me={me} />}
      <p role="status" class={backNote ? 'notice ok' : 'visually-hidden'}>
        {backNote}
      </p>
      <Rejected />
      <Replaced />
      {refreshError && !day && (
        <p class="notice warn" role="status">
          {refreshError}
        </p>
      )}
      {!day && !refreshed && <p>Loading today's plan…</p>}
      {shown && shown.items.length === 0 && (
        <div class="card">
          <p>Nothing planned for today.</p>
          <a class="button primary" href="#/programs">
            Choose a program
          </a>
        </div>
      )}
      {shown &&
        TIMES.map(([key, title]) => {
          const items = shown.items.filter((i) => i.time_of_day === key)
          if (items.length === 0) return null
          return (
            <section key={key} aria-labelledby={`time-${key}`}>
              <h2 id={`time-${key}`}>{title}</h2>
              <ul class="plain" role="list" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {items.map((item) => (
                  <Item key={item.id} item={item} date={today} pending={statuses.get(item.id)?.pending ?? false} />
                ))}
              </ul>
            </section>
          )
        })}
      {/* Drawn once the plan is known, so nothing jumps down under a finger. */}
      {(day || refreshed) && (
        <>
          <CheckIn date={today} entries={entries} />
          <Journal date={today} entries={entries} />
        </>
      )}
    </main>
  )
}
