import { useEffect, useRef, useState } from 'preact/hooks'
import type { Summary } from '../types'

export const WINDOWS = [7, 28, 90] as const
export type Window = (typeof WINDOWS)[number]

function insightText(insight: Summary['insights'][number]): string {
  return insight.text
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
  return <div class="chart" ref={box} role="img" aria-label="Pain, stress and sleep by day; the table below has the same numbers." />
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
export function SummaryView({ summary, days, forClinician = false }: { summary: Summary; days: Window; forClinician?: boolean }) {
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
        <section aria-labelledby="insights-title" class="card">
          <h2 id="insights-title">{forClinician ? 'What the patient is shown' : 'What we notice'}</h2>
          <ul>
            {summary.insights.map((i) => (
              <li key={insightText(i)}>{insightText(i)}</li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="chart-title" class="card">
        <h2 id="chart-title">Pain, stress and sleep</h2>
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
                  <th scope="row">{p.date}</th>
                  <td>{p.pain ?? '–'}</td>
                  <td>{p.stress ?? '–'}</td>
                  <td>{p.sleep_hours ?? '–'}</td>
                  <td>
                    {p.done} of {p.due}
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
