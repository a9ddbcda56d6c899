import type { ComponentChildren } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
import * as api from '../../api'
import { parseRules, parseScreeningRules } from '../../safety'
import type {
  CheckinRecord,
  ClinicianNote,
  HoldRecord,
  Illustration as Picture,
  JournalRecord,
  OutcomeChange,
  OutcomePoint,
  PatientProfile,
  Questionnaire,
  SafetyAlert,
  SafetyHold,
  SessionRecord,
  Summary as SummaryData,
} from '../../types'
import { outcomeViews } from '../../questionnaires'
import { Outcomes } from '../../ui/Outcomes'
import { VisitReport } from '../../ui/Report'
import { go, useSubmit } from '../../ui/hooks'
import { Illustration } from '../../ui/Illustration'
import { TextField } from '../../ui/TextField'
import { SummaryView, type Window, WindowPicker } from '../../ui/SummaryView'
import { ALERT_LABEL, itemName, shiftDate } from './patients'
import { programDetail, programsOf, startPicture } from './pictures'
import { PlanAndPrescriptions } from './Prescribe'
import { Actions, Problem, useRemote } from './remote'
import { PlanChanges, SharingAndFlare, StateBadges } from './Sharing'

const AREA_NAMES: Record<string, string> = {
  neck_shoulders: 'neck and shoulders',
  upper_back: 'upper back',
  lower_back: 'lower back',
  legs: 'legs',
}

function when(instant: string): string {
  return new Date(instant).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

function Alerts({ patientId, initial }: { patientId: number; initial: SafetyAlert[] }) {
  const [alerts, setAlerts] = useState(initial)
  const [errors, setErrors] = useState<Record<number, unknown>>({})
  const [done, setDone] = useState('')
  // The red-flag questions the patient answered, worded as they saw them.
  const rules = useRemote(() => api.getSafetyRules().then(parseRules), [])
  const question = (id: string) => rules.data?.find((rule) => rule.id === id)?.question ?? id.replace(/_/g, ' ')
  const acknowledge = async (alert: SafetyAlert) => {
    setDone('')
    try {
      await api.acknowledgeAlert(patientId, alert.id)
      setAlerts((list) => list.filter((a) => a.id !== alert.id))
      setDone(`Alert of ${alert.date} acknowledged. It stays in the patient's record.`)
    } catch (e) {
      setErrors((all) => ({ ...all, [alert.id]: e }))
    }
  }
  return (
    <section class={`card${alerts.length > 0 ? ' alerts-open' : ''}`} aria-labelledby="alerts-title">
      <h2 id="alerts-title">Safety alerts</h2>
      {alerts.length === 0 ? (
        <p>No open safety alerts.</p>
      ) : (
        <ul class="alert-list">
          {alerts.map((alert) => (
            <li key={alert.id} class={`alert alert-${alert.level}`}>
              <h3 id={`alert-${alert.id}`}>
                <span class={`badge badge-${alert.level}`}>{ALERT_LABEL[alert.level]}</span> Check-in of {alert.date}
              </h3>
              <p>The patient answered yes to:</p>
              <ul>
                {alert.red_flags.map((flag) => (
                  <li key={flag}>{question(flag)}</li>
                ))}
              </ul>
              <button type="button" aria-describedby={`alert-${alert.id}`} onClick={() => void acknowledge(alert)}>
                Acknowledge
              </button>
              {errors[alert.id] !== undefined && <Problem error={errors[alert.id]} what="acknowledging an alert" />}
            </li>
          ))}
        </ul>
      )}
      {alerts.length > 0 && (
        <p class="small muted">
          Backtrack gave the patient its standard advice for these answers; it does not diagnose. Acknowledge an alert
          once you have seen it; it then leaves this list and the patient list.
        </p>
      )}
      <p role="status" class="small">
        {done}
      </p>
    </section>
  )
}

const RELEASE_WORDS: Record<string, string> = {
  seen_professional: 'the patient said they had seen a professional',
  answered_by_mistake: 'the patient said they had answered by mistake',
  check_in_changed: 'the patient corrected the check-in',
  cleared_by_clinician: 'released by a clinician',
}

function releaseText(record: HoldRecord): string {
  if (!record.released_at) return 'Still open'
  const reason = RELEASE_WORDS[record.release_reason ?? ''] ?? 'released'
  const by = record.released_by
  const how = by && !by.self ? `released by ${by.name}` : reason
  return `Ended ${when(record.released_at)}: ${how}`
}

/**
 * The safety hold: whether the patient's exercises are paused now, every past hold and
 * how it ended, and (with the patient's `prescribe` permission) the way to end it.
 */
function Hold({ patient, onChanged }: { patient: PatientProfile; onChanged: () => void }) {
  // The server's answer to a release here, until the page is read again.
  const [answered, setAnswered] = useState<{ hold: SafetyHold | null; of: string | undefined }>()
  const current = patient.safety_hold ?? null
  const hold = answered && answered.of === current?.since ? answered.hold : current
  const [error, setError] = useState<unknown>()
  const [done, setDone] = useState('')
  const canRelease = patient.scopes.includes('prescribe')
  const history = patient.safety_holds ?? []
  const release = async () => {
    setError(undefined)
    setDone('')
    try {
      const answer = await api.releasePatientHold(patient.id)
      setAnswered({ hold: answer.safety_hold, of: current?.since })
      setDone(
        answer.released
          ? "Hold released. The patient's exercises are back on their phone, and the release is recorded."
          : 'There was no hold to release: it may have ended already.',
      )
      onChanged()
    } catch (e) {
      setError(e)
    }
  }
  if (patient.safety_hold === undefined && history.length === 0) return null
  return (
    <section class={`card${hold ? ' alerts-open' : ''}`} aria-labelledby="hold-title">
      <h2 id="hold-title">Safety hold</h2>
      {hold ? (
        <>
          <p>
            <span class={`badge badge-${hold.level}`}>{ALERT_LABEL[hold.level]}</span> The patient's exercises are
            paused since <time dateTime={hold.since}>{when(hold.since)}</time>, after an {hold.level} answer in a
            check-in. Their check-ins go on.
          </p>
          {canRelease ? (
            <button type="button" class="primary" onClick={() => void release()}>
              Release the hold
            </button>
          ) : (
            <p class="small muted">
              The patient ends it when they have been seen. They can also let you release it (their sharing settings).
            </p>
          )}
        </>
      ) : (
        <p>No hold: the patient's exercises are not paused.</p>
      )}
      {error !== undefined && <Problem error={error} what="releasing the hold" />}
      <p role="status" class="small">
        {done}
      </p>
      {history.length > 0 && (
        <>
          <h3 id="hold-history-title">Every hold, most recent first</h3>
          <ul class="plain" aria-labelledby="hold-history-title">
            {history.map((record) => (
              <li key={record.since}>
                <span class={`badge badge-${record.level}`}>{ALERT_LABEL[record.level]}</span> From{' '}
                <time dateTime={record.since}>{when(record.since)}</time>. {releaseText(record)}.
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}

/** The history questions the patient answered at onboarding (or since, in Settings). */
function History({ answers }: { answers: Record<string, boolean> | undefined }) {
  const rules = useRemote(() => api.getSafetyRules().then(parseScreeningRules), [])
  if (!answers) return null
  const ids = Object.keys(answers)
  const question = (id: string) => rules.data?.find((rule) => rule.id === id)?.question ?? id.replace(/_/g, ' ')
  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">Health history (asked once)</h2>
      {ids.length === 0 ? (
        <p>Not answered yet.</p>
      ) : (
        <table class="data">
          <caption class="visually-hidden">The patient's answers to the history questions</caption>
          <thead>
            <tr>
              <th scope="col">Question</th>
              <th scope="col">Answer</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((id) => (
              <tr key={id}>
                <th scope="row">{question(id)}</th>
                <td>{answers[id] ? <b>Yes</b> : 'No'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Summary({ patientId }: { patientId: number }) {
  const [days, setDays] = useState<Window>(28)
  const summary = useRemote(() => api.getPatientSummary(patientId, days), [patientId, days])
  return (
    <section aria-labelledby="progress-title">
      <h2 id="progress-title">Progress</h2>
      <WindowPicker days={days} onChange={setDays} />
      {summary.error !== undefined && <Problem error={summary.error} what="the progress summary" />}
      {summary.data === undefined && summary.loading && <p aria-busy="true">Loading…</p>}
      {summary.data && <SummaryView summary={summary.data} days={days} forClinician />}
      {summary.data && <PatientOutcomes summary={summary.data} />}
    </section>
  )
}

let catalogue: Promise<Questionnaire[] | null> | undefined

/** The questionnaires' titles, ranges and thresholds (the same catalogue patients get). */
const questionnaireCatalogue = () =>
  (catalogue ??= api.getQuestionnaires().catch(() => {
    catalogue = undefined // asked again next time
    return null
  }))

/** Issue 18: the patient's scores against their baseline, as numbers and a chart each. */
function PatientOutcomes({ summary }: { summary: SummaryData & { outcomes?: OutcomePoint[]; outcome_changes?: OutcomeChange[] } }) {
  const [list, setList] = useState<Questionnaire[] | null>()
  useEffect(() => {
    void questionnaireCatalogue().then(setList)
  }, [])
  if (list === undefined) return null
  // A clinician's catalogue carries their own (empty) baselines: the patient's come from the summary.
  const info = list?.map((q) => ({ ...q, baseline: null })) ?? null
  return <Outcomes views={outcomeViews(summary, info)} forClinician />
}

interface Range {
  from: string
  to: string
}

function RangeForm({ range, onChange, error }: { range: Range; onChange: (range: Range) => void; error: unknown }) {
  const [from, setFrom] = useState(range.from)
  const [to, setTo] = useState(range.to)
  const fromError = api.fieldError(error, 'from')
  const toError = api.fieldError(error, 'to')
  return (
    <form
      class="range"
      onSubmit={(event) => {
        event.preventDefault()
        onChange({ from, to })
      }}
    >
      <TextField id="range-from" label="From" type="date" required value={from} onValue={setFrom} error={fromError} />
      <TextField id="range-to" label="To" type="date" required value={to} onValue={setTo} error={toError} />
      <button type="submit">Show these dates</button>
    </form>
  )
}

const newestFirst = <T extends { date: string; updated_at: string }>(list: T[]) =>
  [...list].sort((a, b) => b.date.localeCompare(a.date) || b.updated_at.localeCompare(a.updated_at))

/** A log table that scrolls sideways on a phone: its column names, then its rows. */
function LogTable({ labelledBy, columns, children }: { labelledBy: string; columns: string[]; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      <table class="data log">
        <thead>
          <tr>
            {columns.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

function NotAnswered() {
  return (
    <>
      <span aria-hidden="true">–</span>
      <span class="visually-hidden">not answered</span>
    </>
  )
}

const CHECKIN_COLUMNS = ['Date', 'Pain', 'Stress', 'Sleep (h)', 'Sleep quality (1-5)', 'Mood (1-5)', 'Where', 'Weighed on the day', 'Red flags', 'Note']

function CheckinTable({ rows }: { rows: CheckinRecord[] }) {
  if (rows.length === 0) return <p>No check-ins in these dates.</p>
  return (
    <LogTable labelledBy="checkins-title" columns={CHECKIN_COLUMNS}>
      {newestFirst(rows).map((c) => (
        <tr key={c.client_id}>
          <th scope="row">{c.date}</th>
          <td>{c.pain ?? <NotAnswered />}</td>
          <td>{c.stress ?? <NotAnswered />}</td>
          <td>{c.sleep_hours ?? '–'}</td>
          <td>{c.sleep_quality ?? '–'}</td>
          <td>{c.mood ?? <NotAnswered />}</td>
          <td>{c.pain_areas?.length ? c.pain_areas.map((a) => AREA_NAMES[a] ?? a).join(', ') : '–'}</td>
          <td>{c.factors?.length ? c.factors.map((f) => f.replace(/_/g, ' ')).join(', ') : '–'}</td>
          <td>{c.red_flags?.length ? c.red_flags.map((f) => f.replace(/_/g, ' ')).join(', ') : 'None'}</td>
          <td class="note-cell">{c.note ?? ''}</td>
        </tr>
      ))}
    </LogTable>
  )
}

/** The exercise's name with a small picture of its start position, once the catalog has answered. */
function ExerciseName({ itemId, picture }: { itemId: string; picture?: Picture }) {
  return (
    <span class="exercise-name">
      {picture && <Illustration picture={picture} extraClass="thumb" />}
      <span>{itemName(itemId)}</span>
    </span>
  )
}

const SESSION_COLUMNS = ['Date', 'Exercise', 'Done or skipped', 'Effort (0-10)', 'Note']

function SessionTable({ rows }: { rows: SessionRecord[] }) {
  const slugs = programsOf(rows.map((s) => s.item_id))
  const details = useRemote(() => Promise.all(slugs.map(programDetail)), [slugs])
  if (rows.length === 0) return <p>No exercises logged in these dates.</p>
  return (
    <LogTable labelledBy="sessions-title" columns={SESSION_COLUMNS}>
      {newestFirst(rows).map((s) => (
        <tr key={s.client_id}>
          <th scope="row">{s.date}</th>
          <td>
            <ExerciseName itemId={s.item_id} picture={startPicture(details.data ?? [], s.item_id)} />
          </td>
          <td>{s.status === 'done' ? 'Done' : 'Skipped'}</td>
          <td>{s.effort ?? '–'}</td>
          <td class="note-cell">{s.note ?? ''}</td>
        </tr>
      ))}
    </LogTable>
  )
}

function Logs({ patientId, range, onRange }: { patientId: number; range: Range; onRange: (range: Range) => void }) {
  const logs = useRemote(() => api.getPatientLogs(patientId, range.from, range.to), [patientId, range.from, range.to])
  // A refused range is said next to the date it names.
  const rangeRefused = Boolean(api.fieldError(logs.error, 'from') ?? api.fieldError(logs.error, 'to'))
  return (
    <section class="card" aria-labelledby="logs-title">
      <h2 id="logs-title">Logs</h2>
      <p class="small muted">Dates are the patient's own calendar dates.</p>
      <RangeForm range={range} onChange={onRange} error={logs.error} />
      {logs.error !== undefined && !rangeRefused && <Problem error={logs.error} what="the logs" />}
      {logs.data === undefined && logs.loading && <p aria-busy="true">Loading…</p>}
      {logs.data && (
        <>
          <h3 id="checkins-title">Check-ins</h3>
          {logs.data.checkins ? <CheckinTable rows={logs.data.checkins} /> : <p>The patient does not share check-ins.</p>}
          <h3 id="sessions-title">Exercises</h3>
          {logs.data.session_logs ? (
            <SessionTable rows={logs.data.session_logs} />
          ) : (
            <p>The patient does not share exercise logs.</p>
          )}
        </>
      )}
    </section>
  )
}

function JournalEntry({ entry }: { entry: JournalRecord }) {
  return (
    <li class="journal-entry">
      <h3>{entry.date}</h3>
      {entry.feeling && <p>Feeling: {entry.feeling}</p>}
      {entry.want_to_feel && <p>Wants to feel: {entry.want_to_feel}</p>}
      {entry.gratitude?.length ? <p>Grateful for: {entry.gratitude.join('; ')}</p> : null}
      {entry.in_control && <p>In their control: {entry.in_control}</p>}
      {entry.anxious_thought && <p>An anxious thought: {entry.anxious_thought}</p>}
      {entry.kinder_view && <p>A kinder view: {entry.kinder_view}</p>}
      {entry.text && <p class="pre">{entry.text}</p>}
    </li>
  )
}

function Journal({ patientId, shared, range }: { patientId: number; shared: boolean; range: Range }) {
  const journal = useRemote(
    () => (shared ? api.getPatientJournal(patientId, range.from, range.to) : Promise.resolve([])),
    [patientId, shared, range.from, range.to],
  )
  return (
    <section class="card" aria-labelledby="journal-title">
      <h2 id="journal-title">Journal</h2>
      {!shared ? (
        <p>The patient has not shared their journal. Only they can choose to share it.</p>
      ) : (
        <>
          {journal.error !== undefined && <Problem error={journal.error} what="the journal" />}
          {journal.data === undefined && journal.loading && <p aria-busy="true">Loading…</p>}
          {journal.data?.length === 0 && (
            <p>
              No journal pages from {range.from} to {range.to}.
            </p>
          )}
          {journal.data && journal.data.length > 0 && (
            <ul class="plain">
              {newestFirst(journal.data).map((entry) => (
                <JournalEntry key={entry.client_id} entry={entry} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  )
}

function Notes({ patientId }: { patientId: number }) {
  const notes = useRemote(() => api.getNotes(patientId), [patientId])
  const [text, setText] = useState('')
  const { busy, error, done: saved, submit } = useSubmit(async () => {
    const note = await api.addNote(patientId, text)
    notes.set([note, ...(notes.data ?? [])])
    setText('')
    return 'Note saved.'
  })
  const textError = api.fieldError(error, 'text')
  return (
    <section class="card" aria-labelledby="notes-title">
      <h2 id="notes-title">Your private notes</h2>
      <p class="small muted">Only you can read these: never the patient, never another clinician.</p>
      <form onSubmit={submit}>
        <div class="field">
          <label for="note-text">New note</label>
          <textarea
            id="note-text"
            required
            maxLength={10000}
            value={text}
            aria-invalid={textError ? 'true' : undefined}
            aria-describedby={textError ? 'note-text-error' : undefined}
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          />
          {textError && (
            <p class="error" id="note-text-error">
              {textError}
            </p>
          )}
        </div>
        {error !== undefined && !textError && <Problem error={error} what="saving a note" />}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Add note'}
        </button>
        <span role="status" class="small">
          {' '}
          {saved}
        </span>
      </form>
      {notes.error !== undefined && <Problem error={notes.error} what="your notes" />}
      {notes.data && notes.data.length > 0 && (
        <ul class="plain notes" aria-label="Your notes, newest first">
          {notes.data.map((note: ClinicianNote) => (
            <li key={note.id}>
              <p class="small muted">
                <time dateTime={note.created_at}>{when(note.created_at)}</time>
              </p>
              <p class="pre">{note.text}</p>
            </li>
          ))}
        </ul>
      )}
      {notes.data?.length === 0 && <p class="small muted">No notes yet.</p>}
    </section>
  )
}

function EndLink({ patient }: { patient: PatientProfile }) {
  const { flash } = useContext(Actions)
  const [asking, setAsking] = useState(false)
  const [error, setError] = useState<unknown>()
  const end = async () => {
    setError(undefined)
    try {
      const link = (await api.getLinks()).find((l) => l.patient.id === patient.id)
      if (link) await api.endLink(link.id)
      flash(`The link with ${patient.email} has ended. You no longer see their data.`)
      go('/patients')
    } catch (e) {
      setError(e)
    }
  }
  return (
    <section class="card" aria-labelledby="end-title">
      <h2 id="end-title">End the link</h2>
      {!asking ? (
        <>
          <p class="small muted">Stops your access to this patient's data at once. They can share a new code later.</p>
          <button type="button" class="danger" onClick={() => setAsking(true)}>
            End link
          </button>
        </>
      ) : (
        <div role="group" aria-labelledby="end-question">
          <p id="end-question">End the link with {patient.email}? You will no longer see their data.</p>
          <div class="row">
            <button type="button" class="danger" onClick={() => void end()}>
              Yes, end the link
            </button>
            <button type="button" class="quiet" onClick={() => setAsking(false)}>
              Keep the link
            </button>
          </div>
        </div>
      )}
      {error !== undefined && <Problem error={error} what="ending the link" />}
    </section>
  )
}

export function PatientPage({ id }: { id: number }) {
  const profile = useRemote(() => api.getPatient(id), [id])
  const [range, setRange] = useState<Range>()
  const patient = profile.data
  const shown = range ?? (patient ? { from: shiftDate(patient.today, -27), to: patient.today } : undefined)
  return (
    <main id="main">
      <p>
        <a href="#/patients">← All patients</a>
      </p>
      {profile.error !== undefined && <Problem error={profile.error} what="this patient's page" />}
      {!patient && profile.loading && <p aria-busy="true">Loading…</p>}
      {patient && shown && (
        <>
          <h1>{patient.name && patient.name !== patient.email ? patient.name : patient.email}</h1>
          <p class="state-line">
            <StateBadges row={{ flare: patient.flare, safety_hold: patient.safety_hold }} today={new Date()} />
          </p>
          <p class="muted small">
            {patient.name && patient.name !== patient.email ? `${patient.email}. ` : ''}
            Linked since {new Date(patient.linked_since).toLocaleDateString(undefined, { dateStyle: 'medium' })}. Their
            time zone: {patient.timezone}. What you see here is what they logged; Backtrack does not diagnose.
          </p>
          <Hold key={`hold-${patient.id}`} patient={patient} onChanged={profile.reload} />
          <Alerts key={patient.id} patientId={patient.id} initial={patient.open_alerts} />
          <SharingAndFlare patient={patient} />
          <PlanAndPrescriptions key={`plan-${patient.id}`} patient={patient} onChanged={profile.reload} />
          <PlanChanges changes={patient.plan_changes} />
          <History answers={patient.screening} />
          <Summary patientId={patient.id} />
          <Logs patientId={patient.id} range={shown} onRange={setRange} />
          <Journal patientId={patient.id} shared={patient.scopes.includes('journal')} range={shown} />
          <Notes patientId={patient.id} />
          <VisitReport patientId={patient.id} label="Visit report" />
          <section class="card" aria-labelledby="export-title">
            <h2 id="export-title">Export</h2>
            <p class="small muted">Everything this link shares, for your records.</p>
            <div class="row">
              <a class="button" href={api.patientExportUrl(patient.id, 'csv')} download>
                Spreadsheet (CSV)
              </a>
              <a class="button" href={api.patientExportUrl(patient.id, 'fhir')} download>
                FHIR R4 (JSON)
              </a>
            </div>
          </section>
          <EndLink patient={patient} />
        </>
      )}
    </main>
  )
}
