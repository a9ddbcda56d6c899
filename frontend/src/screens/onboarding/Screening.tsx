import { useEffect, useState } from 'preact/hooks'
import { levelAtLeast } from '../../safety'
import { loadScreening, saveScreening, screeningAdvice, type ScreeningState } from '../../screening'
import type { SafetyAnswer, SafetyRule } from '../../types'
import { useLive } from '../../ui/hooks'

/** One history question: two large buttons (radio inputs underneath, for keyboards and screen readers). */
function YesNo({ rule, value, onChange }: { rule: SafetyRule; value: boolean | undefined; onChange: (yes: boolean) => void }) {
  const name = `screening-${rule.id}`
  return (
    <fieldset class="yesno" data-rule={rule.id}>
      <legend>{rule.question}</legend>
      <div class="yesno-choices">
        <label class={value === true ? 'chosen' : undefined}>
          <input type="radio" name={name} checked={value === true} onChange={() => onChange(true)} />
          Yes
        </label>
        <label class={value === false ? 'chosen' : undefined}>
          <input type="radio" name={name} checked={value === false} onChange={() => onChange(false)} />
          No
        </label>
      </div>
    </fieldset>
  )
}

/** What the answers mean, said kindly; a history worth checking never stops a gentle start. */
export function ScreeningAdvice({ answer }: { answer: SafetyAnswer }) {
  if (answer.level === 'none') {
    return (
      <div class="notice ok" role="status" data-testid="screening-advice">
        <p>
          <b>Thank you.</b> Nothing in your answers needs a visit before you start. If anything changes, the daily
          check-in will ask.
        </p>
      </div>
    )
  }
  return (
    <div class={`notice ${levelAtLeast(answer.level, 'urgent') ? 'danger' : 'warn'}`} role="status" data-testid="screening-advice">
      <p>
        <b>{answer.title}</b>
      </p>
      <p>{answer.message}</p>
      {answer.level === 'see_doctor' && (
        <p>
          This does not mean something is wrong. You can still start gently now: choose an easy program, and stop any
          exercise that makes the pain worse.
        </p>
      )}
    </div>
  )
}

/**
 * The history questions (asked once) with Yes/No answers. Saved on the phone first and
 * sent when there is a connection; `onSaved` gets what the answers mean (the server's
 * reading if it came back, the cached rules' otherwise).
 */
export function ScreeningForm({
  rules,
  submitLabel,
  onSaved,
}: {
  rules: SafetyRule[]
  submitLabel: string
  onSaved?: (answer: SafetyAnswer) => void
}) {
  const stored = useLive<ScreeningState | undefined>(loadScreening, ['cache:screening'])
  const [answers, setAnswers] = useState<Record<string, boolean>>({})
  const [touched, setTouched] = useState(false)
  const [saved, setSaved] = useState<string>()
  useEffect(() => {
    if (stored && !touched) setAnswers(stored.answers)
  }, [stored])
  const missing = rules.filter((rule) => answers[rule.id] === undefined).length
  const submit = async (event: Event) => {
    event.preventDefault()
    if (missing > 0) return
    const chosen = Object.fromEntries(rules.map((rule) => [rule.id, answers[rule.id]]))
    const state = await saveScreening(chosen)
    setTouched(false)
    setSaved(state.saved_at)
    onSaved?.(screeningAdvice(rules, chosen))
  }
  // The server's reading of exactly these answers, once it has them.
  const current = saved && stored?.saved_at === saved ? stored : undefined
  return (
    <form onSubmit={submit} class="screening">
      {rules.map((rule) => (
        <YesNo
          key={rule.id}
          rule={rule}
          value={answers[rule.id]}
          onChange={(yes) => {
            setTouched(true)
            setSaved(undefined)
            setAnswers({ ...answers, [rule.id]: yes })
          }}
        />
      ))}
      <p class="hint" aria-live="polite">
        {missing > 0 ? `${missing} of ${rules.length} still to answer.` : 'All answered. Thank you.'}
      </p>
      <button type="submit" class="primary wide" disabled={missing > 0}>
        {submitLabel}
      </button>
      {current && !onSaved && (
        <>
          <p role="status" class="small">
            {current.pending ? 'Saved on this phone. It will be sent when you are back online.' : 'Saved.'}
          </p>
          <ScreeningAdvice answer={current.answer ?? screeningAdvice(rules, current.answers)} />
        </>
      )}
    </form>
  )
}
