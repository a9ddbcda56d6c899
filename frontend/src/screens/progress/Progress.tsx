import { useEffect, useState } from 'preact/hooks'
import * as api from '../../api'
import { cachedMe } from '../../data'
import { knownFlareDays, loadFlare, withFlareDays } from '../../flare'
import { cacheGet, cacheSet } from '../../store'
import type { Summary } from '../../types'
import { useLive } from '../../ui/hooks'
import { dayMonth } from '../../progress'
import { SummaryView, type Window, WindowPicker } from '../../ui/SummaryView'
import { listEntries } from '../../outbox'
import { cachedQuestionnaires, localPoints, outcomeViews, QUESTIONNAIRES_KEY, refreshQuestionnaires } from '../../questionnaires'
import type { OutcomeChange, OutcomePoint, Questionnaire } from '../../types'
import { Outcomes } from '../../ui/Outcomes'
import { VisitReport } from '../../ui/Report'

type WithOutcomes = Summary & { outcomes?: OutcomePoint[]; outcome_changes?: OutcomeChange[] }

/** The questionnaires against the baseline: the summary's scores and this phone's answers. */
function YourOutcomes({ summary }: { summary: WithOutcomes | null | undefined }) {
  const catalogue = useLive<Questionnaire[] | null>(cachedQuestionnaires, [`cache:${QUESTIONNAIRES_KEY}`])
  const entries = useLive(listEntries, ['entries'])
  // The kept catalogue holds the baseline: read again while the screen opens.
  useEffect(() => {
    void refreshQuestionnaires().catch(() => undefined)
  }, [])
  if (catalogue === undefined || entries === undefined || summary === undefined) return null
  const views = outcomeViews(summary, catalogue, localPoints(entries, catalogue ?? []))
  return <Outcomes views={views} />
}

// The last summary seen, whatever its span: shown offline rather than an empty screen.
const LAST = 'summary:last'
const WINDOWS_OK: number[] = [7, 28, 90]

export function Progress() {
  const [days, setDays] = useState<Window>(7)
  const [summary, setSummary] = useState<Summary | null>()
  const [note, setNote] = useState('')
  const flare = useLive(loadFlare, ['cache:flare'])
  const me = useLive(cachedMe, ['cache:me'])
  // Flare days this phone knows of are not due, even before the server has heard of them.
  const flareDays = flare ? knownFlareDays(flare, me?.timezone) : undefined
  const shown = summary && flareDays ? withFlareDays(summary, flareDays) : summary

  useEffect(() => {
    let alive = true
    const key = `summary:${days}`
    void cacheGet<Summary>(key).then((cached) => alive && cached && setSummary((s) => s ?? cached))
    api.getSummary(days).then(
      (fresh) => {
        if (!alive) return
        setSummary(fresh)
        setNote('')
        void cacheSet(key, fresh)
        void cacheSet(LAST, fresh, { silent: true })
      },
      (error: Error) => {
        if (!alive) return
        void (async () => {
          const cached = (await cacheGet<Summary>(key)) ?? (await cacheGet<Summary>(LAST))
          if (!alive) return
          setSummary(cached ?? null)
          if (!(error instanceof api.OfflineError)) setNote(error.message)
          else if (cached) setNote(`Offline: showing your progress as it was on ${dayMonth(cached.end)}${cached.days !== days ? ` (the last ${cached.days} days)` : ''}.`)
          else setNote('')
        })()
      },
    )
    return () => {
      alive = false
    }
  }, [days])

  return (
    <main id="main">
      <h1>Progress</h1>
      <p class="muted">Small steps add up. Missed days are part of it: just pick up again.</p>
      <WindowPicker
        days={days}
        onChange={(w) => {
          setSummary(undefined)
          setDays(w)
        }}
      />
      {note && (
        <p class="notice" role="status">
          {note}
        </p>
      )}
      {summary === undefined && <p aria-busy="true">Loading…</p>}
      {summary === null && (
        <p class="card">You are offline, and this phone has no progress saved yet. It shows here after you are next online.</p>
      )}
      {shown && <SummaryView summary={shown} days={(WINDOWS_OK.includes(shown.days) ? shown.days : days) as Window} flareDays={flareDays} />}
      <YourOutcomes summary={shown} />
      <VisitReport />
    </main>
  )
}
