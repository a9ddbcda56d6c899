import { useEffect, useRef, useState } from 'preact/hooks'
import { plainText, shortDate, weekWords, workedOut } from '../progress'
import type { Summary } from '../types'
import { insightAbout, insightNumbers, isChance, type AnyInsight } from '../insights'

export const WINDOWS = [7, 28, 90] as const
export type Window = (typeof WINDOWS)[number]

function insightText(insight: Summary['insights'][number]): string {
  return plainText(insight.text)
}

/** The numbers behind each insight, for a clinician. */
function InsightTable({ insights }: { insights: AnyInsight[] }) {
  return (
    <div class="table-scroll" role="region" aria-label="The numbers behind each insight" tabIndex={0}>
      <table class="data insight-table" data-testid="insight-numbers">
        <caption class="visually-hidden">The numbers behind each insight</caption>
        <thead>
          <tr>
            <th scope="col">About</th>
            <th scope="col">n</th>
            <th scope="col">Effect</th>
            <th scope="col">Interval</th>
            <th scope="col">Lag</th>
            <th scope="col">Method</th>
          </tr>
        </thead>
        <tbody>
          {insights.map((i) => {
            const x = insightNumbers(i)
            return (
              <tr key={i.text}>
                <th scope="row">
                  {insightAbout(i)}
                  {isChance(i) ? <span class="small muted"> (could be chance)</span> : null}
                </th>
                <td>{x.n}</td>
                <td>{x.effect}</td>
                <td>{x.ci}</td>
                <td>{x.lag}</td>
                <td>{x.method}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

/** What the lines mean, drawn like the lines themselves. */
function Legend() {
  return (
    <ul class="legend" aria-hidden="true">
      <li>
        <span class="swatch pain" /> Pain
      </li>
      <li>
        <span class="swatch stress" /> Stress
      </li>
      <li>
        <span class="swatch dot" /> one day's check-in
      </li>
    </ul>
  )
}

/** This week against the one before, in words. */
function WeekInWords({ summary }: { summary: Summary }) {
  const weeks = summary.weekly ?? []
  const now = weeks.at(-1)
  if (!now) return null
  const before = weeks.length > 1 ? weeks.at(-2) : undefined
  const lines = [weekWords('Pain', now.pain, before?.pain ?? null), weekWords('Stress', now.stress, before?.stress ?? null)].filter(Boolean)
  if (lines.length === 0) return null
  return (
    <ul class="week-words">
      {lines.map((l) => (
        <li key={l}>{l}</li>
      ))}
    </ul>
  )
}

/** The chart (uPlot) is loaded only when this screen needs it. */
function Chart({ summary }: { summary: Summary }) {
  const box = useRef<HTMLDivElement>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let dispose: (() => void) | undefined
    let alive = true
    import('./chart')
      .then(({ drawChart }) => {
        if (alive && box.current) dispose = drawChart(box.current, summary.series)
      })
      .catch(() => setFailed(true))
    return () => {
      alive = false
      dispose?.()
    }
  }, [summary])
  if (failed) return <p class="small muted">The chart needs a connection the first time it is opened.</p>
  return (
    <>
      <div class="chart" ref={box} role="img" aria-label="Pain and stress by day, with a line for the average of the week around each day; the table below has the same numbers." />
      <Legend />
    </>
  )
}

/** The time span buttons: 7, 28 or 90 days. */
export function WindowPicker({ days, onChange }: { days: Window; onChange: (days: Window) => void }) {
  return (
    <div class="segmented" role="group" aria-label="Time span">
      {WINDOWS.map((w) => (
        <button key={w} type="button" aria-pressed={days === w} onClick={() => onChange(w)}>
          {w} days
        </button>
      ))}
    </div>
  )
}

/**
 * Stats, insights, the chart and its table for one summary. The patient sees it on
 * Progress; a linked clinician sees the same for the patient (`forClinician`).
 */
export function SummaryView({
  summary,
  days,
  forClinician = false,
  flareDays,
}: {
  summary: Summary
  days: Window
  forClinician?: boolean
  /** Days of flare-up mode the phone knows of: said as such, not as "0 of 0". */
  flareDays?: Set<string>
}) {
  const logged = summary.series.filter((p) => p.pain !== null || p.stress !== null)
  return (
    <>
      <div class="stats">
        <div class="stat">
          <b>{summary.adherence === null ? '–' : `${Math.round(summary.adherence * 100)}%`}</b>
          <span class="small">of the plan done</span>
        </div>
        <div class="stat">
          <b>{summary.streak.current}</b>
          <span class="small">day streak</span>
        </div>
        <div class="stat">
          <b>{summary.streak.best}</b>
          <span class="small">best streak</span>
        </div>
      </div>
      {summary.insights.length > 0 && (
        <section aria-labelledby="insights-title" class="card insights" data-testid="insights">
          <h2 id="insights-title">{forClinician ? 'What the patient is shown' : 'What we notice'}</h2>
          <ul class="insight-list">
            {(summary.insights as AnyInsight[]).map((i) => (
              <li key={i.text} class={`insight${isChance(i) ? ' is-chance' : ''}`} data-kind={i.kind} data-chance={isChance(i) ? 'yes' : 'no'}>
                {forClinician ? i.text : insightText(i)}
              </li>
            ))}
          </ul>
          {!forClinician && <p class="small muted">Patterns, not causes. They grow clearer with more check-ins.</p>}
          {forClinician && <InsightTable insights={summary.insights as AnyInsight[]} />}
          {/* Patients see words only; a server from before the numbers' table still explains its r in words. */}
          {!forClinician && summary.insights.some((i) => workedOut(i) && !(i as AnyInsight).method) && (
            <details class="worked-out">
              <summary>How this was worked out</summary>
              {summary.insights.map((i) => {
                const how = workedOut(i)
                return how ? <p key={i.text} class="small">{how}</p> : null
              })}
            </details>
          )}
        </section>
      )}
      <section aria-labelledby="chart-title" class="card">
        <h2 id="chart-title">Pain and stress, week by week</h2>
        <WeekInWords summary={summary} />
        {logged.length === 0 ? (
          <p>
            {forClinician
              ? `No check-ins in these ${days} days.`
              : `No check-ins in these ${days} days yet. A quick check-in on the Today screen starts the picture.`}
          </p>
        ) : (
          <Chart summary={summary} />
        )}
        <details>
          <summary>Show as a table</summary>
          <table class="data">
            <caption class="visually-hidden">Daily pain, stress, sleep and exercises done</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Pain</th>
                <th scope="col">Stress</th>
                <th scope="col">Sleep (h)</th>
                <th scope="col">Done</th>
              </tr>
            </thead>
            <tbody>
              {summary.series.map((p) => (
                <tr key={p.date}>
                  <th scope="row">
                    <time dateTime={p.date}>{shortDate(p.date)}</time>
                  </th>
                  <td>{p.pain ?? '–'}</td>
                  <td>{p.stress ?? '–'}</td>
                  <td>{p.sleep_hours ?? '–'}</td>
                  <td>
                    {flareDays?.has(p.date) ? `Flare-up day${p.done ? `, ${p.done} done` : ''}` : `${p.done} of ${p.due}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </section>
    </>
  )
}
