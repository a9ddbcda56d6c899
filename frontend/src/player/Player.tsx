// The session player, full screen: one exercise at a time, its pictures, the cue in
// one sentence, and a timer that walks the prescription by itself (timeline.ts).
// Loaded on demand (not in the first screen's JavaScript) and precached for offline.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { cachedMe, shownDay } from '../data'
import { heldDay, loadSafety } from '../hold'
import { findEntry, overlayDay, userToday } from '../merge'
import { listEntries, recordSession } from '../outbox'
import { daySessions, timeName } from '../sessions'
import { cacheGet, cacheSet } from '../store'
import type { Exercise, PlanItem } from '../types'
import {
  BREATH_KINDS,
  back,
  current,
  itemProgress,
  describe,
  finished,
  next,
  outcome,
  pause,
  remaining,
  resume,
  sessionLogs,
  sessionSteps,
  skip,
  start,
  tick,
  type PlayState,
  type Step,
} from './timeline'
import { Illustration, Illustrations } from '../ui/Illustration'
import { Sources } from '../ui/Sources'
import { countTime, findPractice, practiceItem, timesLine, timesToday } from '../guided'
import './player.css'

interface Prefs {
  voice: boolean
  sound: boolean
  vibrate: boolean
  /** The spoken guide of guided practices: on unless turned off (the point of them). */
  guideVoice: boolean
}
const PREFS_KEY = 'player-prefs'
const DEFAULT_PREFS: Prefs = { voice: false, sound: false, vibrate: true, guideVoice: true }

// --- Cues: voice, a soft tone, vibration -----------------------------------------
let audio: AudioContext | undefined

function tone(frequency = 528, seconds = 0.25) {
  try {
    audio ??= new AudioContext()
    const osc = audio.createOscillator()
    const gain = audio.createGain()
    const t = audio.currentTime
    osc.type = 'sine'
    osc.frequency.value = frequency
    // A soft swell and fade: no click, nothing startling.
    gain.gain.setValueAtTime(0, t)
    gain.gain.linearRampToValueAtTime(0.12, t + 0.04)
    gain.gain.exponentialRampToValueAtTime(0.0001, t + seconds)
    osc.connect(gain).connect(audio.destination)
    osc.start(t)
    osc.stop(t + seconds + 0.05)
  } catch {
    /* no audio here */
  }
}

/** Whether this browser can speak at all (the cues still advance on screen when not). */
const canSpeak = () => typeof speechSynthesis !== 'undefined' && typeof SpeechSynthesisUtterance !== 'undefined'

function hush() {
  try {
    if (canSpeak()) speechSynthesis.cancel()
  } catch {
    /* nothing to stop */
  }
}

/** The end of a timer: three soft falling notes, whatever the sound setting (it is the timer's point). */
function chime() {
  ;[660, 550, 440].forEach((f, n) => setTimeout(() => tone(f, 0.6), n * 450))
}

function say(text: string) {
  if (!text || !canSpeak()) return
  try {
    const u = new SpeechSynthesisUtterance(text)
    u.rate = 0.9
    speechSynthesis.speak(u)
  } catch {
    /* no voice here */
  }
}

function buzz(pattern: number | number[]) {
  try {
    navigator.vibrate?.(pattern)
  } catch {
    /* not every device can */
  }
}

/** Keeps the screen on while the session plays; taken again when the app comes back. */
function useWakeLock(active: boolean) {
  useEffect(() => {
    if (!active) return
    type Sentinel = { release(): Promise<void> }
    const lockApi = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<Sentinel> } }).wakeLock
    if (!lockApi) return
    let sentinel: Sentinel | undefined
    let alive = true
    const take = () => {
      if (document.visibilityState !== 'visible') return
      lockApi.request('screen').then(
        (s) => {
          if (alive) sentinel = s
          else void s.release()
        },
        () => undefined,
      )
    }
    take()
    document.addEventListener('visibilitychange', take)
    return () => {
      alive = false
      document.removeEventListener('visibilitychange', take)
      void sentinel?.release().catch(() => undefined)
    }
  }, [active])
}

const reducedMotion = () => typeof matchMedia !== 'undefined' && matchMedia('(prefers-reduced-motion: reduce)').matches

// --- Pieces ----------------------------------------------------------------------

/** The exercise's drawn positions; a labelled box until pictures exist for it. */
function Pictures({ exercise }: { exercise: Exercise }) {
  const pictures = exercise.illustrations ?? []
  if (pictures.length === 0) {
    return (
      <div class="picture-box" role="img" aria-label={`${exercise.name}: picture to come`}>
        <span aria-hidden="true">{exercise.name}</span>
      </div>
    )
  }
  return (
    <div class="pictures">
      <Illustrations pictures={pictures} />
    </div>
  )
}

/** One sentence: the exercise's summary, else its first step. */
function cueOf(exercise: Exercise): string {
  const text = exercise.summary || exercise.steps[0] || ''
  const first = text.match(/^.*?[.!?](\s|$)/)
  return (first ? first[0] : text).trim()
}

/** "How is your pain right now?": one tap, 0-10, or Skip. */
function PainQuestion({ title, onAnswer }: { title: string; onAnswer: (pain: number | null) => void }) {
  return (
    <section class="player-ask" aria-labelledby="pain-title">
      <h1 id="pain-title">{title}</h1>
      <p class="muted">0 is no pain, 10 the worst you can imagine. One tap, or skip it.</p>
      <div class="pain-grid" role="group" aria-labelledby="pain-title">
        {Array.from({ length: 11 }, (_, n) => (
          <button type="button" key={n} class="pain-choice" onClick={() => onAnswer(n)} aria-label={`${n} out of 10`}>
            {n}
          </button>
        ))}
      </div>
      <div class="pain-ends small muted" aria-hidden="true">
        <span>no pain</span>
        <span>worst pain</span>
      </div>
      <button type="button" class="quiet wide" onClick={() => onAnswer(null)}>
        Skip this question
      </button>
    </section>
  )
}

function Toggles({ prefs, onChange, guided = false }: { prefs: Prefs; onChange: (p: Prefs) => void; guided?: boolean }) {
  const items: [keyof Prefs, string][] = guided
    ? [
        ['guideVoice', canSpeak() ? 'Voice' : 'Voice (not on this phone)'],
        ['vibrate', 'Vibration'],
      ]
    : [
        ['voice', 'Voice'],
        ['sound', 'Sound'],
        ['vibrate', 'Vibration'],
      ]
  return (
    <div class="toggles" role="group" aria-label="Cues">
      {items.map(([key, name]) => (
        <button key={key} type="button" class="quiet toggle" aria-pressed={prefs[key]} onClick={() => onChange({ ...prefs, [key]: !prefs[key] })}>
          {name} {prefs[key] ? 'on' : 'off'}
        </button>
      ))}
    </div>
  )
}

/** The breathing pacer: a calm circle that grows and shrinks, words and a count only under reduced motion. */
function Pacer({ step, left }: { step: Step; left: number }) {
  const still = reducedMotion()
  const phase = step.kind === 'inhale' ? 'in' : step.kind === 'exhale' ? 'out' : step.kind === 'hold-in' ? 'full' : 'empty'
  return (
    <div class={`pacer${still ? ' still' : ''}`} data-phase={phase}>
      {!still && (
        <div class={`pacer-ring ${phase}`} style={{ transitionDuration: `${step.seconds}s` }} aria-hidden="true" />
      )}
      <div class="pacer-words">
        <span class="pacer-label">{step.label}</span>
        <span class="pacer-count" aria-hidden="true">
          {left}
        </span>
      </div>
    </div>
  )
}

// --- The player ----------------------------------------------------------------

type Stage = 'loading' | 'held' | 'empty' | 'before' | 'play' | 'after' | 'saved'

/** A guided practice as it plays: the cue big, a progress bar, the time left (and a timer's count). */
function Guided({
  state,
  step,
  item,
  times,
}: {
  state: PlayState
  step: Step
  item: PlanItem
  times: number
}) {
  const exercise = item.exercise
  const { done, total, left } = itemProgress(state)
  const percent = total ? Math.min(100, Math.round((done / total) * 100)) : 0
  const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`
  const spoken = `${Math.floor(left / 60)} minutes ${left % 60} seconds left`
  const cold = exercise.slug === 'cold-therapy'
  const line = timesLine(exercise.max_per_day, times)
  const picture = exercise.illustrations?.[0]
  return (
    <div class={`guided${exercise.timer ? ' has-timer' : ''}`} data-testid="guided">
      {picture && (
        // The position to settle into, where there is room; the cue below says it in words.
        <div class="guide-picture" aria-hidden="true" data-testid="guide-picture">
          <Illustration picture={picture} />
        </div>
      )}
      {exercise.timer && (
        <div class="countdown" role="timer" aria-label={spoken} data-testid="countdown">
          {clock}
        </div>
      )}
      {cold && (
        <p class="notice warn wrap-note" data-testid="wrap-note">
          Wrap it in a cloth: never put ice straight on your skin.
        </p>
      )}
      <p class="guide-cue" data-testid="guide-cue" data-cue={step.kind === 'cue' ? step.detail : 'ready'}>
        {step.kind === 'ready' ? `Get ready: ${exercise.name}` : step.label}
      </p>
      <p class="visually-hidden" aria-live="polite">
        {step.kind === 'ready' ? `Get ready: ${exercise.name}` : step.label}
      </p>
      <div class="guide-bar" role="progressbar" aria-label="How far into the practice" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <p class="guide-left small muted">
        {[!exercise.timer ? `${clock} left` : '', step.kind === 'cue' ? `Part ${step.detail}` : ''].filter(Boolean).join(' · ')}
      </p>
      {line && (
        <p class="small muted times-line" data-testid="times-line">
          {line}
        </p>
      )}
    </div>
  )
}

export function Player({ time, extras, relax }: { time: string; extras: boolean; relax?: string }) {
  const [stage, setStage] = useState<Stage>('loading')
  const [items, setItems] = useState<PlanItem[]>([])
  const [date, setDate] = useState('')
  const [firstOfDay, setFirstOfDay] = useState(false)
  const [checkedIn, setCheckedIn] = useState(false)
  const [painBefore, setPainBefore] = useState<number | null>(null)
  const [state, setState] = useState<PlayState>()
  const [prefs, setPrefs] = useState<Prefs>(DEFAULT_PREFS)
  const [showSteps, setShowSteps] = useState(false)
  const [result, setResult] = useState({ done: 0, skipped: 0 })
  const [title, setTitle] = useState(`${timeName(time)} session`)
  const [times, setTimes] = useState(0)

  // The session as it stands when opened; what is logged meanwhile does not reshuffle it.
  useEffect(() => {
    void (async () => {
      const me = await cachedMe()
      if (!me) return setStage('empty')
      const today = userToday(me)
      const [day, entries, safety, saved] = await Promise.all([shownDay(today), listEntries(), loadSafety(), cacheGet<Prefs>(PREFS_KEY)])
      if (saved) setPrefs({ ...DEFAULT_PREFS, ...saved })
      setDate(today)
      if (relax) {
        // One practice started from Relax now or a lesson, planned today or not.
        const practice = await findPractice(relax, today)
        if (!practice) return setStage('empty')
        if (safety.hold) return setStage('held')
        setTitle(practice.exercise.name)
        setTimes(await timesToday(practice.exercise.slug, today))
        setCheckedIn(true)
        setItems([practiceItem(practice, today)])
        return setStage('before')
      }
      if (!day) return setStage('empty')
      const shown = heldDay(overlayDay(day, entries), Boolean(safety.hold))
      const sessions = daySessions(shown)
      const session = sessions.find((s) => s.time_of_day === time)
      if (safety.hold || session?.held) return setStage('held')
      const list = session
        ? extras
          ? session.extras.filter((i) => i.status === 'pending')
          : session.todo.filter((i) => !i.optional).length > 0
            ? session.todo.filter((i) => !i.optional)
            : session.todo
        : []
      if (list.length === 0) return setStage('empty')
      setFirstOfDay(!sessions.some((s) => s.items.some((i) => i.status === 'done')))
      setCheckedIn(Boolean(findEntry(entries, 'checkin', (d) => d.date === today)))
      setItems(list)
      setStage('before')
    })()
  }, [time, extras, relax])

  const steps = useMemo(() => sessionSteps(items), [items])
  const playing = stage === 'play' && Boolean(state?.running)
  useWakeLock(stage === 'play')

  // The clock: elapsed real time moves the model on (a page clock in tests).
  useEffect(() => {
    if (!playing) return
    let last = Date.now()
    const id = setInterval(() => {
      const now = Date.now()
      const ms = now - last
      last = now
      setState((s) => (s ? tick(s, ms) : s))
    }, 250)
    return () => clearInterval(id)
  }, [playing])

  // Cues at each change of step, and "3, 2, 1" before a hold ends.
  const step = state ? current(state) : undefined
  const left = state ? remaining(state) : 0
  const cue = useRef({ index: -1, left: -1 })
  useEffect(() => {
    if (stage !== 'play' || !state || !step) return
    if (cue.current.index !== state.index) {
      cue.current = { index: state.index, left }
      const breath = BREATH_KINDS.includes(step.kind)
      const guided = steps.some((st) => st.item === step.item && st.kind === 'cue')
      if (guided) {
        // The guide speaks each cue whole: the last one is stopped, never talked over.
        hush()
        if (prefs.guideVoice) say(step.kind === 'ready' ? `Get ready: ${items[step.item]?.exercise.name ?? ''}` : step.say)
        if (prefs.vibrate && step.kind === 'ready') buzz(60)
        return
      }
      if (prefs.voice) say(step.kind === 'ready' ? `Get ready: ${items[step.item]?.exercise.name ?? ''}` : step.say)
      if (prefs.sound) tone(step.kind === 'inhale' ? 528 : step.kind === 'exhale' ? 396 : breath ? 462 : 440)
      if (prefs.vibrate) buzz(step.kind === 'hold' ? [80, 60, 80] : 60)
      return
    }
    if (cue.current.left !== left) {
      cue.current.left = left
      if ((step.kind === 'hold' || step.kind === 'timed' || step.kind === 'rest') && left > 0 && left <= 3 && state.running) {
        if (prefs.voice) say(String(left))
      }
    }
  }, [stage, state?.index, left])

  // A timer (heat, cold) that ran to its end: the chime, and one more time today.
  const chimed = useRef(new Set<number>())
  useEffect(() => {
    if (!state) return
    for (const n of state.completed) {
      const exercise = items[n]?.exercise
      if (!exercise?.timer || chimed.current.has(n)) continue
      chimed.current.add(n)
      chime()
      if (prefs.vibrate) buzz([200, 100, 200])
      // Counted on the day it ended, which past midnight is not the day it was opened.
      void cachedMe()
        .then((me) => countTime(exercise.slug, me ? userToday(me) : date))
        .then(setTimes)
    }
  }, [state?.completed.length])

  // Speech stops with the player.
  useEffect(() => () => hush(), [])

  // The end of the last step: ask how the pain is now.
  useEffect(() => {
    if (stage === 'play' && state && finished(state)) setStage('after')
  }, [stage, state && finished(state)])

  const savePrefs = (p: Prefs) => {
    setPrefs(p)
    void cacheSet(PREFS_KEY, p, { silent: true })
  }

  /** Logs each exercise as it went: done, or skipped; untouched ones stay as they were. */
  const log = async (painAfter: number | null) => {
    if (!state) return
    const logs = sessionLogs(
      date,
      items.map((i) => i.id),
      outcome(state, items.length),
      painBefore,
      painAfter,
    )
    for (const data of logs) await recordSession(data)
    const done = logs.filter((l) => l.status === 'done').length
    const skipped = logs.length - done
    setResult({ done, skipped })
  }

  const leave = async () => {
    hush()
    if (stage === 'play' && state) await log(null)
    location.hash = '#/today'
  }


  if (stage === 'loading') return <main id="main" class="player" aria-busy="true" />
  if (stage === 'held' || stage === 'empty') {
    return (
      <main id="main" class="player">
        <div class="player-ask">
          <h1>{stage === 'held' ? 'Your exercises are paused' : 'Nothing left in this session'}</h1>
          <p>{stage === 'held' ? 'Today shows why, and what to do.' : 'Well done. Rest is part of it too.'}</p>
          <a class="button primary wide" href="#/today">
            Back to today
          </a>
        </div>
      </main>
    )
  }
  if (stage === 'before') {
    return (
      <main id="main" class="player">
        <PlayerBar title={title} onLeave={() => void leave()} />
        <PainQuestion
          title="How is your pain right now?"
          onAnswer={(pain) => {
            setPainBefore(pain)
            setState(start(steps))
            setStage('play')
          }}
        />
      </main>
    )
  }
  if (stage === 'after') {
    return (
      <main id="main" class="player">
        <PlayerBar title={title} onLeave={() => void leave()} />
        <PainQuestion
          title="How is your pain now?"
          onAnswer={(pain) => {
            void log(pain).then(() => setStage('saved'))
          }}
        />
      </main>
    )
  }
  if (stage === 'saved') {
    return (
      <main id="main" class="player">
        <div class="player-ask" role="status">
          <h1>Well done</h1>
          <p>
            {result.done} {result.done === 1 ? 'exercise' : 'exercises'} done
            {result.skipped > 0 ? `, ${result.skipped} skipped` : ''}.{' '}
            {navigator.onLine ? '' : 'Saved on this phone; it is sent when you are back online.'}
          </p>
          <p class="muted">Showing up is what counts. Your back thanks you.</p>
        </div>
        {firstOfDay && !checkedIn && (
          <a class="button primary wide" href="#/checkin">
            How are you today? Check in
          </a>
        )}
        <a class={`button wide${firstOfDay && !checkedIn ? '' : ' primary'}`} href="#/today">
          Back to today
        </a>
      </main>
    )
  }

  // Playing.
  if (!state || !step) return <main id="main" class="player" aria-busy="true" />
  const item = items[step.item]
  const exercise = item.exercise
  const breathing = BREATH_KINDS.includes(step.kind) || (step.kind === 'ready' && steps.some((s) => s.item === step.item && BREATH_KINDS.includes(s.kind)))
  const manual = step.seconds === 0
  const guided = step.kind === 'cue' || (step.kind === 'ready' && steps.some((st) => st.item === step.item && st.kind === 'cue'))
  if (guided) {
    return (
      <main id="main" class="player guided-player" data-step={step.kind} data-exercise={exercise.slug}>
        <PlayerBar title={title} onLeave={() => void leave()} />
        {items.length > 1 && (
          <p class="player-progress small muted">
            Exercise {step.item + 1} of {items.length}
          </p>
        )}
        <h1 class="player-name">{exercise.name}</h1>
        <Guided state={state} step={step} item={item} times={times} />
        {!state.running && <p class="paused-note center">Paused</p>}
        <div class="player-controls">
          <button type="button" class="quiet" onClick={() => setState(back(state))}>
            Back
          </button>
          {state.running ? (
            <button type="button" class="primary big" onClick={() => (hush(), setState(pause(state)))}>
              Pause
            </button>
          ) : (
            <button type="button" class="primary big" onClick={() => setState(resume(state))}>
              Resume
            </button>
          )}
          <button type="button" class="quiet" onClick={() => (hush(), setState(skip(state)))}>
            {items.length > 1 ? 'Skip' : 'End'}
            <span class="visually-hidden"> {exercise.name}</span>
          </button>
        </div>
        <Toggles prefs={prefs} onChange={savePrefs} guided />
        <button type="button" class="linklike small" aria-expanded={showSteps} onClick={() => setShowSteps(!showSteps)}>
          {showSteps ? 'Hide the written version' : 'Read it instead'}
        </button>
        {showSteps && (
          <ol class="steps">
            {exercise.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
        )}
        <Sources why={exercise.why} sources={exercise.sources} />
      </main>
    )
  }
  return (
    <main id="main" class={`player${breathing ? ' breathing' : ''}`} data-step={step.kind}>
      <PlayerBar title={title} onLeave={() => void leave()} />
      <p class="player-progress small muted">
        Exercise {step.item + 1} of {items.length}
        {item.optional ? ' · Extra, if you have time' : ''}
      </p>
      <h1 class="player-name">{exercise.name}</h1>
      {breathing && BREATH_KINDS.includes(step.kind) ? <Pacer step={step} left={left} /> : <Pictures exercise={exercise} />}
      <p class="cue">{cueOf(exercise)}</p>
      {/* The dose's own words: "Only if comfortable", "cold may feel better" (the flare plan), a clinician's note. */}
      {item.prescription.note && <p class="small muted player-note">{item.prescription.note}</p>}
      {item.note && item.prescribed_by && (
        <p class="small player-note">
          {item.prescribed_by.name}: “{item.note}”
        </p>
      )}
      <button type="button" class="linklike small" aria-expanded={showSteps} onClick={() => setShowSteps(!showSteps)}>
        {showSteps ? 'Hide the steps' : 'All the steps'}
      </button>
      {showSteps && (
        <ol class="steps">
          {exercise.steps.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
      )}
      <Sources why={exercise.why} sources={exercise.sources} />
      {!(breathing && BREATH_KINDS.includes(step.kind)) && (
        <div class={`timer ${step.kind}`} data-testid="timer">
          <span class="timer-label">{step.label}</span>
          {!manual && (
            <span class="timer-count" role="timer" aria-label={left >= 60 ? `${Math.floor(left / 60)} minutes ${left % 60} seconds` : `${left} seconds`}>
              {/* A long timer (warmth for 15 minutes) in minutes and seconds. */}
              {left >= 60 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` : left}
            </span>
          )}
          <span class="timer-detail small">{step.detail || describe(item.prescription)}</span>
        </div>
      )}
      {breathing && BREATH_KINDS.includes(step.kind) && <p class="timer-detail small center">{step.detail}</p>}
      {exercise.slug === 'cold-therapy' && (
        <p class="notice warn wrap-note" data-testid="wrap-note">
          Wrap it in a cloth: never put ice straight on your skin.
        </p>
      )}
      {exercise.max_per_day ? (
        <p class="small muted times-line center" data-testid="times-line">
          {timesLine(exercise.max_per_day, times)}
        </p>
      ) : null}
      {/* Said to screen readers at each change of step, not every second. */}
      <p class="visually-hidden" aria-live="polite">
        {`${step.label}${step.detail ? `, ${step.detail}` : ''}${manual ? '' : `, ${step.seconds} seconds`}`}
      </p>
      {!state.running && !manual && <p class="paused-note center">Paused</p>}
      <div class="player-controls">
        <button type="button" class="quiet" onClick={() => setState(back(state))}>
          Back
        </button>
        {manual ? (
          <button type="button" class="primary big" onClick={() => setState(next(state))}>
            Done
          </button>
        ) : state.running ? (
          <button type="button" class="primary big" onClick={() => setState(pause(state))}>
            Pause
          </button>
        ) : (
          <button type="button" class="primary big" onClick={() => setState(resume(state))}>
            Resume
          </button>
        )}
        <button type="button" class="quiet" onClick={() => setState(skip(state))}>
          Skip<span class="visually-hidden"> {exercise.name}</span>
        </button>
      </div>
      <Toggles prefs={prefs} onChange={savePrefs} />
    </main>
  )
}

function PlayerBar({ title, onLeave }: { title: string; onLeave: () => void }) {
  return (
    <div class="player-bar">
      <span class="player-title">{title}</span>
      <button type="button" class="quiet" onClick={onLeave}>
        Close<span class="visually-hidden"> the session</span>
      </button>
    </div>
  )
}
