// Each questionnaire's score over time against the baseline (issue 18): a small chart
// (uPlot, loaded on demand), one sentence about the change, "a meaningful change"
// marked where the published threshold is crossed, and the numbers as a table.
import { useEffect, useRef, useState } from 'preact/hooks'
import { changeNumbers, formatScore, ofMax, type OutcomeView } from '../questionnaires'
import { shortDate } from '../progress'

function OutcomeChart({ view, forClinician }: { view: OutcomeView; forClinician: boolean }) {
  const box = useRef<HTMLDivElement>(null)
  const [failed, setFailed] = useState(false)
  // Light or dark changed: drawn again in the scheme's colours (read when drawing).
  const [scheme, setScheme] = useState(0)
  useEffect(() => {
    const query = window.matchMedia?.('(prefers-color-scheme: dark)')
    const redraw = () => setScheme((n) => n + 1)
    query?.addEventListener?.('change', redraw)
    return () => query?.removeEventListener?.('change', redraw)
  }, [])
  const key = JSON.stringify([view.points, view.baseline, view.threshold, scheme])
  useEffect(() => {
    let dispose: (() => void) | undefined
    let alive = true
    import('./outcome-chart')
      .then(({ drawOutcomeChart }) => {
        if (!alive || !box.current) return
        dispose = drawOutcomeChart(box.current, {
          dates: view.points.map((p) => p.date),
          scores: view.points.map((p) => p.score),
          baseline: view.baseline,
          threshold: view.threshold,
          min: view.q.score.min,
          max: view.q.score.max,
        })
      })
      .catch(() => setFailed(true))
    return () => {
      alive = false
      dispose?.()
    }
  }, [key])
  if (failed) return <p class="small muted">The chart needs a connection the first time it is opened.</p>
  return (
    <>
      <div
        class="chart outcome-chart"
        ref={box}
        role="img"
        aria-label={`${view.q.short_title} over time, with a dashed line at the first answer; the table below has the same numbers.`}
      />
      <ul class="legend" aria-hidden="true">
        <li>
          <span class="swatch outcome" /> Score
        </li>
        <li>
          <span class="swatch baseline" /> {forClinician ? 'Baseline' : 'Where you started'}
        </li>
        {view.threshold !== null && (
          <li>
            <span class="swatch threshold" /> A meaningful change: {view.q.meaningful_change?.direction === 'rise' ? 'above' : 'below'} this line
          </li>
        )}
      </ul>
    </>
  )
}

function OutcomeCard({ view, forClinician }: { view: OutcomeView; forClinician: boolean }) {
  const id = `outcome-${view.q.slug}`
  return (
    <section class="card outcome" aria-labelledby={id} data-testid="outcome" data-slug={view.q.slug} data-meaningful={view.meaningful ? 'yes' : 'no'}>
      <h3 id={id}>
        {view.q.short_title}
        {view.meaningful && (
          <span class="badge-meaningful" data-testid="meaningful">
            a meaningful change
          </span>
        )}
      </h3>
      <p class="outcome-words" data-testid="outcome-words">
        {forClinician ? changeNumbers(view.q, view.change === null ? null : view.baseline, view.latest) : view.words}
      </p>
      {forClinician && (
        <p class="small muted">
          {view.change === null
            ? `Baseline only${view.baselineDate ? `, ${shortDate(view.baselineDate)}` : ''}: no later answer yet.`
            : view.words.replace(/when you started/g, 'at baseline').replace(/since you started/g, 'since baseline')}
        </p>
      )}
      <OutcomeChart view={view} forClinician={forClinician} />
      <details>
        <summary>Show as a table</summary>
        <table class="data">
          <caption class="visually-hidden">{view.q.short_title}: each answer's score</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {view.points.map((p) => (
              <tr key={p.date}>
                <th scope="row">
                  <time dateTime={p.date}>{shortDate(p.date)}</time>
                </th>
                <td>
                  {formatScore(view.q, p.score)} of {ofMax(view.q)}
                  {p.date === view.baselineDate ? ' (start)' : ''}
                  {p.pending ? ' · not sent yet' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  )
}

/** The questionnaires' section of Progress (the patient) or the patient page (a clinician). */
export function Outcomes({ views, forClinician = false }: { views: OutcomeView[]; forClinician?: boolean }) {
  return (
    <section aria-labelledby="outcomes-title" class="outcomes" data-testid="outcomes">
      <h2 id="outcomes-title">{forClinician ? 'Questionnaire scores' : 'Your questionnaires'}</h2>
      {views.length === 0 ? (
        <p class="card">
          {forClinician
            ? 'No questionnaire answered yet.'
            : 'No questionnaire answered yet. When one is due it shows on Today: your first answers are the starting point.'}
        </p>
      ) : (
        <>
          {!forClinician && (
            <p class="small muted">
              Each score against where you started. "A meaningful change" is marked where the change reaches the size its authors found people notice.
            </p>
          )}
          {views.map((v) => (
            <OutcomeCard key={v.q.slug} view={v} forClinician={forClinician} />
          ))}
        </>
      )}
    </section>
  )
}
