// The visit report (issue 18): a PDF of the last 28 or 90 days, for the patient to bring
// to a visit or for their clinician. The server may draw a long one in the background
// (202, then polled: api.fetchReport); with no signal it says so, calmly.
import { useState } from 'preact/hooks'
import * as api from '../api'

type Span = 28 | 90

/** Saves a blob under `name` through a link's download (the browser's own save). */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.rel = 'noopener'
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

export function VisitReport({ patientId, label }: { patientId?: number; label?: string }) {
  const [days, setDays] = useState<Span>(28)
  const [state, setState] = useState<'idle' | 'busy' | 'done' | 'offline' | 'error'>('idle')
  const [error, setError] = useState('')
  const download = async () => {
    setState('busy')
    setError('')
    try {
      const url = patientId === undefined ? api.reportUrl(days) : api.patientReportUrl(patientId, days)
      const { blob, filename } = await api.fetchReport(url)
      const today = new Date().toISOString().slice(0, 10)
      save(blob, filename ?? `backtrack-visit-report-${days}-days-${today}.pdf`)
      setState('done')
    } catch (e) {
      if (e instanceof api.OfflineError) {
        setState('offline')
      } else {
        setState('error')
        setError(e instanceof api.ApiError && e.status === 404 ? 'The visit report is not available on this server yet.' : (e as Error).message)
      }
    }
  }
  return (
    <section class="card visit-report" aria-labelledby="report-title" data-testid="visit-report">
      <h2 id="report-title">{label ?? 'Visit report'}</h2>
      <p class="small muted">
        {patientId === undefined
          ? 'A short PDF of your plan, check-ins and questionnaire scores, to bring to a visit or share with your clinician.'
          : 'A PDF of what this link shares: plan, check-ins and questionnaire scores.'}
      </p>
      <fieldset class="report-span">
        <legend class="small">How far back</legend>
        {([28, 90] as Span[]).map((d) => (
          <label key={d} class="choice inline">
            <input type="radio" name={`report-days-${patientId ?? 'me'}`} checked={days === d} onChange={() => setDays(d)} />
            Last {d} days
          </label>
        ))}
      </fieldset>
      <button type="button" class="primary" disabled={state === 'busy'} onClick={() => void download()}>
        {state === 'busy' ? 'Preparing the report…' : patientId === undefined ? 'Download' : `Download visit report (${days} days)`}
      </button>
      <p class="small" role="status" data-testid="report-status">
        {state === 'done' && 'The report is saved in your downloads.'}
        {state === 'offline' && 'The report needs a connection to be made. Everything else keeps working; try again when you are online.'}
        {state === 'error' && error}
      </p>
    </section>
  )
}
