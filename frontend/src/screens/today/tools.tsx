// The practice tools on an item: hold countdown, rep counter, timer and breathing pacer.
// Each one has a screen-reader name, announces only what matters (start, phase
// changes, the end), and works fully from the keyboard.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Exercise } from '../../types'

function useTicker(running: boolean, onTick: () => void) {
  const tick = useRef(onTick)
  tick.current = onTick
  useEffect(() => {
    if (!running) return
    const id = setInterval(() => tick.current(), 1000)
    return () => clearInterval(id)
  }, [running])
}

function buzz(pattern: number | number[]) {
  try {
    navigator.vibrate?.(pattern)
  } catch {
    /* not every device can */
  }
}

export function formatSeconds(total: number): string {
  const m = Math.floor(total / 60)
  const s = total % 60
  return m > 0 ? `${m}:${String(s).padStart(2, '0')}` : `${s}`
}

/** A countdown for a held position or a timed activity. */
export function Countdown({ seconds, label, doneText }: { seconds: number; label: string; doneText: string }) {
  const [left, setLeft] = useState(seconds)
  const [running, setRunning] = useState(false)
  const [said, setSaid] = useState('')
  useTicker(running, () => {
    setLeft((value) => {
      const next = value - 1
      if (next <= 0) {
        setRunning(false)
        setSaid(doneText)
        buzz([200, 100, 200])
        return 0
      }
      return next
    })
  })
  const start = () => {
    if (left === 0) setLeft(seconds)
    setRunning(true)
    setSaid(`${label} started: ${formatSeconds(left === 0 ? seconds : left)} seconds.`)
  }
  return (
    <div class="tool">
      <div class="big-number" role="timer" aria-label={`${label}: ${left} seconds left`}>
        {formatSeconds(left)}
      </div>
      <div class="row">
        {running ? (
          <button type="button" onClick={() => setRunning(false)}>
            Pause
          </button>
        ) : (
          <button type="button" class="primary" onClick={start}>
            {left === seconds || left === 0 ? `Start ${label.toLowerCase()}` : 'Continue'}
          </button>
        )}
        <button
          type="button"
          class="quiet"
          onClick={() => {
            setRunning(false)
            setLeft(seconds)
          }}
          aria-label={`Reset ${label.toLowerCase()}`}
        >
          Reset
        </button>
      </div>
      <p class="visually-hidden" aria-live="polite">
        {said}
      </p>
    </div>
  )
}

/** Counts repetitions and sets; one big button so it can be tapped mid-exercise. */
export function RepCounter({ reps, sets = 1, perSide }: { reps: number; sets?: number; perSide?: boolean }) {
  const [count, setCount] = useState(0)
  const [set, setSet] = useState(1)
  const finished = set > sets
  const add = () => {
    if (finished) return
    if (count + 1 >= reps) {
      setCount(0)
      setSet((s) => s + 1)
      buzz(150)
    } else {
      setCount(count + 1)
    }
  }
  const status = finished
    ? `All ${sets} sets done. Well done.`
    : `Set ${set} of ${sets}: ${count} of ${reps} reps${perSide ? ' (each side)' : ''}`
  return (
    <div class="tool">
      <div class="big-number" aria-hidden="true">
        {finished ? '✓' : `${count}/${reps}`}
      </div>
      <p aria-live="polite" class="small">
        {status}
      </p>
      <div class="row">
        <button type="button" class="primary" onClick={add} disabled={finished}>
          Count a rep
        </button>
        <button type="button" class="quiet" onClick={() => setCount(Math.max(0, count - 1))} disabled={finished || count === 0}>
          One less
        </button>
        <button
          type="button"
          class="quiet"
          onClick={() => {
            setCount(0)
            setSet(1)
          }}
        >
          Start over
        </button>
      </div>
    </div>
  )
}

type Phase = 'inhale' | 'hold' | 'exhale' | 'rest'

const PHASE_WORDS: Record<Phase, string> = {
  inhale: 'Breathe in',
  hold: 'Hold',
  exhale: 'Breathe out',
  rest: 'Rest',
}

export function phasesOf(pattern: NonNullable<Exercise['pattern']>): { phase: Phase; seconds: number }[] {
  return (
    [
      { phase: 'inhale', seconds: pattern.inhale },
      { phase: 'hold', seconds: pattern.hold ?? 0 },
      { phase: 'exhale', seconds: pattern.exhale },
      { phase: 'rest', seconds: pattern.hold_after ?? 0 },
    ] as { phase: Phase; seconds: number }[]
  ).filter((p) => p.seconds > 0)
}

/**
 * The breathing pacer: a circle that grows while breathing in and shrinks while
 * breathing out (still, with words only, under prefers-reduced-motion).
 * Runs for `breaths` cycles, or for `durationSeconds`.
 */
export function Pacer({
  pattern,
  breaths,
  durationSeconds,
}: {
  pattern: NonNullable<Exercise['pattern']>
  breaths?: number
  durationSeconds?: number
}) {
  const phases = phasesOf(pattern)
  const cycleSeconds = phases.reduce((sum, p) => sum + p.seconds, 0)
  const totalCycles = breaths ?? Math.max(1, Math.round((durationSeconds ?? cycleSeconds * 4) / cycleSeconds))
  const [running, setRunning] = useState(false)
  const [cycle, setCycle] = useState(1)
  const [index, setIndex] = useState(0)
  const [left, setLeft] = useState(phases[0].seconds)
  const [finished, setFinished] = useState(false)
  const current = phases[index]

  useTicker(running, () => {
    if (left > 1) {
      setLeft(left - 1)
      return
    }
    const nextIndex = (index + 1) % phases.length
    if (nextIndex === 0) {
      if (cycle >= totalCycles) {
        setRunning(false)
        setFinished(true)
        buzz([200, 100, 200])
        return
      }
      setCycle(cycle + 1)
    }
    setIndex(nextIndex)
    setLeft(phases[nextIndex].seconds)
  })

  const start = () => {
    setFinished(false)
    setCycle(1)
    setIndex(0)
    setLeft(phases[0].seconds)
    setRunning(true)
  }
  const words = finished ? 'Finished. Notice how your back feels.' : running ? PHASE_WORDS[current.phase] : 'Ready'
  const description = phases.map((p) => `${PHASE_WORDS[p.phase].toLowerCase()} ${p.seconds}`).join(', ')
  return (
    <div class="tool" role="group" aria-label={`Breathing pacer: ${description} seconds`}>
      <div
        class={`pacer-circle ${running ? current.phase : 'rest'}`}
        style={{ transitionDuration: `${running ? current.seconds : 0.3}s` }}
        aria-hidden="true"
      >
        <span class="pacer-phase">{running ? `${left}` : ''}</span>
      </div>
      <p class="pacer-phase" aria-live="polite">
        {words}
        {running && <span class="visually-hidden">{` for ${current.seconds} seconds`}</span>}
      </p>
      <p class="small muted" role="timer" aria-label={`Breath ${Math.min(cycle, totalCycles)} of ${totalCycles}`}>
        Breath {Math.min(cycle, totalCycles)} of {totalCycles}
      </p>
      <div class="row">
        {running ? (
          <button type="button" onClick={() => setRunning(false)}>
            Stop
          </button>
        ) : (
          <button type="button" class="primary" onClick={start}>
            {finished ? 'Again' : 'Start breathing'}
          </button>
        )}
      </div>
    </div>
  )
}
