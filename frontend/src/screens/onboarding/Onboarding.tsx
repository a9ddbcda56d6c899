import { useEffect, useState } from 'preact/hooks'
import * as api from '../../api'
import { cachedMe, cachedPrograms, refreshAll, screeningRules } from '../../data'
import { loadScreening, screeningAdvice, type ScreeningState } from '../../screening'
import { cacheSet } from '../../store'
import type { Program, SafetyRule } from '../../types'
import { go, useLive } from '../../ui/hooks'
import { detectedTimezone, TimezoneSelect } from '../../ui/timezone'
import { ScreeningAdvice, ScreeningForm } from './Screening'

const DAILY = [0, 1, 2, 3, 4, 5, 6]

/**
 * A few questions about the person's history come first: before any program starts,
 * so a history worth checking is said before the first exercise.
 */
export function Onboarding() {
  const [rules, setRules] = useState<SafetyRule[]>()
  // null: never answered; undefined: not read yet.
  const stored = useLive<ScreeningState | null>(async () => (await loadScreening()) ?? null, ['cache:screening'])
  const [step, setStep] = useState<'screening' | 'plan'>()
  useEffect(() => {
    screeningRules().then(setRules, () => setRules([]))
  }, [])
  useEffect(() => {
    // Answered already (on this phone or another): straight to the plan, with a way back.
    if (rules && stored !== undefined && step === undefined) setStep(rules.length > 0 && !stored ? 'screening' : 'plan')
  }, [rules, stored === undefined])
  if (!rules || !step) return <main id="main" aria-busy="true" />
  if (step === 'screening') {
    return (
      <main id="main">
        <h1>Let's set you up</h1>
        <p class="muted">First, a few questions about your health history. They help us tell you when to see a doctor.</p>
        <section class="card" aria-labelledby="history-title">
          <h2 id="history-title">Your health history</h2>
          <p class="small muted">
            Asked once. You can change your answers in Settings at any time. Backtrack does not diagnose.
          </p>
          <ScreeningForm rules={rules} submitLabel="Save and continue" onSaved={() => setStep('plan')} />
        </section>
      </main>
    )
  }
  const advice = stored ? (stored.answer ?? screeningAdvice(rules, stored.answers)) : undefined
  return <PlanChoices advice={advice} onEditHistory={rules.length > 0 ? () => setStep('screening') : undefined} />
}

function PlanChoices({ advice, onEditHistory }: { advice?: ReturnType<typeof screeningAdvice>; onEditHistory?: () => void }) {
  const programs = useLive<Program[]>(cachedPrograms, ['cache:programs']) ?? []
  const me = useLive(cachedMe, ['cache:me'])
  const [chosen, setChosen] = useState<string[]>([])
  const [zone, setZone] = useState(detectedTimezone())
  const [remind, setRemind] = useState(true)
  const [practiceTime, setPracticeTime] = useState('08:00')
  const [checkinTime, setCheckinTime] = useState('20:00')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  useEffect(() => {
    api.getPrograms().then((list) => cacheSet('programs', list), () => undefined)
  }, [])
  useEffect(() => {
    if (me?.timezone && me.timezone !== 'UTC') setZone(me.timezone)
  }, [me?.timezone])

  const toggle = (slug: string) => setChosen(chosen.includes(slug) ? chosen.filter((s) => s !== slug) : [...chosen, slug])

  const finish = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError('')
    try {
      if (me?.timezone !== zone) await api.updateMe({ timezone: zone })
      for (const slug of chosen) await api.enroll(slug)
      if (remind) {
        try {
          // Enrolling may already have made default reminders: set their times rather
          // than adding a second reminder of the same kind.
          const existing = await api.getReminders()
          for (const [kind, time] of [
            ['session', practiceTime],
            ['checkin', checkinTime],
          ] as const) {
            const rule = existing.find((r) => r.kind === kind)
            if (rule) await api.updateReminder(rule.id, { times: [time], enabled: true })
            else await api.createReminder({ kind, times: [time], weekdays: DAILY, enabled: true })
          }
        } catch (e) {
          if (!(e instanceof api.ApiError)) throw e
          // Reminders may not be available on this server yet: not a reason to stop.
        }
      }
      await refreshAll()
      go('/today')
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <main id="main">
      <h1>Let's set you up</h1>
      {advice && <ScreeningAdvice answer={advice} />}
      {onEditHistory && (
        <p class="small">
          <button type="button" class="linklike" onClick={onEditHistory}>
            Change my health history answers
          </button>
        </p>
      )}
      <p class="muted">Three quick choices. You can change any of them later.</p>
      <form onSubmit={finish}>
        <fieldset>
          <legend>1. Choose one or more programs</legend>
          {programs.map((p) => (
            <label class="choice program-choice" key={p.slug}>
              <input type="checkbox" checked={chosen.includes(p.slug)} onChange={() => toggle(p.slug)} />
              <span>
                {p.title} <span class="small muted">({p.weeks} weeks)</span>
                <br />
                <span class="small muted">{p.summary}</span>
              </span>
            </label>
          ))}
          {programs.length === 0 && <p>Loading programs…</p>}
          <p class="hint">Starting with one or two is plenty. Consistency matters more than intensity.</p>
        </fieldset>
        <fieldset>
          <legend>2. Confirm your time zone</legend>
          <p class="small">We found <b>{detectedTimezone().replace(/_/g, ' ')}</b> on this phone.</p>
          <TimezoneSelect value={zone} onChange={setZone} />
        </fieldset>
        <fieldset>
          <legend>3. Reminders</legend>
          <label class="choice">
            <input type="checkbox" checked={remind} onChange={() => setRemind(!remind)} />
            Remind me to practise and to check in
          </label>
          {remind && (
            <div class="row">
              <div class="field">
                <label for="practice-time">Practice</label>
                <input id="practice-time" type="time" value={practiceTime} onInput={(e) => setPracticeTime((e.currentTarget as HTMLInputElement).value)} />
              </div>
              <div class="field">
                <label for="checkin-time">Check-in</label>
                <input id="checkin-time" type="time" value={checkinTime} onInput={(e) => setCheckinTime((e.currentTarget as HTMLInputElement).value)} />
              </div>
            </div>
          )}
          <p class="hint">To get them as notifications on this phone, turn notifications on in Settings.</p>
        </fieldset>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Setting up…' : chosen.length ? 'Start my plan' : 'Continue without a program'}
        </button>
      </form>
    </main>
  )
}
