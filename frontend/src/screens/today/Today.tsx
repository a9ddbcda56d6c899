import { useEffect, useRef, useState } from 'preact/hooks'
import { cachedMe, fetchPlan, refreshToday, shownDay, shownDayTopics } from '../../data'
import { setAside } from '../../exclusions'
import { FLARE_PROGRAM, loadFlare, running, type FlareState } from '../../flare'
import { heldDay, loadSafety, type SafetyState } from '../../hold'
import { findEntry, longDate, overlayDay, sessionStatuses, userToday } from '../../merge'
import { listEntries } from '../../outbox'
import { dayMinutes, daySessions, formatMinutes, holdsLine, ordered, progressionLine, type DaySession } from '../../sessions'
import type { Day, LocalEntry, Me, PlanItem, Prescription } from '../../types'
import { cacheGet } from '../../store'
import { useLive } from '../../ui/hooks'
import { CHECKIN_TIME_KEY } from '../../ui/ReminderEditor'
import { Illustrations } from '../../ui/Illustration'
import { Rejected } from '../../ui/Rejected'
import { Replaced } from '../../ui/Replaced'
import { FlareAdvice, FlareCheckIn, FlarePanel, FlareStart } from './Flare'
import { EmergencyPanel, HoldPanel } from './Safety'
import { formatSeconds } from './tools'
import { cachedGuided, guidedKey, guidedPractices } from '../../guided'
import { isRead } from '../../lessons'
import { cachedQuestionnaires, dueToday, QUESTIONNAIRES_KEY } from '../../questionnaires'
import type { LessonItem, ProgramDetail, Questionnaire } from '../../types'

/**
 * Due questionnaires (issue 18): a short check, offered like the lesson; done at once
 * when answered here, with no signal too.
 */
function QuestionnaireCards({ day, today, entries }: { day: Day | null; today: string; entries: LocalEntry[] }) {
  const catalogue = useLive<Questionnaire[] | null>(cachedQuestionnaires, [`cache:${QUESTIONNAIRES_KEY}`])
  if (catalogue === undefined) return null
  const cards = dueToday(day?.questionnaires, catalogue, entries, today)
  if (cards.length === 0) return null
  return (
    <section class="questionnaire-cards" aria-label="Short checks">
      {cards.map((c) => (
        <a
          key={c.slug}
          class={`card lesson-card questionnaire-card${c.done ? ' is-read' : ''}`}
          href={`#/questionnaire/${c.slug}`}
          data-testid="today-questionnaire"
          data-slug={c.slug}
          data-done={c.done ? 'yes' : 'no'}
        >
          <span class="lesson-card-kicker small">
            {c.minutes}-minute check{c.done ? ' · done, thank you' : ''}
          </span>
          <span class="lesson-title">{c.short_title}</span>
          <span class="small muted">{c.purpose}</span>
        </a>
      ))}
    </section>
  )
}

/** The day's lesson: a calm offer, never a task that is late. */
function LessonCard({ lesson, entries }: { lesson: LessonItem; entries: LocalEntry[] }) {
  const read = lesson.status === 'read' || isRead({ slug: lesson.lesson.slug, status: 'unread' }, entries)
  return (
    <a class={`card lesson-card${read ? ' is-read' : ''}`} href={`#/learn/${lesson.lesson.slug}`} data-testid="today-lesson" data-read={read ? 'yes' : 'no'}>
      <span class="lesson-card-kicker small">
        Today's lesson · {lesson.lesson.minutes} min{read ? ' · read' : ''}
      </span>
      <span class="lesson-title">{lesson.lesson.title}</span>
      <span class="small muted">{lesson.lesson.summary}</span>
    </a>
  )
}

/** "Relax now": the guided practices, one tap to start one (kept for offline). */
function RelaxNow() {
  const [open, setOpen] = useState(false)
  const detail = useLive<ProgramDetail | null>(cachedGuided, [`cache:${guidedKey}`])
  const practices = guidedPractices(detail ?? null)
  if (practices.length === 0) return null
  return (
    <section class="relax-now" aria-label="Relax now">
      <button type="button" class="wide relax-button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Close the list' : 'Relax now'}
      </button>
      {open && (
        <ul class="plain relax-list card" role="list" data-testid="relax-list">
          {practices.map((p) => (
            <li key={p.exercise.slug}>
              <a class="relax-item" href={`#/relax/${p.exercise.slug}`} data-exercise={p.exercise.slug}>
                <span class="item-name">
                  {p.exercise.name}
                  {p.prescription.duration_seconds ? <span class="small muted"> · {dose({ duration_seconds: p.prescription.duration_seconds })}</span> : null}
                </span>
                <span class="small muted">{p.exercise.summary}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

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

const idOf = (text: string) => text.replace(/[^a-zA-Z0-9-]/g, '-')

/** Why the dose is what it is, in one quiet line (the words: sessions.progressionLine). */
export function Progression({ progression }: { progression: PlanItem['progression'] }) {
  const line = progressionLine(progression)
  if (!line || !progression) return null
  return (
    <p class={`progression small is-${progression.state}`} data-testid="progression" data-state={progression.state}>
      <span class="step-sign" aria-hidden="true">
        {line.sign}
      </span>{' '}
      <b>{line.head}</b>
      {line.rest}
    </p>
  )
}

/** "Not for me": a short confirm, then the exercise leaves the plan (offline too). */
function NotForMe({ item }: { item: PlanItem }) {
  const [asking, setAsking] = useState(false)
  const ref = useRef<HTMLParagraphElement>(null)
  useEffect(() => {
    if (asking) ref.current?.focus()
  }, [asking])
  if (!asking) {
    return (
      <button type="button" class="linklike small not-for-me" aria-label={`Not for me: ${item.exercise.name}`} onClick={() => setAsking(true)}>
        Not for me
      </button>
    )
  }
  return (
    <div class="not-for-me-confirm" role="group" aria-label={`Set aside ${item.exercise.name}`}>
      <p tabIndex={-1} ref={ref} class="small">
        Set aside {item.exercise.name}? It will stop appearing in your plan. You can bring it back in Settings.
      </p>
      <div class="row">
        <button
          type="button"
          class="primary"
          onClick={() => void setAside(item.exercise.slug, item.exercise.name).then((sent) => (sent ? fetchPlan().catch(() => undefined) : undefined))}
        >
          Set it aside
        </button>
        <button type="button" class="quiet" onClick={() => setAsking(false)}>
          Keep it
        </button>
      </div>
    </div>
  )
}

/** One exercise in a session's list: its name, dose and where it stands. */
function ItemRow({ item, pending }: { item: PlanItem; pending: boolean }) {
  const nameId = `item-${idOf(item.id)}`
  const flare = item.program === FLARE_PROGRAM
  const chip =
    item.status === 'held' ? (
      <span class="chip held">Paused</span>
    ) : item.status === 'done' || item.status === 'skipped' ? (
      <span class={`chip ${item.status}`}>
        {item.status === 'done' ? 'Done' : 'Skipped'}
        {pending && <span class="visually-hidden"> (waiting to send)</span>}
      </span>
    ) : null
  return (
    <li class={`item-row${item.status === 'held' ? ' is-held' : ''}`} aria-labelledby={nameId} data-item-id={item.id} data-status={item.status}>
      <div class="item-row-head">
        <div>
          <span class="item-name" id={nameId}>
            {item.exercise.name}
          </span>
          <span class="dose">{dose(item.prescription)}</span>
        </div>
        {chip}
      </div>
      {item.prescribed_by && (
        <p class="set-by small" data-testid="set-by">
          Set by {item.prescribed_by.name}
          {item.note ? <span class="set-by-note">: “{item.note}”</span> : null}
        </p>
      )}
      {item.prescription.note && <p class="small muted dose-note">{item.prescription.note}</p>}
      <Progression progression={item.progression} />
      <Illustrations pictures={item.exercise.illustrations} />
      {!flare && item.status !== 'held' && <NotForMe item={item} />}
    </li>
  )
}

function ItemList({ items, statuses }: { items: PlanItem[]; statuses: ReturnType<typeof sessionStatuses> }) {
  return (
    <ul class="plain items" role="list">
      {items.map((item) => (
        <ItemRow key={item.id} item={item} pending={statuses.get(item.id)?.pending ?? false} />
      ))}
    </ul>
  )
}

/** The exercises of a session, required first, then the extras under their own heading. */
function SessionItems({ session, statuses }: { session: DaySession; statuses: ReturnType<typeof sessionStatuses> }) {
  return (
    <>
      <ItemList items={session.required} statuses={statuses} />
      {session.extras.length > 0 && (
        <>
          <p class="extras-title small">Extra, if you have time</p>
          <ItemList items={session.extras} statuses={statuses} />
        </>
      )}
    </>
  )
}

/**
 * One session: its minutes, what it holds in a line, and one Start button. Done, it
 * folds into one row ("Morning · done") that opens again.
 */
/** "See all 7 exercises (2 extra)": the count matches the one-line summary and the player. */
function listLabel(items: { optional?: boolean }[]): string {
  if (items.length === 1) return 'See the exercise'
  const extra = items.filter((i) => i.optional).length
  return `See all ${items.length} exercises${extra ? ` (${extra} extra)` : ''}`
}

function SessionCard({
  session,
  next,
  statuses,
  open = false,
}: {
  session: DaySession
  next: boolean
  statuses: ReturnType<typeof sessionStatuses>
  /** The list shown from the start (the flare plan: few items, each with its pictures). */
  open?: boolean
}) {
  const titleId = `time-${session.time_of_day}`
  const play = `#/play/${session.time_of_day}`
  if (session.done) {
    const extrasLeft = session.extras.filter((i) => i.status === 'pending')
    return (
      <section class="card session is-done" aria-labelledby={titleId} data-session={session.time_of_day}>
        <details>
          <summary>
            <h2 id={titleId} class="session-title">
              {session.title}
            </h2>
            <span class="done-mark"> · done</span>
          </summary>
          <SessionItems session={session} statuses={statuses} />
          {extrasLeft.length > 0 && (
            <a class="button" href={`${play}?extras=1`}>
              Do the extras<span class="visually-hidden"> of the {session.title.toLowerCase()} session</span>
            </a>
          )}
        </details>
      </section>
    )
  }
  return (
    <section
      class={`card session${next ? ' is-next' : ''}${session.held ? ' is-held' : ''}`}
      aria-labelledby={titleId}
      data-session={session.time_of_day}
    >
      {next && <p class="next-up">Next up</p>}
      <div class="session-head">
        <h2 id={titleId} class="session-title">
          {session.title}
        </h2>
        <span class="session-minutes">{formatMinutes(session.minutes)}</span>
      </div>
      <p class="holds">{holdsLine(session)}</p>
      {session.held ? (
        <SessionItems session={session} statuses={statuses} />
      ) : (
        <>
          <a class="button primary start" href={play} aria-describedby={titleId}>
            Start
          </a>
          <details class="session-list" open={open}>
            <summary>{listLabel(session.items)}</summary>
            <SessionItems session={session} statuses={statuses} />
          </details>
        </>
      )}
    </section>
  )
}

/** The emergency and hold panels, at the top of Today and of the check-in. */
export function SafetyTop({ safety, me, after }: { safety: SafetyState; me: Me | undefined; after?: preact.ComponentChildren }) {
  const held = Boolean(safety.hold)
  const [backNote, setBackNote] = useState('')
  const wasHeld = useRef<boolean | undefined>(undefined)
  useEffect(() => {
    if (wasHeld.current && !held) setBackNote('Your exercises are back. Start gently, and stop if anything feels wrong.')
    if (held) setBackNote('')
    wasHeld.current = held
  }, [held])
  return (
    <>
      {safety.emergency && <EmergencyPanel notice={safety.emergency} me={me} />}
      {after}
      {/* The emergency's message is said once, above; an urgent hold says its own. */}
      {safety.hold && <HoldPanel hold={safety.hold} showAdvice={safety.hold.level === 'urgent'} me={me} />}
      <p role="status" class={backNote ? 'notice ok' : 'visually-hidden'}>
        {backNote}
      </p>
    </>
  )
}

/** Without a check-in reminder, the check-in is offered from late afternoon. */
const CHECKIN_FALLBACK = '17:00'

const nowHHMM = () => {
  const d = new Date()
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

/**
 * The check-in and journal as their own short steps: offered (the check-in as the
 * main button) after the first session of the day and from the check-in reminder's
 * time; never appended below the plan.
 */
function Steps({ today, entries, practised }: { today: string; entries: LocalEntry[]; practised: boolean }) {
  const checkinTime = useLive<string | null>(async () => (await cacheGet<string | null>(CHECKIN_TIME_KEY)) ?? null, [`cache:${CHECKIN_TIME_KEY}`])
  const checkedIn = Boolean(findEntry(entries, 'checkin', (d) => d.date === today))
  const wroteJournal = Boolean(findEntry(entries, 'journal', (d) => d.date === today))
  const due = nowHHMM() >= (checkinTime ?? CHECKIN_FALLBACK)
  const offerCheckin = !checkedIn && (practised || due)
  return (
    <section class="card steps" aria-labelledby="steps-title">
      <h2 id="steps-title">{offerCheckin ? 'A minute for you' : 'Also today'}</h2>
      <ul class="plain" role="list">
        <li>
          <a class={`button${offerCheckin ? ' primary' : ''}`} href="#/checkin">
            {checkedIn ? 'Check-in done · change it' : 'How are you today? Check in'}
          </a>
        </li>
        <li>
          <a class="button" href="#/journal">
            {wroteJournal ? 'Journal written · open it' : 'Write in your journal'}
          </a>
        </li>
      </ul>
    </section>
  )
}

export function Today() {
  const me = useLive<Me | undefined>(cachedMe, ['cache:me'])
  const today = me ? userToday(me) : undefined
  const flareState = useLive<FlareState>(loadFlare, ['cache:flare'])
  // A flare runs out on the clock: the minute hand moves what Today shows.
  const [now, setNow] = useState(() => new Date())
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 60_000)
    return () => clearInterval(id)
  }, [])
  const flareRunning = Boolean(flareState && running(flareState, now))
  const wasRunning = useRef(flareRunning)
  useEffect(() => {
    // Ran out (or ended) while open: the server's usual days replace the flare's kept here.
    if (wasRunning.current && !flareRunning) void fetchPlan().catch(() => undefined)
    wasRunning.current = flareRunning
  }, [flareRunning])
  // Read again when the flare runs out on the clock: the usual plan is back.
  const day = useLive<Day | null>(() => (today ? shownDay(today) : Promise.resolve(null)), today ? shownDayTopics(today) : [], [today, flareRunning])
  const loadedEntries = useLive(listEntries, ['entries'])
  const entries = loadedEntries ?? []
  const safety = useLive<SafetyState>(loadSafety, ['cache:safety'])
  const [refreshError, setRefreshError] = useState<string>()
  const [refreshed, setRefreshed] = useState(false)

  useEffect(() => {
    refreshToday().then(
      () => setRefreshError(undefined),
      (e: Error) => setRefreshError(e.message),
    ).finally(() => setRefreshed(true))
  }, [])

  if (!today || day === undefined || loadedEntries === undefined || safety === undefined || flareState === undefined) return <main id="main" aria-busy="true" />
  const held = Boolean(safety.hold)
  const inFlare = flareRunning
  const shown = day ? heldDay(overlayDay(day, entries), held) : undefined
  const statuses = sessionStatuses(entries)
  const sessions = shown ? daySessions(shown) : []
  const total = shown ? dayMinutes(shown, sessions) : 0
  const next = ordered(sessions)[0]
  const practised = sessions.some((s) => s.items.some((i) => i.status === 'done'))

  return (
    <main id="main">
      <SafetyTop safety={safety} me={me} />
      <h1>Today</h1>
      <p class="muted">
        {longDate(today)}
        {/* While paused, a count of what is not done would read as a reproach. */}
        {sessions.length > 0 && held && ' · exercises paused'}
      </p>
      <FlareCheckIn state={flareState} now={now} />
      {inFlare && <FlarePanel state={flareState} now={now} />}
      {sessions.length > 0 && !held && !inFlare && (
        <p class="day-total" data-testid="day-total">
          <b>{formatMinutes(total)}</b> of practice today
          {me?.daily_minutes ? (
            <span class="small muted">{total <= me.daily_minutes ? ` · within your ${me.daily_minutes} minutes` : ''}</span>
          ) : null}
        </p>
      )}
      {!inFlare && !held && (day || refreshed) && <FlareStart />}
      <Rejected />
      <Replaced />
      {refreshError && !day && (
        <p class="notice warn" role="status">
          {refreshError}
        </p>
      )}
      {!day && !refreshed && <p>Loading today's plan…</p>}
      {inFlare && shown && sessions.length === 0 && (
        <p class="card small">The gentle exercises show here once the phone has been online. Meanwhile: slow breaths with a long out-breath, warmth on the sore area, and a few easy steps if they are comfortable.</p>
      )}
      {!inFlare && shown?.awaiting && (
        <p class="card" data-testid="usual-plan-coming">
          {navigator.onLine === false ? 'Your usual plan is back. It shows here as soon as the phone is online.' : 'Your usual plan is back. Loading it…'}
        </p>
      )}
      {!inFlare && shown && !shown.awaiting && sessions.length === 0 && (
        <div class="card">
          <p>Nothing planned for today.</p>
          <a class="button primary" href="#/programs">
            Choose a program
          </a>
        </div>
      )}
      {ordered(sessions).map((session) => (
        <SessionCard key={session.time_of_day} session={session} next={session === next && !session.done && !held} statuses={statuses} open={inFlare} />
      ))}
      {inFlare && <FlareAdvice day={shown ?? null} />}
      {!inFlare && day?.lesson && <LessonCard lesson={day.lesson} entries={entries} />}
      {!inFlare && <QuestionnaireCards day={day} today={today} entries={entries} />}
      {!held && <RelaxNow />}
      {/* Only under the sessions once they are known: the day is read back from the
          store a moment after the refresh ends, and the steps shown first would jump
          down the page (Lighthouse measured a 0.19 layout shift). */}
      {(day || (refreshed && refreshError)) && <Steps today={today} entries={entries} practised={practised} />}
    </main>
  )
}
