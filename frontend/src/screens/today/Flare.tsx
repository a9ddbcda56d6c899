// Flare-up mode on Today: the calm "My back is bad today", the flare's panel (what is
import { Sources } from '../../ui/Sources'
// happening, how long is left, the advice, ending early) and the check-in at its end.
// Everything here works with no signal: src/flare.ts keeps the state and the queue.
import { useEffect, useRef, useState } from 'preact/hooks'
import { fetchMe, fetchPlan } from '../../data'
import { answerHere, dismissResumed, endHere, FLARE_HOURS, owedCheckIn, running, startHere, type FlareState } from '../../flare'
import type { Day, FlareFeeling } from '../../types'
import { dayAndTime, timeLeft } from '../../when'

/** Once online, the server's plan for the flare (its budget, its statuses) replaces the phone's. */
function refreshSoon() {
  if (navigator.onLine === false) return
  setTimeout(() => {
    void fetchMe()
      .then(() => fetchPlan())
      .catch(() => undefined)
  }, 800)
}

function useFocus<T extends HTMLElement>(when: unknown) {
  const ref = useRef<T>(null)
  useEffect(() => {
    if (when) ref.current?.focus()
  }, [when])
  return ref
}

/** The one tap on a bad day, with a short confirm that says what will happen. */
export function FlareStart() {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const heading = useFocus<HTMLHeadingElement>(asking)
  const go = async () => {
    setBusy(true)
    try {
      await startHere()
      refreshSoon()
    } finally {
      setBusy(false)
      setAsking(false)
    }
  }
  if (!asking) {
    return (
      <div class="flare-start">
        <button type="button" class="quiet wide" onClick={() => setAsking(true)} data-testid="flare-start">
          My back is bad today
        </button>
      </div>
    )
  }
  return (
    <section class="card flare-confirm" aria-labelledby="flare-confirm-title" data-testid="flare-confirm">
      <h2 id="flare-confirm-title" tabIndex={-1} ref={heading}>
        A gentler plan for a bad day
      </h2>
      <ul class="flare-what">
        <li>For the next {FLARE_HOURS} hours: a short, gentle plan (slow breathing, warmth, easy movement if it is comfortable).</li>
        <li>Your usual plan is paused. Nothing is due, so your streak is not broken.</li>
        <li>You can end it early at any time. It works with no signal too.</li>
      </ul>
      <div class="row">
        <button type="button" class="primary" disabled={busy} onClick={() => void go()}>
          Start the gentle plan
        </button>
        <button type="button" class="quiet" onClick={() => setAsking(false)}>
          Not now
        </button>
      </div>
    </section>
  )
}

/** During a flare: what is happening, for how long, the advice, and a way to end it early. */
export function FlarePanel({ state, now }: { state: FlareState; now: Date }) {
  const flare = running(state, now)
  const [ending, setEnding] = useState(false)
  const confirmRef = useFocus<HTMLParagraphElement>(ending)
  if (!flare) return null
  const end = async () => {
    await endHere()
    setEnding(false)
    refreshSoon()
  }
  return (
    <section class="card flare-panel" aria-labelledby="flare-title" data-testid="flare-panel">
      <h2 id="flare-title">Flare-up plan</h2>
      <p class="flare-left" data-testid="flare-left">
        <b>Gentle for now: {timeLeft(flare.ends_at, now)}</b>
        <span class="small muted"> (until {dayAndTime(flare.ends_at, now)})</span>
      </p>
      <p class="small">Your usual plan is paused. Nothing is due these days, so your streak stays as it is. Do what feels comfortable and skip the rest.</p>
      {ending ? (
        <div class="flare-end-confirm">
          <p tabIndex={-1} ref={confirmRef}>
            End the gentle plan now? Your usual plan comes back, one step easier, and we will ask how your back is.
          </p>
          <div class="row">
            <button type="button" class="primary" onClick={() => void end()}>
              Yes, end it now
            </button>
            <button type="button" class="quiet" onClick={() => setEnding(false)}>
              Keep it going
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="quiet" onClick={() => setEnding(true)}>
          I feel better: end it early
        </button>
      )}
    </section>
  )
}

/** The flare's advice (rest, but not in bed for more than a day or two; when to see someone), below its exercises. */
export function FlareAdvice({ day }: { day: Day | null }) {
  const advice = day?.flare?.advice ?? []
  if (advice.length === 0) return null
  return (
    <section class="card flare-advice-card" aria-labelledby="flare-advice-title" data-testid="flare-advice">
      <h2 id="flare-advice-title">Good to know on a bad day</h2>
      <ul class="flare-advice">
        {advice.map((a) => (
          <li key={a.kind} data-kind={a.kind}>
            {a.text}
            <Sources sources={a.sources} label="From where" />
          </li>
        ))}
      </ul>
      {advice.some((a) => a.kind === 'seek_help') && (
        <p class="small">
          <a href="#/help">Need help now?</a>
        </p>
      )}
    </section>
  )
}

const FEELINGS: [FlareFeeling, string][] = [
  ['better', 'Better'],
  ['same', 'About the same'],
  ['worse', 'Worse'],
]

/** At the flare's end: "How is your back now?", and what happens next in plain words. */
export function FlareCheckIn({ state, now }: { state: FlareState; now: Date }) {
  const owed = owedCheckIn(state, now)
  const heading = useFocus<HTMLHeadingElement>(owed?.started_at)
  const resumed = state.resumed
  if (owed) {
    return (
      <section class="card flare-checkin" aria-labelledby="flare-checkin-title" data-testid="flare-checkin">
        <h2 id="flare-checkin-title" tabIndex={-1} ref={heading}>
          How is your back now?
        </h2>
        <p class="small muted">The gentle plan has ended. Your answer helps set where your usual plan picks up.</p>
        <div class="row flare-feelings" role="group" aria-labelledby="flare-checkin-title">
          {FEELINGS.map(([feeling, label]) => (
            <button
              key={feeling}
              type="button"
              onClick={() =>
                void answerHere(feeling).then(() => {
                  refreshSoon()
                })
              }
            >
              {label}
            </button>
          ))}
        </div>
      </section>
    )
  }
  if (!resumed) return null
  return (
    <section class={`card flare-resumed${resumed.feeling === 'worse' ? ' is-worse' : ''}`} aria-labelledby="flare-resumed-title" data-testid="flare-resumed">
      <h2 id="flare-resumed-title">{resumed.feeling === 'better' ? 'Glad it has eased' : resumed.feeling === 'same' ? 'Thank you for telling us' : 'We are sorry it is worse'}</h2>
      {resumed.message ? (
        <p data-testid="flare-resumed-message">{resumed.message}</p>
      ) : (
        <p>
          Your usual plan is back{resumed.step_back ? ', one step easier than before' : ''}. Go gently, and stop anything that makes
          the pain much worse.
        </p>
      )}
      {resumed.feeling === 'worse' && (
        <>
          {!resumed.message && (
            <p>
              <b>Please see a doctor or physiotherapist</b> about a back that is getting worse: they can check it and help. If the pain
              comes with numbness, weakness in a leg, trouble passing urine, or you feel very unwell, get help now.
            </p>
          )}
          <p>
            <a class="button" href="#/help">
              Need help now?
            </a>
          </p>
        </>
      )}
      <button type="button" class="linklike" onClick={() => void dismissResumed()}>
        OK
      </button>
    </section>
  )
}
