import { useEffect, useState } from 'preact/hooks'
import * as api from '../../api'
import { cachedEnrollments, cachedPrograms, refreshEnrollments } from '../../data'
import { cacheSet } from '../../store'
import type { Enrollment, Exercise, Program } from '../../types'
import { useLive, useOnline } from '../../ui/hooks'
import { Sources } from '../../ui/Sources'
import { Illustrations } from '../../ui/Illustration'

const CATEGORY: Record<string, string> = {
  core: 'Core strength',
  stretching: 'Stretching',
  breathing: 'Breathing and relaxation',
  sleep: 'Sleep',
  relaxation: 'Guided relaxation',
}

/** The program's exercises with their pictures, fetched the first time it is opened. */
function ProgramExercises({ slug }: { slug: string }) {
  const [open, setOpen] = useState(false)
  const [exercises, setExercises] = useState<Exercise[]>()
  const [error, setError] = useState('')
  useEffect(() => {
    if (!open || exercises) return
    api.getProgram(slug).then(
      (detail) => {
        const seen = new Map<string, Exercise>()
        for (const week of detail.schedule) for (const item of week.items) seen.set(item.exercise.slug, item.exercise)
        setExercises([...seen.values()])
      },
      (e: Error) => setError(e.message),
    )
  }, [open, slug, exercises])
  return (
    <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>What you will do</summary>
      {open && !exercises && <p aria-busy="true">{error || 'Loading…'}</p>}
      {exercises && (
        <ul role="list" class="program-exercises">
          {exercises.map((exercise) => (
            <li key={exercise.slug}>
              <h3>{exercise.name}</h3>
              {exercise.summary && <p class="small muted">{exercise.summary}</p>}
              <Illustrations pictures={exercise.illustrations} />
              <Sources why={exercise.why} sources={exercise.sources} />
            </li>
          ))}
        </ul>
      )}
    </details>
  )
}

export function Programs() {
  const programs = useLive<Program[]>(cachedPrograms, ['cache:programs']) ?? []
  const enrollments = useLive<Enrollment[]>(cachedEnrollments, ['cache:enrollments']) ?? []
  const online = useOnline()
  const [busy, setBusy] = useState<string>()
  const [message, setMessage] = useState('')

  useEffect(() => {
    api.getPrograms().then((list) => cacheSet('programs', list), () => undefined)
    refreshEnrollments().catch(() => undefined)
  }, [])

  const act = async (slug: string, work: () => Promise<unknown>, done: string) => {
    setBusy(slug)
    setMessage('')
    try {
      await work()
      await refreshEnrollments()
      setMessage(done)
    } catch (error) {
      setMessage((error as Error).message)
    } finally {
      setBusy(undefined)
    }
  }

  return (
    <main id="main">
      <h1>Programs</h1>
      <p class="muted">Each program is a few weeks of short daily practice that grows gently week by week.</p>
      {!online && (
        <p class="notice" role="status">
          You are offline. Joining, pausing or leaving a program needs a connection.
        </p>
      )}
      <p role="status" class="small">
        {message}
      </p>
      <ul role="list" style={{ listStyle: 'none', padding: 0 }}>
        {programs.map((program) => {
          const current = enrollments.find(
            (e) => e.program === program.slug && (e.status === 'active' || e.status === 'paused'),
          )
          const titleId = `program-${program.slug}`
          return (
            <li key={program.slug} class="card stack" aria-labelledby={titleId}>
              <div>
                <h2 id={titleId}>{program.title}</h2>
                <p class="small muted">
                  {CATEGORY[program.category] ?? program.category} · {program.weeks} weeks
                  {current && ` · ${current.status === 'paused' ? 'paused' : `week ${current.week ?? 1}`}`}
                </p>
              </div>
              <p>{program.summary}</p>
              <ProgramExercises slug={program.slug} />
              <div class="row">
                {!current && (
                  <button
                    type="button"
                    class="primary"
                    disabled={!online || busy === program.slug}
                    aria-describedby={titleId}
                    onClick={() => act(program.slug, () => api.enroll(program.slug), `You joined ${program.title}.`)}
                  >
                    Start this program
                  </button>
                )}
                {current?.status === 'active' && (
                  <button
                    type="button"
                    disabled={!online || busy === program.slug}
                    aria-describedby={titleId}
                    onClick={() =>
                      act(program.slug, () => api.setEnrollmentStatus(current.id, 'paused'), `${program.title} is paused. Resume whenever you like.`)
                    }
                  >
                    Pause
                  </button>
                )}
                {current?.status === 'paused' && (
                  <button
                    type="button"
                    class="primary"
                    disabled={!online || busy === program.slug}
                    aria-describedby={titleId}
                    onClick={() => act(program.slug, () => api.setEnrollmentStatus(current.id, 'active'), `Welcome back to ${program.title}.`)}
                  >
                    Resume
                  </button>
                )}
                {current && (
                  <button
                    type="button"
                    class="danger"
                    disabled={!online || busy === program.slug}
                    aria-describedby={titleId}
                    onClick={() => {
                      if (confirm(`Leave ${program.title}? Your past logs stay.`)) {
                        void act(program.slug, () => api.leaveEnrollment(current.id), `You left ${program.title}.`)
                      }
                    }}
                  >
                    Leave
                  </button>
                )}
              </div>
            </li>
          )
        })}
      </ul>
      {programs.length === 0 && <p>Programs show here once you have been online.</p>}
    </main>
  )
}
