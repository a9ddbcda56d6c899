import { useEffect, useState } from 'preact/hooks'
import * as api from '../../api'
import { cacheGet, cacheSet } from '../../store'
import type { Summary } from '../../types'
import { SummaryView, type Window, WindowPicker } from '../../ui/SummaryView'

export function Progress() {
  const [days, setDays] = useState<Window>(7)
  const [summary, setSummary] = useState<Summary | null>()
  const [note, setNote] = useState('')

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
      },
      (error: Error) => {
        if (!alive) return
        setNote(error instanceof api.OfflineError ? 'Offline: showing what was saved on this phone.' : error.message)
        void cacheGet<Summary>(key).then((cached) => alive && setSummary(cached ?? null))
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
      {summary === null && <p>Your progress shows here once you are online.</p>}
      {summary && <SummaryView summary={summary} days={days} />}
    </main>
  )
}
