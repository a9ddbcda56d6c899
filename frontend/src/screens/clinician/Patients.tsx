import { useState } from 'preact/hooks'
import * as api from '../../api'
import type { AdaptedPatientRow as PatientRow, CareLink, Trend } from '../../types'
import {
  ALERT_LABEL,
  ATTENTION_FIRST,
  alertWords,
  lastSeen,
  nextSort,
  percent,
  sortPatients,
  trendArrow,
  trendWords,
  worstAlert,
  type Sort,
  type SortKey,
} from './patients'
import { Problem, useRemote } from './remote'
import { scoreOf } from '../../questionnaires'
import { useSubmit } from '../../ui/hooks'
import { TextField } from '../../ui/TextField'
import { AlertPush } from './AlertPush'
import { ScopeBadges, StateBadges, YourName } from './Sharing'

const COLUMNS: [SortKey, string][] = [
  ['email', 'Patient'],
  ['alerts', 'Safety alerts'],
  ['adherence_7', 'Plan done, 7 days'],
  ['adherence_28', 'Plan done, 28 days'],
  ['last_checkin', 'Last check-in'],
  ['latest_pain', 'Latest pain'],
  ['latest_stress', 'Latest stress'],
]

const SORT_NAMES: Record<SortKey, string> = {
  attention: 'who needs attention first',
  email: 'patient',
  alerts: 'safety alerts',
  adherence_7: 'plan done in 7 days',
  adherence_28: 'plan done in 28 days',
  last_checkin: 'last check-in',
  latest_pain: 'latest pain',
  latest_stress: 'latest stress',
}

/** A 0-10 score with its trend: the arrow for the eye, words for screen readers. */
function Score({ value, trend }: { value: number | null; trend: Trend | null }) {
  if (value === null) {
    return (
      <span class="muted">
        –<span class="visually-hidden">no check-in yet</span>
      </span>
    )
  }
  return (
    <span class="score">
      <b>{value}</b>
      <span class="visually-hidden"> out of 10, {trendWords(trend)}</span>
      {trend && (
        <span class={`trend trend-${trend}`} aria-hidden="true" title={trendWords(trend)}>
          {trendArrow(trend)}
        </span>
      )}
    </span>
  )
}

/** Latest PEG and its change since the baseline (issue 18 row `outcomes`). */
function OutcomeCell({ row, slug }: { row: PatientRow; slug: string }) {
  const found = row.outcomes?.find((o) => o.questionnaire === slug)
  const latest = scoreOf(found?.latest)
  if (!found || latest === null) {
    return (
      <span class="muted">
        –<span class="visually-hidden">not answered yet</span>
      </span>
    )
  }
  const baseline = scoreOf(found.baseline)
  const change = found.change ?? (baseline === null ? null : Math.round((latest - baseline) * 10) / 10)
  return (
    <span class="score outcome-cell" data-testid="row-outcome" data-slug={slug}>
      <b>{latest.toFixed(1)}</b>
      {change !== null && change !== 0 && (
        <span class="small muted">
          {' '}
          {change > 0 ? '+' : '−'}
          {Math.abs(change).toFixed(1)}
          <span class="visually-hidden"> since the first answer</span>
        </span>
      )}
      {found.meaningful && (
        <>
          <br />
          <span class="badge-meaningful small">meaningful</span>
        </>
      )}
    </span>
  )
}

function AlertsCell({ row }: { row: PatientRow }) {
  const worst = worstAlert(row.open_alerts)
  if (!worst) return <span class="muted">None</span>
  return (
    <span class="alert-cell">
      <span class={`badge badge-${worst.level}`} aria-hidden="true">
        {ALERT_LABEL[worst.level]}
        {row.open_alerts.length > 1 ? ` +${row.open_alerts.length - 1}` : ''}
      </span>
      <span class="visually-hidden">{alertWords(row.open_alerts)}</span>
    </span>
  )
}

function PatientTable({ rows, sort, onSort }: { rows: PatientRow[]; sort: Sort; onSort: (sort: Sort) => void }) {
  const sorted = sortPatients(rows, sort)
  const now = new Date()
  return (
    <>
      <div class="row table-tools">
        <button type="button" class="quiet" aria-pressed={sort.key === 'attention'} onClick={() => onSort(ATTENTION_FIRST)}>
          Who needs attention first
        </button>
        <span class="scroll-hint small muted">Swipe the table sideways for more columns.</span>
      </div>
      <div class="table-scroll sticky-first" role="region" aria-labelledby="patients-caption" tabIndex={0}>
        <table class="data patients">
          <caption id="patients-caption" class="visually-hidden">
            Your linked patients, sorted by {SORT_NAMES[sort.key]}
            {sort.key === 'attention' ? '' : `, ${sort.direction}`}
          </caption>
          <thead>
            <tr>
              {COLUMNS.map(([key, label]) => {
                const active = sort.key === key
                return (
                  <th key={key} scope="col" aria-sort={active ? sort.direction : undefined}>
                    <button type="button" class="sort" onClick={() => onSort(nextSort(sort, key))}>
                      {label}
                      <span class={`sort-mark${active ? ' active' : ''}`} aria-hidden="true">
                        {active ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  </th>
                )
              })}
              <th scope="col">
                PEG <span class="small muted">(change)</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((row) => (
              <tr key={row.id} class={row.open_alerts.length > 0 ? 'has-alert' : undefined} data-patient-id={row.id}>
                <th scope="row">
                  <a href={`#/patients/${row.id}`}>{row.name && row.name !== row.email ? row.name : row.email}</a>
                  {row.name && row.name !== row.email && <span class="small muted row-email">{row.email}</span>}
                  {(row.flare || row.safety_hold || row.on_hold) && (
                    <span class="state-line">
                      <StateBadges row={row} today={now} />
                    </span>
                  )}
                  <ScopeBadges scopes={row.scopes} />
                  {row.attention.length > 0 && <span class="attention small">{row.attention.join(' · ')}</span>}
                </th>
                <td>
                  <AlertsCell row={row} />
                </td>
                <td>{percent(row.adherence_7)}</td>
                <td>{percent(row.adherence_28)}</td>
                <td>
                  {/* Counted from the patient's own date, wherever the clinician is. */}
                  {row.last_checkin ? <time dateTime={row.last_checkin}>{lastSeen(row.last_checkin, row.today)}</time> : lastSeen(null, row.today)}
                </td>
                <td>
                  <Score value={row.latest_pain} trend={row.pain_trend} />
                </td>
                <td>
                  <Score value={row.latest_stress} trend={row.stress_trend} />
                </td>
                <td>
                  <OutcomeCell row={row} slug="peg" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="small muted">
        Plan done: the share of planned exercises logged as done, up to the patient’s today (today counts what is logged so far). Arrows compare the last 7
        days of check-ins with the 7 before. PEG: pain and its interference, 0 to 10 (lower is better); its change since the first answer, marked
        meaningful at a 30% fall.
      </p>
    </>
  )
}

function HowToShare() {
  return (
    <section class="card" aria-labelledby="empty-title">
      <h2 id="empty-title">No patients yet</h2>
      <p>Patients decide who sees their data. To link with someone:</p>
      <ol class="steps">
        <li>They open Backtrack on their phone and go to Settings.</li>
        <li>Under "Share with a clinician" they tap "Create a share code".</li>
        <li>They give you the code, and you enter it below.</li>
      </ol>
      <p class="small muted">A code works once, within 24 hours. Either of you can end the link at any time.</p>
    </section>
  )
}

function AddPatient({ onLinked }: { onLinked: (link: CareLink) => void }) {
  const [code, setCode] = useState('')
  const { busy, error, done, submit } = useSubmit(async () => {
    const link = await api.redeemShareCode(code.trim())
    setCode('')
    onLinked(link)
    return `You are now linked with ${link.patient.email}.`
  })
  const codeError = api.fieldError(error, 'code')
  const otherError =
    error && !codeError
      ? error instanceof api.OfflineError
        ? 'You are offline. Adding a patient needs a connection.'
        : (error as Error).message
      : undefined
  return (
    <section class="card" aria-labelledby="add-title">
      <h2 id="add-title">Add a patient</h2>
      <form onSubmit={submit}>
        <TextField
          id="share-code"
          label="Share code from your patient"
          type="text"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck={false}
          required
          value={code}
          onValue={setCode}
          error={codeError}
          hint="12 letters and digits, like 7KQ2-M9XD-4HPT. Dashes, spaces and case do not matter."
        />
        {otherError && (
          <p class="error" role="alert">
            {otherError}
          </p>
        )}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Adding…' : 'Add patient'}
        </button>
      </form>
      <p role="status" class="small">
        {done}
      </p>
    </section>
  )
}

export function PatientList({ flash }: { flash: string }) {
  const patients = useRemote(api.getPatients, [])
  const [sort, setSort] = useState<Sort>(ATTENTION_FIRST)
  const rows = patients.data
  return (
    <main id="main">
      <h1>Your patients</h1>
      <p class="muted">
        Who needs attention comes first: open safety alerts, then rising pain or stress, then fewer sessions done.
        Backtrack shows what patients report; it does not diagnose.
      </p>
      {flash && (
        <p class="notice ok" role="status">
          {flash}
        </p>
      )}
      {patients.error !== undefined && <Problem error={patients.error} what="the patient list" />}
      {rows === undefined && patients.loading && <p aria-busy="true">Loading your patients…</p>}
      {rows?.length === 0 && <HowToShare />}
      {rows && rows.length > 0 && <PatientTable rows={rows} sort={sort} onSort={setSort} />}
      <AddPatient onLinked={patients.reload} />
      <YourName />
      <AlertPush />
    </main>
  )
}
