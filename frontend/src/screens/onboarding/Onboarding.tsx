import { useEffect, useState } from 'preact/hooks'
import * as api from '../../api'
import { cachedEnrollments, cachedMe, cachedPrograms, refreshAll, saveMe, screeningRules } from '../../data'
import { userToday } from '../../merge'
import { cachedQuestionnaires, refreshQuestionnaires } from '../../questionnaires'
import { listEntries } from '../../outbox'
import { loadScreening, screeningAdvice, type ScreeningState } from '../../screening'
import { BUDGETS } from '../../sessions'
import { cacheGet, cacheSet } from '../../store'
import type { Program, Questionnaire, ReminderFields, SafetyRule } from '../../types'
import { go, useLive } from '../../ui/hooks'
import { DEFAULTS, fieldsOf, KIND_HINTS, KIND_NAMES, ReminderEditor, rememberCheckinTime, type Kind } from '../../ui/ReminderEditor'
import { detectedTimezone, TimezoneSelect } from '../../ui/timezone'
import { ScreeningAdvice, ScreeningForm } from './Screening'

/** Where onboarding stands, kept on the phone: closing the app mid-way resumes here. */
export type OnboardingStep = 'screening' | 'baseline' | 'programs' | 'budget' | 'reminders' | 'done'
export const ONBOARDING_KEY = 'onboarding'
const ORDER: OnboardingStep[] = ['screening', 'baseline', 'programs', 'budget', 'reminders', 'done']

export const onboardingStep = async () => (await cacheGet<{ step: OnboardingStep }>(ONBOARDING_KEY))?.step
export const setOnboardingStep = (step: OnboardingStep) => cacheSet(ONBOARDING_KEY, { step })

function StepCount({ step }: { step: OnboardingStep }) {
  const n = ORDER.indexOf(step) + 1
  return <p class="small muted step-count">Step {n} of 5</p>
}

/**
 * A few questions about the person's history come first: before any program starts,
 * so a history worth checking is said before the first exercise. Then the programs,
 * a daily time budget and the reminders they want, one short screen each.
 */
export function Onboarding() {
  const [rules, setRules] = useState<SafetyRule[]>()
  // null: never answered; undefined: not read yet.
  const stored = useLive<ScreeningState | null>(async () => (await loadScreening()) ?? null, ['cache:screening'])
  const saved = useLive<OnboardingStep | null>(async () => (await onboardingStep()) ?? null, [`cache:${ONBOARDING_KEY}`])
  const [step, setStep] = useState<OnboardingStep>()
  useEffect(() => {
    screeningRules().then(setRules, () => setRules([]))
  }, [])
  useEffect(() => {
    if (!rules || stored === undefined || saved === undefined || step !== undefined) return
    // Resume where it stopped; answered already (on this phone or another): past the history.
    if (saved && saved !== 'screening' && saved !== 'done') setStep(saved)
    else setStep(rules.length > 0 && !stored ? 'screening' : 'baseline')
  }, [rules, stored === undefined, saved === undefined])
  const to = (next: OnboardingStep) => {
    void setOnboardingStep(next)
    setStep(next)
    window.scrollTo(0, 0)
    requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus())
  }
  if (!rules || !step) return <main id="main" aria-busy="true" />
  if (step === 'screening') {
    return (
      <main id="main">
        <StepCount step={step} />
        <h1 tabIndex={-1}>Let's set you up</h1>
        <p class="muted">First, a few questions about your health history. They help us tell you when to see a doctor.</p>
        <section class="card" aria-labelledby="history-title">
          <h2 id="history-title">Your health history</h2>
          <p class="small muted">
            Asked once. You can change your answers in Settings at any time. Backtrack does not diagnose.
          </p>
          <ScreeningForm rules={rules} submitLabel="Save and continue" onSaved={() => to('baseline')} />
        </section>
      </main>
    )
  }
  if (step === 'baseline') return <Baseline onDone={() => to('programs')} />
  if (step === 'budget') return <Budget onDone={() => to('reminders')} onBack={() => to('programs')} />
  if (step === 'reminders') {
    return (
      <Reminders
        onBack={() => to('budget')}
        onDone={async () => {
          await setOnboardingStep('done')
          await refreshAll().catch(() => undefined)
          go('/today')
        }}
      />
    )
  }
  const advice = stored ? (stored.answer ?? screeningAdvice(rules, stored.answers)) : undefined
  return <PlanChoices advice={advice} onEditHistory={rules.length > 0 ? () => to('screening') : undefined} onDone={() => to('budget')} />
}

type RunnerModule = typeof import('../questionnaire/Questionnaire')

/**
 * After the history: the questionnaires' first answers, the baseline every later
 * score is compared with. Each can wait ("Later"): it stays due on Today.
 */
function Baseline({ onDone }: { onDone: () => void }) {
  const me = useLive(cachedMe, ['cache:me'])
  const [catalogue, setCatalogue] = useState<Questionnaire[] | null>()
  const [runner, setRunner] = useState<RunnerModule>()
  const [at, setAt] = useState<number>()
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    void (async () => {
      // Fresh from the server when it can be (answered on another phone: not asked again).
      const list = await refreshQuestionnaires().catch(() => cachedQuestionnaires())
      const mine = new Set((await listEntries()).filter((e) => e.type === 'questionnaire' && !e.deleted).map((e) => (e.data as { questionnaire?: string }).questionnaire))
      setCatalogue(list?.filter((q) => q.baseline === null && !mine.has(q.slug)) ?? null)
    })().catch(() => setCatalogue(null))
    // The questionnaire screen is its own chunk: fetched now, while this one is read.
    import('../questionnaire/Questionnaire').then(setRunner, () => setFailed(true))
  }, [])
  useEffect(() => {
    // Nothing to ask (all answered on another phone, or none offered): straight on.
    if (catalogue !== undefined && (catalogue === null || catalogue.length === 0)) onDone()
  }, [catalogue])
  if (!catalogue || !me) return <main id="main" aria-busy="true" />
  const today = userToday(me)
  if (at !== undefined && runner && catalogue[at]) {
    const last = at + 1 >= catalogue.length
    return (
      <main id="main">
        <StepCount step="baseline" />
        <p class="small muted">
          Check {at + 1} of {catalogue.length}
        </p>
        <runner.QuestionnaireRunner
          key={catalogue[at].slug}
          q={catalogue[at]}
          date={today}
          doneLabel={last ? 'Continue' : `Next: ${catalogue[at + 1].short_title}`}
          onDone={() => (last ? onDone() : setAt(at + 1))}
          onLeave={onDone}
          leaveLabel="Later"
        />
      </main>
    )
  }
  const minutes = catalogue.reduce((sum, q) => sum + q.minutes, 0)
  return (
    <main id="main">
      <StepCount step="baseline" />
      <h1 tabIndex={-1}>Where you are starting from</h1>
      <p>
        {catalogue.length === 1 ? 'One short check' : `${catalogue.length} short checks`}, about {minutes} minutes in all. Your answers are the starting
        point: later, Progress shows how they change.
      </p>
      <ul class="baseline-list">
        {catalogue.map((q) => (
          <li key={q.slug}>
            <b>{q.short_title}</b>
            <br />
            <span class="small muted">{q.purpose}</span>
          </li>
        ))}
      </ul>
      <p class="small muted">Well-known questionnaires, asked exactly as their authors wrote them. They are not a test and not a diagnosis.</p>
      {failed && (
        <p class="notice warn" role="status">
          The questions could not open just now. Choose Later: they wait for you on Today.
        </p>
      )}
      <div class="row">
        <button type="button" class="primary" disabled={!runner} onClick={() => setAt(0)}>
          Start
        </button>
        <button type="button" class="quiet" onClick={onDone}>
          Later
        </button>
      </div>
    </main>
  )
}

function PlanChoices({
  advice,
  onEditHistory,
  onDone,
}: {
  advice?: ReturnType<typeof screeningAdvice>
  onEditHistory?: () => void
  onDone: () => void
}) {
  const programs = useLive<Program[]>(cachedPrograms, ['cache:programs']) ?? []
  const enrolled = useLive(cachedEnrollments, ['cache:enrollments']) ?? []
  const me = useLive(cachedMe, ['cache:me'])
  const [chosen, setChosen] = useState<string[]>([])
  const [zone, setZone] = useState(detectedTimezone())
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  useEffect(() => {
    api.getPrograms().then((list) => cacheSet('programs', list), () => undefined)
    api.getEnrollments().then((list) => cacheSet('enrollments', list), () => undefined)
  }, [])
  useEffect(() => {
    if (me?.timezone && me.timezone !== 'UTC') setZone(me.timezone)
  }, [me?.timezone])
  const already = enrolled.map((e) => e.program)
  useEffect(() => {
    if (already.length && chosen.length === 0) setChosen(already)
  }, [already.join()])

  const toggle = (slug: string) => setChosen(chosen.includes(slug) ? chosen.filter((s) => s !== slug) : [...chosen, slug])

  const finish = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError('')
    try {
      if (me?.timezone !== zone) await saveMe(await api.updateMe({ timezone: zone }))
      // Resumed after a closed app: what was enrolled then is not enrolled twice.
      for (const slug of chosen.filter((s) => !already.includes(s))) await api.enroll(slug)
      await cacheSet('enrollments', await api.getEnrollments())
      onDone()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <main id="main">
      <StepCount step="programs" />
      <h1 tabIndex={-1}>Let's set you up</h1>
      {advice && <ScreeningAdvice answer={advice} />}
      {onEditHistory && (
        <p class="small">
          <button type="button" class="linklike" onClick={onEditHistory}>
            Change my health history answers
          </button>
        </p>
      )}
      <form onSubmit={finish}>
        <fieldset>
          <legend>Choose one or more programs</legend>
          {programs.map((p) => (
            <label class="choice program-choice" key={p.slug}>
              <input type="checkbox" checked={chosen.includes(p.slug)} disabled={already.includes(p.slug)} onChange={() => toggle(p.slug)} />
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
          <legend>Confirm your time zone</legend>
          <p class="small">We found <b>{detectedTimezone().replace(/_/g, ' ')}</b> on this phone.</p>
          <TimezoneSelect value={zone} onChange={setZone} />
        </fieldset>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary wide-button" disabled={busy}>
          {busy ? 'Setting up…' : chosen.length ? 'Continue' : 'Continue without a program'}
        </button>
      </form>
    </main>
  )
}

/** How long a day: the plan fits it, the rest is offered as extras. */
function Budget({ onDone, onBack }: { onDone: () => void; onBack: () => void }) {
  const me = useLive(cachedMe, ['cache:me'])
  const [minutes, setMinutes] = useState<number | null | undefined>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const value = minutes === undefined ? (me?.daily_minutes ?? 20) : minutes
  const save = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError('')
    try {
      await saveMe(await api.updateMe({ daily_minutes: value }))
      onDone()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const choices: [number | null, string][] = [...BUDGETS.map((m) => [m, `${m} minutes`] as [number, string]), [null, 'No limit']]
  return (
    <main id="main">
      <StepCount step="budget" />
      <h1 tabIndex={-1}>How much time a day?</h1>
      <p class="muted">Your plan fits this time. Anything more is offered as an extra, if you have time. You can change it in Settings.</p>
      <form onSubmit={save}>
        <fieldset>
          <legend>Time for practice each day</legend>
          <div class="budget-choices">
            {choices.map(([m, label]) => (
              <label class="choice budget-choice" key={label}>
                <input type="radio" name="budget" checked={value === m} onChange={() => setMinutes(m)} />
                {label}
              </label>
            ))}
          </div>
          <p class="hint">Ten minutes every day helps more than an hour now and then.</p>
        </fieldset>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button type="button" class="quiet" onClick={onBack}>
            Back
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Continue'}
          </button>
        </div>
      </form>
    </main>
  )
}

const CHOOSABLE: Kind[] = ['session', 'checkin', 'breathing', 'desk_break']

/** Which reminders, at what times: all off unless chosen; only the chosen ones are made. */
function Reminders({ onDone, onBack }: { onDone: () => Promise<void>; onBack: () => void }) {
  const [on, setOn] = useState<Kind[]>([])
  const [rules, setRules] = useState<Record<string, ReminderFields>>({ ...DEFAULTS })
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const save = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError('')
    try {
      // Resumed after a closed app: a rule made then is changed, not made twice.
      const existing = on.length ? await api.getReminders() : []
      for (const kind of on) {
        const fields = fieldsOf(rules[kind])
        const rule = existing.find((r) => r.kind === kind)
        if (rule) await api.updateReminder(rule.id, fields)
        else await api.createReminder(fields)
        await rememberCheckinTime(fields)
      }
      await onDone()
    } catch (e) {
      setError((e as Error).message)
      setBusy(false)
    }
  }
  return (
    <main id="main">
      <StepCount step="reminders" />
      <h1 tabIndex={-1}>Reminders you want</h1>
      <p class="muted">All are off unless you choose them. Change them any time in Settings.</p>
      <form onSubmit={save}>
        {CHOOSABLE.map((kind) => (
          <div class="card reminder-choice" key={kind}>
            <label class="choice">
              <input type="checkbox" checked={on.includes(kind)} onChange={() => setOn(on.includes(kind) ? on.filter((k) => k !== kind) : [...on, kind])} />
              <span>
                <b>{KIND_NAMES[kind]}</b>
                <br />
                <span class="small muted">{KIND_HINTS[kind]}</span>
              </span>
            </label>
            {on.includes(kind) && <ReminderEditor id={`onb-${kind}`} rule={rules[kind]} onChange={(r) => setRules({ ...rules, [kind]: r })} />}
          </div>
        ))}
        <p class="hint">To get them as notifications on this phone, turn notifications on in Settings.</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button type="button" class="quiet" onClick={onBack}>
            Back
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Setting up…' : 'Start my plan'}
          </button>
        </div>
      </form>
    </main>
  )
}
