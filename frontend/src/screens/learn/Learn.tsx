// Learn: short lessons on how stress, worry and sleep work on a back. Loaded on
// demand (its own chunk); every lesson is kept on the phone once fetched, so it opens
// and is marked read with no signal (the mark waits in the outbox).
import { useEffect, useState } from 'preact/hooks'
import { cachedMe } from '../../data'
import { exerciseName, refreshDetails } from '../../guided'
import { cachedLessons, isRead, loadLesson, markRead, markUnread, refreshLessons, LESSONS_KEY } from '../../lessons'
import { deviceDate, userToday } from '../../merge'
import { listEntries } from '../../outbox'
import type { Lesson, LessonSummary, LocalEntry } from '../../types'
import { useLive } from '../../ui/hooks'
import { Sources } from '../../ui/Sources'

export function Learn({ slug }: { slug?: string }) {
  return slug ? <Reader slug={slug} /> : <LessonList />
}

function LessonList() {
  const lessons = useLive<LessonSummary[] | null>(cachedLessons, [`cache:${LESSONS_KEY}`])
  const entries = useLive<LocalEntry[]>(listEntries, ['entries'])
  const [error, setError] = useState<string>()
  useEffect(() => {
    refreshLessons().then(
      () => setError(undefined),
      (e: Error) => setError(e.message),
    )
    // The practices lessons point at ("Try this"), for offline too.
    refreshDetails().catch(() => undefined)
  }, [])
  if (lessons === undefined || entries === undefined) return <main id="main" aria-busy="true" />
  const sorted = [...(lessons ?? [])].sort((a, b) => a.order - b.order)
  const read = sorted.filter((l) => isRead(l, entries)).length
  return (
    <main id="main">
      <h1>Learn</h1>
      <p class="muted">Short reads on how stress, worry and sleep work on a back. A few minutes each, at your own pace.</p>
      {sorted.length > 0 && (
        <p class="small muted" data-testid="lessons-read">
          {read} of {sorted.length} read
        </p>
      )}
      {!lessons && (
        <p class={error ? 'notice warn' : ''} role="status">
          {error ?? 'Loading the lessons…'}
        </p>
      )}
      <ul class="plain lessons" role="list">
        {sorted.map((lesson) => {
          const done = isRead(lesson, entries)
          return (
            <li key={lesson.slug}>
              <a class={`card lesson-row${done ? ' is-read' : ''}`} href={`#/learn/${lesson.slug}`} data-lesson={lesson.slug} data-read={done ? 'yes' : 'no'}>
                <span class="lesson-row-head">
                  <span class="lesson-title">{lesson.title}</span>
                  <span class="lesson-minutes small muted">{lesson.minutes} min</span>
                </span>
                <span class="lesson-summary small">{lesson.summary}</span>
                {done && (
                  <span class="chip done lesson-tick">
                    <span aria-hidden="true">✓ </span>Read
                  </span>
                )}
              </a>
            </li>
          )
        })}
      </ul>
    </main>
  )
}

function Reader({ slug }: { slug: string }) {
  const [lesson, setLesson] = useState<Lesson | null>()
  const [error, setError] = useState<string>()
  const entries = useLive<LocalEntry[]>(listEntries, ['entries'])
  const me = useLive(cachedMe, ['cache:me'])
  const [names, setNames] = useState<Record<string, string>>({})
  useEffect(() => {
    loadLesson(slug).then(setLesson, (e: Error) => {
      setError(e.message)
      setLesson(null)
    })
  }, [slug])
  useEffect(() => {
    if (!lesson) return
    void Promise.all(lesson.try.map(async (s) => [s, await exerciseName(s)] as const)).then((pairs) =>
      setNames(Object.fromEntries(pairs.filter(([, n]) => n).map(([s, n]) => [s, n as string]))),
    )
  }, [lesson])
  if (lesson === undefined || entries === undefined) return <main id="main" aria-busy="true" />
  if (!lesson) {
    return (
      <main id="main">
        <p>
          <a href="#/learn">← All lessons</a>
        </p>
        <h1>Lesson</h1>
        <p class="notice warn" role="status">
          {error ?? 'This lesson is not on this phone yet. It opens here once the phone has been online.'}
        </p>
      </main>
    )
  }
  const read = isRead(lesson, entries)
  const today = me ? userToday(me) : deviceDate()
  return (
    <main id="main" class="reader" data-lesson={lesson.slug}>
      <p>
        <a href="#/learn">← All lessons</a>
      </p>
      <h1>{lesson.title}</h1>
      <p class="small muted">{lesson.minutes} min read</p>
      {lesson.sections.map((section) => (
        <section key={section.heading} class="reader-section">
          <h2>{section.heading}</h2>
          {section.paragraphs.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </section>
      ))}
      {lesson.try.length > 0 && (
        <section class="card try" aria-labelledby="try-title">
          <h2 id="try-title">Try this</h2>
          <ul class="plain try-list" role="list">
            {lesson.try.map((s) => (
              <li key={s}>
                <a class="button wide" href={`#/relax/${s}`}>
                  {names[s] ?? s.replace(/-/g, ' ')}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <Sources sources={lesson.sources} />
      <div class="reader-end">
        {read ? (
          <>
            <p class="notice ok" role="status" data-testid="lesson-read">
              <span aria-hidden="true">✓ </span>Read. Well done.
            </p>
            <button type="button" class="linklike small" onClick={() => void markUnread(lesson.slug, today)}>
              Mark as unread
            </button>
          </>
        ) : (
          <button type="button" class="primary wide big" onClick={() => void markRead(lesson.slug, today)}>
            Mark as read
          </button>
        )}
        <a class="button wide" href="#/learn">
          All lessons
        </a>
      </div>
    </main>
  )
}
