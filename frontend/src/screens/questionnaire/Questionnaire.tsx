// One validated questionnaire, one question a screen (issue 18). Loaded as its own chunk
// (out of the first screen's JavaScript) and precached, so it opens with no signal.
// An answer is one tap and moves on; Back changes it. The answers go to the outbox at
// the end, and the result is said at once, calmly: a score and its range, the
// published band's plain words where there is one, never a diagnosis.
import { useEffect, useRef, useState } from 'preact/hooks'
import { cachedMe } from '../../data'
import { userToday } from '../../merge'
import { listEntries, onSyncReport } from '../../outbox'
import {
  answerOn,
  bandWords,
  loadQuestionnaires,
  needsSupport,
  recordAnswers,
  scoreAnswers,
  scoreWords,
  type Answers,
} from '../../questionnaires'
import type { Questionnaire as Instrument } from '../../types'
import { Sources } from '../../ui/Sources'
import { SupportOffer } from '../../ui/SupportOffer'
import './questionnaire.css'

/** The licence and where the questionnaire comes from, small, under every question. */
function About({ q }: { q: Instrument }) {
  const url = q.licence.url && /^https?:\/\//i.test(q.licence.url) ? q.licence.url : undefined
  return (
    <footer class="questionnaire-about small">
      <details>
        <summary>About this questionnaire</summary>
        <p>
          <b>{q.title}.</b> {q.purpose}
        </p>
        <p>
          <b>{q.licence.name}.</b> {q.licence.text}
          {url && (
            <>
              {' '}
              <a href={url} target="_blank" rel="noopener noreferrer">
                Terms
              </a>
            </>
          )}
        </p>
        <Sources sources={q.sources} label="Published in" />
      </details>
    </footer>
  )
}

export interface Finished {
  slug: string
  score: number
  support: boolean
}

/**
 * Asks one questionnaire and saves the answers for `date`. `onDone` is called from
 * the result screen's button (`doneLabel`).
 */
export function QuestionnaireRunner({
  q,
  date,
  doneLabel,
  onDone,
  onLeave,
  leaveLabel = 'Leave for now',
}: {
  q: Instrument
  date: string
  doneLabel: string
  onDone: (finished: Finished) => void
  onLeave?: () => void
  leaveLabel?: string
}) {
  const [index, setIndex] = useState(0)
  const [answers, setAnswers] = useState<Answers>({})
  const [saved, setSaved] = useState<{ clientId: string; support: boolean } | null>(null)
  const [serverSupport, setServerSupport] = useState(false)
  const [error, setError] = useState('')
  const heading = useRef<HTMLHeadingElement>(null)
  const total = q.items.length

  // A new question, or the result: read from its heading (screen readers, keyboards).
  useEffect(() => {
    heading.current?.focus()
  }, [index, saved === null])

  // The server scores the answer again; its word on support counts too.
  useEffect(() => {
    if (!saved) return
    return onSyncReport((report) => {
      const mine = report.results.find((r) => r.client_id === saved.clientId)
      if (mine?.support) setServerSupport(true)
    })
  }, [saved?.clientId])

  const choose = async (value: number) => {
    const item = q.items[index]
    const next = { ...answers, [item.id]: value }
    setAnswers(next)
    if (index + 1 < total) {
      setIndex(index + 1)
      return
    }
    try {
      const entry = await recordAnswers(q.slug, date, next)
      setSaved({ clientId: entry.client_id, support: needsSupport(q, next) })
    } catch (e) {
      setError(`Your answers could not be saved on this phone: ${(e as Error).message}`)
    }
  }

  if (saved) {
    const result = scoreAnswers(q, answers)
    const words = bandWords(q, result.band)
    const support = saved.support || serverSupport
    return (
      <section class="questionnaire questionnaire-result" aria-labelledby="q-result" data-testid="questionnaire-result" data-slug={q.slug}>
        <p class="small muted">{q.short_title}</p>
        <h1 id="q-result" tabIndex={-1} ref={heading}>
          Thank you
        </h1>
        <p class="questionnaire-score" data-testid="questionnaire-score">
          {scoreWords(q, result.score)}
        </p>
        {words && <p>{words}</p>}
        <p class="small muted">
          {q.score.higher_is === 'worse' ? 'A lower score means less trouble.' : 'A higher score means better.'} It is kept with your
          progress, so you can see how it changes. It is not a diagnosis.
        </p>
        {support && <SupportOffer />}
        <div class="row">
          <button type="button" class="primary" onClick={() => onDone({ slug: q.slug, score: result.score, support })}>
            {doneLabel}
          </button>
          <button
            type="button"
            class="quiet"
            onClick={() => {
              setSaved(null)
              setServerSupport(false)
              setIndex(total - 1)
            }}
          >
            Change an answer
          </button>
        </div>
        <About q={q} />
      </section>
    )
  }

  const item = q.items[index]
  const chosen = answers[item.id]
  const scale = item.answers.length > 5
  return (
    <section class="questionnaire" aria-labelledby="q-question" data-testid="questionnaire" data-slug={q.slug}>
      <p class="small muted questionnaire-name">{q.short_title}</p>
      <p class="questionnaire-recall">{q.recall}</p>
      <p class="small muted step-count" data-testid="questionnaire-step">
        {index + 1} of {total}
      </p>
      <h1 id="q-question" class="questionnaire-question" tabIndex={-1} ref={heading}>
        {item.text}
      </h1>
      {scale && item.min_label && (
        <p class="small muted scale-ends" aria-hidden="true">
          <span>0: {item.min_label}</span>
          <span>
            {item.answers[item.answers.length - 1].value}: {item.max_label}
          </span>
        </p>
      )}
      <div class={`answer-choices${scale ? ' is-scale' : ''}`} role="group" aria-label={item.text}>
        {item.answers.map((a, i) => {
          const end = scale && i === 0 ? item.min_label : scale && i === item.answers.length - 1 ? item.max_label : undefined
          return (
            <button
              key={a.value}
              type="button"
              class="answer"
              aria-pressed={chosen === a.value}
              aria-label={end ? `${a.label}: ${end}` : undefined}
              onClick={() => void choose(a.value)}
            >
              {a.label}
            </button>
          )
        })}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="row questionnaire-nav">
        {index > 0 ? (
          <button type="button" class="quiet" onClick={() => setIndex(index - 1)}>
            Back
          </button>
        ) : (
          onLeave && (
            <button type="button" class="quiet" onClick={onLeave}>
              {leaveLabel}
            </button>
          )
        )}
      </div>
      {index === 0 && q.instructions && <p class="small muted">{q.instructions}</p>}
      <About q={q} />
    </section>
  )
}

/** `#/questionnaire/<slug>`: from Today's card; back to Today at the end. */
export function QuestionnaireScreen({ slug }: { slug: string }) {
  const [catalogue, setCatalogue] = useState<Instrument[] | null>()
  const [date, setDate] = useState<string>()
  const [already, setAlready] = useState<boolean>()
  const [again, setAgain] = useState(false)
  useEffect(() => {
    void (async () => {
      const me = await cachedMe()
      const today = userToday(me)
      setDate(today)
      setAlready(Boolean(answerOn(await listEntries(), slug, today)))
      setCatalogue(await loadQuestionnaires().catch(() => null))
    })()
  }, [slug])
  const back = () => {
    location.hash = '#/today'
  }
  if (catalogue === undefined || !date || already === undefined) return <main id="main" aria-busy="true" />
  const q = catalogue?.find((c) => c.slug === slug)
  if (!q) {
    return (
      <main id="main">
        <h1>Questionnaire</h1>
        <p class="card">
          {catalogue === null
            ? 'This questionnaire opens with no signal once the phone has been online with Backtrack. Please connect once and try again.'
            : 'This questionnaire is not offered any more.'}
        </p>
        <a class="button" href="#/today">
          Back to today
        </a>
      </main>
    )
  }
  if (already && !again) {
    return (
      <main id="main">
        <p class="small muted">{q.short_title}</p>
        <h1>Answered today</h1>
        <p>Thank you: your answers for today are saved. You will be asked again when it is next due.</p>
        <div class="row">
          <a class="button primary" href="#/today">
            Back to today
          </a>
          <button type="button" class="quiet" onClick={() => setAgain(true)}>
            Change my answers
          </button>
        </div>
        <a class="small" href="#/progress">
          See it on Progress
        </a>
      </main>
    )
  }
  return (
    <main id="main">
      <QuestionnaireRunner q={q} date={date} doneLabel="Back to today" onDone={back} onLeave={back} />
    </main>
  )
}
