// What a clinician the patient lets prescribe can change: the week's plan ("Change
// dose", "Not for this patient"), exercises added from the catalog, the pain rule, and
// what was set aside. Without the permission the plan is shown read-only. A write the
// patient refuses meanwhile (403: they turned the permission off) or that finds the
// sharing ended (404) says so next to the form and keeps everything typed in it.
import { useContext, useEffect, useRef, useState } from 'preact/hooks'
import * as api from '../../api'
import type {
  AdaptedPatientProfile,
  Exclusion,
  Illustration as Picture,
  PainRule,
  PainRuleFields,
  Prescription,
  RxFields,
  RxRow,
} from '../../types'
import { Illustration } from '../../ui/Illustration'
import { type CatalogExercise, KIND_NAMES, loadCatalog, searchExercises } from './catalog'
import {
  DAY_NAMES,
  DAY_SHORT,
  type DoseForm,
  doseFields,
  doseText,
  EVERY_DAY,
  type FormField,
  formFromPrescription,
  hasSides,
  prescriptionFromForm,
  serverErrors,
  TIMES_OF_DAY,
  timeOfDayName,
  weekdaysText,
  weekdaysValue,
} from './dose'
import { flareDays, type PlanRow, planRows, rowDays, weekday } from './plan'
import { programDetail } from './pictures'
import { Actions, Problem, useRemote } from './remote'

function when(instant: string): string {
  return new Date(instant).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/**
 * A refused write in plain words. The patient decides what a clinician may do: a 403
 * here means they turned "prescribe" off since the page was read.
 */
function WriteProblem({ error, what }: { error: unknown; what: string }) {
  const { recheck } = useContext(Actions)
  const forbidden = error instanceof api.ApiError && error.status === 403
  // A 403 may also mean the authenticator is gone: asked quietly, the screen changes only then.
  useEffect(() => {
    if (forbidden) recheck()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [forbidden])
  if (forbidden) {
    return (
      <p class="notice warn" role="alert">
        The patient no longer lets you change their plan, so {what} was not saved and nothing changed for them. What
        you typed is kept here. They can allow it again in their Settings: "Your care team", then "Change my plan".
      </p>
    )
  }
  if (error instanceof api.ApiError && error.status === 404) {
    return (
      <p class="notice" role="alert">
        The sharing with this patient has ended, so {what} was not saved. They can share a new code with you.
      </p>
    )
  }
  if (error instanceof api.OfflineError) {
    return (
      <p class="notice warn" role="alert">
        You are offline, so {what} was not saved. What you typed is kept here: try again when you are back online.
      </p>
    )
  }
  return <Problem error={error} what={what} />
}

/**
 * The first picture of an exercise (its start position), small. Its name is always
 * written beside it, so the picture is not read out again (nor named in a button).
 */
function Thumb({ pictures }: { pictures?: Picture[] }) {
  const picture = pictures?.[0]
  return picture ? <Illustration picture={{ ...picture, alt: '' }} extraClass="thumb" /> : <span class="thumb-space" aria-hidden="true" />
}

function SetByBadge({ name }: { name: string }) {
  return <span class="badge badge-set-by">Set by {name}</span>
}

// --- The editor ----------------------------------------------------------------

/** What the editor opens with: a new exercise, a program item's dose, or a prescription. */
export interface Draft {
  /** Changes each time the editor opens, so it starts from this draft. */
  id: number
  mode: 'add' | 'change' | 'edit'
  exercise?: CatalogExercise['exercise']
  /** The program item a "change" replaces (kept when editing such a prescription). */
  replaces: string | null
  rxId?: number
  time_of_day: string
  weekdays: number[] | null
  prescription: Prescription
  note: string
}

function ExercisePicker({ excluded, onPick }: { excluded: Set<string>; onPick: (entry: CatalogExercise) => void }) {
  const catalog = useRemote(loadCatalog, [])
  const [query, setQuery] = useState('')
  const found = searchExercises(catalog.data ?? [], query).filter((entry) => !excluded.has(entry.exercise.slug))
  return (
    <div class="picker">
      <div class="field">
        <label for="rx-search">Find an exercise</label>
        <input
          id="rx-search"
          type="search"
          autocomplete="off"
          value={query}
          aria-describedby="rx-search-count"
          onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
        />
        <p class="hint" id="rx-search-count" aria-live="polite">
          {catalog.data ? `${found.length} ${found.length === 1 ? 'exercise' : 'exercises'}` : ''}
          {excluded.size > 0 ? '. Those set aside for this patient are not listed.' : ''}
        </p>
      </div>
      {catalog.error !== undefined && <Problem error={catalog.error} what="the exercise catalog" />}
      {!catalog.data && catalog.loading && <p aria-busy="true">Loading the catalog…</p>}
      <ul class="plain picker-list" aria-label="Exercises">
        {found.map((entry) => (
          <li key={entry.exercise.slug}>
            <button type="button" class="pick" onClick={() => onPick(entry)}>
              <Thumb pictures={entry.exercise.illustrations} />
              <span class="pick-text">
                <b>{entry.exercise.name}</b>
                <span class="small muted">
                  {KIND_NAMES[entry.exercise.kind ?? ''] ?? entry.exercise.kind}
                  {entry.exercise.summary ? ` · ${entry.exercise.summary}` : ''}
                </span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}

function DoseFields({
  kind,
  form,
  onForm,
  errors,
}: {
  kind: string | undefined
  form: DoseForm
  onForm: (form: DoseForm) => void
  errors: Partial<Record<FormField, string>>
}) {
  return (
    <fieldset class="compact dose-fields" aria-describedby={errors.dose ? 'rx-dose-error' : undefined}>
      <legend>Dose</legend>
      <div class="dose-row">
        {doseFields(kind).map((field) => {
          const id = `rx-${field.key}`
          const error = errors[field.key]
          return (
            <div class="field dose-field" key={field.key}>
              <label for={id}>
                {field.label}
                {!field.required && <span class="muted small"> (optional)</span>}
              </label>
              <span class="with-unit">
              <input
                id={id}
                type="text"
                inputMode={field.minutes ? 'decimal' : 'numeric'}
                autocomplete="off"
                required={field.required}
                value={form.values[field.key] ?? ''}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby={error ? `${id}-error` : undefined}
                onInput={(e) => onForm({ ...form, values: { ...form.values, [field.key]: (e.currentTarget as HTMLInputElement).value } })}
              />
              {field.unit && <span class="unit" aria-hidden="true">{field.unit}</span>}
              </span>
              {error && (
                <p class="error" id={`${id}-error`}>
                  {error}
                </p>
              )}
            </div>
          )
        })}
      </div>
      {hasSides(kind) && (
        <label class="choice">
          <input type="checkbox" checked={form.per_side} onChange={() => onForm({ ...form, per_side: !form.per_side })} />
          Each side (left and right)
        </label>
      )}
      {errors.dose && (
        <p class="error" id="rx-dose-error">
          {errors.dose}
        </p>
      )}
    </fieldset>
  )
}

function Editor({
  patientId,
  draft,
  excluded,
  onSaved,
  onCancel,
}: {
  patientId: number
  draft: Draft
  excluded: Set<string>
  onSaved: (message: string) => void
  onCancel: () => void
}) {
  const [exercise, setExercise] = useState(draft.exercise)
  const [form, setForm] = useState<DoseForm>(formFromPrescription(draft.exercise?.kind, draft.prescription))
  const [timeOfDay, setTimeOfDay] = useState(draft.time_of_day)
  const [days, setDays] = useState<number[]>(draft.weekdays ?? EVERY_DAY)
  const [note, setNote] = useState(draft.note)
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({})
  const [problem, setProblem] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [draft.id])

  const pick = (entry: CatalogExercise) => {
    setExercise(entry.exercise)
    setForm(formFromPrescription(entry.exercise.kind, entry.dose))
    setTimeOfDay(entry.time_of_day)
    setErrors({})
  }
  const toggleDay = (day: number) =>
    setDays((list) => (list.includes(day) ? list.filter((d) => d !== day) : [...list, day].sort((a, b) => a - b)))

  const save = async (event: Event) => {
    event.preventDefault()
    setProblem(undefined)
    if (!exercise) {
      setErrors({ exercise: 'Choose an exercise from the list first.' })
      return
    }
    const dose = prescriptionFromForm(exercise.kind, form)
    const found: Partial<Record<FormField, string>> = dose.ok ? {} : { ...dose.errors }
    if (days.length === 0) found.weekdays = 'Choose at least one day.'
    setErrors(found)
    if (!dose.ok || Object.keys(found).length > 0) return
    const fields: RxFields = {
      exercise: exercise.slug,
      time_of_day: timeOfDay,
      weekdays: weekdaysValue(days),
      prescription: dose.prescription,
      replaces: draft.replaces,
      note: note.trim(),
    }
    setBusy(true)
    try {
      if (draft.rxId !== undefined) await api.updatePrescription(patientId, draft.rxId, fields)
      else await api.addPrescription(patientId, fields)
      const words = doseText(dose.prescription)
      onSaved(
        draft.mode === 'add'
          ? `${exercise.name} added to the patient's plan${words ? `: ${words}` : ''}.`
          : `${exercise.name} changed${words ? ` to ${words}` : ''}.`,
      )
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 400) {
        const fromServer = serverErrors(error.body)
        setErrors(fromServer)
        if (fromServer.other) setProblem(new Error(fromServer.other))
      } else {
        setProblem(error)
      }
    } finally {
      setBusy(false)
    }
  }

  const title =
    draft.mode === 'add' ? 'Add an exercise' : draft.mode === 'change' ? `Change the dose of ${exercise?.name ?? ''}` : `Edit ${exercise?.name ?? ''}`
  return (
    <form class="rx-editor card" aria-labelledby="rx-editor-title" onSubmit={(e) => void save(e)} noValidate>
      <h3 id="rx-editor-title" tabIndex={-1} ref={heading}>
        {title}
      </h3>
      {draft.mode === 'change' && (
        <p class="small muted">
          For this patient only: the program's item keeps its place in their plan and their logs, and takes this dose,
          time and days. Removing the change later brings back the program's own dose.
        </p>
      )}
      {exercise ? (
        <div class="chosen">
          <Thumb pictures={exercise.illustrations} />
          <div>
            <b>{exercise.name}</b>
            <p class="small muted">{KIND_NAMES[exercise.kind ?? ''] ?? exercise.kind}</p>
            {draft.mode === 'add' && (
              <button type="button" class="quiet" onClick={() => setExercise(undefined)}>
                Choose another exercise
              </button>
            )}
          </div>
        </div>
      ) : (
        <>
          <ExercisePicker excluded={excluded} onPick={pick} />
          {errors.exercise && <p class="error">{errors.exercise}</p>}
        </>
      )}
      {exercise && (
        <>
          {errors.exercise && <p class="error">{errors.exercise}</p>}
          <DoseFields kind={exercise.kind} form={form} onForm={setForm} errors={errors} />
          <div class="field">
            <label for="rx-time">Time of day</label>
            <select
              id="rx-time"
              value={timeOfDay}
              aria-invalid={errors.time_of_day ? 'true' : undefined}
              aria-describedby={errors.time_of_day ? 'rx-time-error' : undefined}
              onChange={(e) => setTimeOfDay((e.currentTarget as HTMLSelectElement).value)}
            >
              {TIMES_OF_DAY.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
            {errors.time_of_day && (
              <p class="error" id="rx-time-error">
                {errors.time_of_day}
              </p>
            )}
          </div>
          <fieldset class="compact" aria-describedby={errors.weekdays ? 'rx-days-error' : 'rx-days-hint'}>
            <legend>Days</legend>
            <div class="days">
              {DAY_SHORT.map((day, n) => (
                <label class="day" key={day}>
                  <input type="checkbox" checked={days.includes(n)} onChange={() => toggleDay(n)} />
                  <span aria-hidden="true">{day}</span>
                  <span class="visually-hidden">{DAY_NAMES[n]}</span>
                </label>
              ))}
            </div>
            {errors.weekdays ? (
              <p class="error" id="rx-days-error">
                {errors.weekdays}
              </p>
            ) : (
              <p class="hint" id="rx-days-hint">
                {weekdaysText(weekdaysValue(days))}
              </p>
            )}
          </fieldset>
          <div class="field">
            <label for="rx-note">Note the patient will see (optional)</label>
            <textarea
              id="rx-note"
              maxLength={1000}
              value={note}
              aria-invalid={errors.note ? 'true' : undefined}
              aria-describedby={errors.note ? 'rx-note-error' : 'rx-note-hint'}
              onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
            />
            {errors.note ? (
              <p class="error" id="rx-note-error">
                {errors.note}
              </p>
            ) : (
              <p class="hint" id="rx-note-hint">
                Shown with the exercise on their phone, with your name.
              </p>
            )}
          </div>
          {errors.replaces && <p class="error">{errors.replaces}</p>}
        </>
      )}
      {problem !== undefined && <WriteProblem error={problem} what="this change" />}
      <div class="row">
        {exercise && (
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : draft.mode === 'add' ? 'Add to their plan' : 'Save the change'}
          </button>
        )}
        <button type="button" class="quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}

// --- The week's plan -------------------------------------------------------------

function PlanRowView({
  row,
  canPrescribe,
  onChange,
  onSetAside,
}: {
  row: PlanRow
  canPrescribe: boolean
  onChange: (row: PlanRow) => void
  onSetAside: (row: PlanRow) => void
}) {
  const { item } = row
  const dose = doseText(item.prescription)
  return (
    <li class="plan-row" data-item={row.key}>
      <Thumb pictures={item.exercise.illustrations} />
      <div class="plan-main">
        <p class="plan-name">
          <b>{item.exercise.name}</b>
          {item.prescribed_by && <SetByBadge name={item.prescribed_by.name} />}
          {item.optional && <span class="chip">Extra, beyond their daily time</span>}
        </p>
        <p class="dose">
          {dose || 'No dose'}
          {row.later ? `; ${doseText(row.later.prescription)} from ${DAY_SHORT[weekday(row.later.date)]}` : ''}
          {' · '}
          {timeOfDayName(item.time_of_day)} · {rowDays(row)}
        </p>
        {item.note && <p class="small rx-note">Note for the patient: “{item.note}”</p>}
        {item.progression && item.progression.state !== 'start' && item.progression.reason && (
          <p class={`small progression progression-${item.progression.state}`}>{item.progression.reason}</p>
        )}
      </div>
      {canPrescribe && (
        <div class="plan-actions">
          <button type="button" aria-label={`Change dose of ${item.exercise.name}`} onClick={() => onChange(row)}>
            Change dose
          </button>
          <button type="button" class="quiet" aria-label={`Not for this patient: ${item.exercise.name}`} onClick={() => onSetAside(row)}>
            Not for this patient
          </button>
        </div>
      )}
    </li>
  )
}


function SetAside({
  patientId,
  row,
  onDone,
  onCancel,
}: {
  patientId: number
  row: PlanRow
  onDone: (message: string) => void
  onCancel: () => void
}) {
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const name = row.item.exercise.name
  const confirm = async () => {
    setBusy(true)
    setProblem(undefined)
    try {
      await api.excludeExercise(patientId, row.item.exercise.slug, reason.trim())
      onDone(`${name} is set aside: it leaves every day of the patient's plan, and the rest still fits their time.`)
    } catch (error) {
      setProblem(error)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="card set-aside" role="group" aria-labelledby="set-aside-title">
      <h3 id="set-aside-title">Set {name} aside for this patient?</h3>
      <p class="small muted">It stops appearing in their plan, from every program and prescription. You can bring it back later.</p>
      <div class="field">
        <label for="set-aside-reason">Why (optional, the patient sees it)</label>
        <input id="set-aside-reason" type="text" maxLength={200} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
      </div>
      {problem !== undefined && <WriteProblem error={problem} what="setting it aside" />}
      <div class="row">
        <button type="button" class="primary" disabled={busy} onClick={() => void confirm()}>
          {busy ? 'Saving…' : 'Set aside'}
        </button>
        <button type="button" class="quiet" onClick={onCancel}>
          Keep it
        </button>
      </div>
    </div>
  )
}

// --- Prescriptions, the pain rule, what was set aside ------------------------------

function Prescriptions({
  patientId,
  rows,
  onEdit,
  onChanged,
}: {
  patientId: number
  rows: RxRow[]
  onEdit: (rx: RxRow) => void
  onChanged: (message: string) => void
}) {
  const [problem, setProblem] = useState<{ id: number; error: unknown }>()
  const remove = async (rx: RxRow) => {
    setProblem(undefined)
    try {
      await api.endPrescription(patientId, rx.id)
      onChanged(
        rx.replaces
          ? `${rx.exercise_title} is back to its program's dose.`
          : `${rx.exercise_title} is removed from the patient's plan. It stays in the history.`,
      )
    } catch (error) {
      setProblem({ id: rx.id, error })
    }
  }
  if (rows.length === 0) return <p class="small muted">Nothing prescribed yet: the plan is their programs' own.</p>
  return (
    <ul class="plain" aria-label="What you and other clinicians prescribed">
      {rows.map((rx) => (
        <li key={rx.id} class="rx-row">
          <div>
            <p>
              <b>{rx.exercise_title}</b> <SetByBadge name={rx.set_by.name} />
            </p>
            <p class="dose">
              {doseText(rx.prescription) || 'No dose'} · {timeOfDayName(rx.time_of_day)} · {weekdaysText(rx.weekdays)}
              {rx.replaces ? ' · instead of the program’s dose' : ' · added to their programs'}
            </p>
            {rx.note && <p class="small rx-note">Note for the patient: “{rx.note}”</p>}
            <p class="small muted">Last changed {when(rx.updated_at)}</p>
          </div>
          <div class="plan-actions">
            <button type="button" aria-label={`Edit ${rx.exercise_title}`} onClick={() => onEdit(rx)}>
              Edit
            </button>
            <button
              type="button"
              class="quiet"
              aria-label={`${rx.replaces ? 'Back to the program dose' : 'Remove'}: ${rx.exercise_title}`}
              onClick={() => void remove(rx)}
            >
              {rx.replaces ? 'Back to the program dose' : 'Remove'}
            </button>
          </div>
          {problem?.id === rx.id && <WriteProblem error={problem.error} what="the change" />}
        </li>
      ))}
    </ul>
  )
}

const DEFAULT_RULE: PainRuleFields = { during_max: 5, morning_rise_max: 0, regress_after: 2 }

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, n) => from + n)
}

/** The pain-monitoring model's limits for this patient (Silbernagel et al. 2007). */
function PainRuleEditor({
  patientId,
  rule,
  canPrescribe,
  onSaved,
}: {
  patientId: number
  rule: PainRule | undefined
  canPrescribe: boolean
  onSaved: () => void
}) {
  const [fields, setFields] = useState<PainRuleFields>(rule ? pick(rule) : DEFAULT_RULE)
  const [errors, setErrors] = useState<Partial<Record<keyof PainRuleFields, string>>>({})
  const [problem, setProblem] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState('')
  const save = async (next: PainRuleFields, message: string) => {
    setBusy(true)
    setProblem(undefined)
    setErrors({})
    setDone('')
    try {
      const saved = await api.setPainRule(patientId, next)
      setFields(pick(saved))
      setDone(message)
      onSaved()
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 400) {
        setErrors({
          during_max: api.fieldError(error, 'during_max'),
          morning_rise_max: api.fieldError(error, 'morning_rise_max'),
          regress_after: api.fieldError(error, 'regress_after'),
        })
      }
      setProblem(error)
    } finally {
      setBusy(false)
    }
  }
  const select = (key: keyof PainRuleFields, label: string, options: number[], words: (n: number) => string) => (
    <div class="field">
      <label for={`rule-${key}`}>{label}</label>
      <select
        id={`rule-${key}`}
        disabled={!canPrescribe}
        value={String(fields[key])}
        aria-invalid={errors[key] ? 'true' : undefined}
        aria-describedby={errors[key] ? `rule-${key}-error` : undefined}
        onChange={(e) => setFields({ ...fields, [key]: Number((e.currentTarget as HTMLSelectElement).value) })}
      >
        {options.map((n) => (
          <option key={n} value={n}>
            {words(n)}
          </option>
        ))}
      </select>
      {errors[key] && (
        <p class="error" id={`rule-${key}-error`}>
          {errors[key]}
        </p>
      )}
    </div>
  )
  const isDefault =
    fields.during_max === DEFAULT_RULE.during_max &&
    fields.morning_rise_max === DEFAULT_RULE.morning_rise_max &&
    fields.regress_after === DEFAULT_RULE.regress_after
  const fieldShown = Object.values(errors).some(Boolean)
  const problemShown = problem !== undefined && !fieldShown
  return (
    <section class="card" aria-labelledby="rule-title">
      <h2 id="rule-title">Pain rule</h2>
      <p>
        How their exercise doses move. Pain up to {fields.during_max}/10 during or right after a session is fine; if
        the next morning’s pain is {fields.morning_rise_max === 0 ? 'any' : `more than ${fields.morning_rise_max} point${fields.morning_rise_max === 1 ? '' : 's'}`}{' '}
        higher than usual, the dose stays where it is, and after {fields.regress_after} such{' '}
        {fields.regress_after === 1 ? 'response' : 'responses'} it steps back a week.
      </p>
      <p class="small muted">
        The pain-monitoring model (Silbernagel et al. 2007, Am J Sports Med): the default is 5/10, no rise by the next
        morning, and a step back after 2 bad responses.
        {rule && !rule.is_default && rule.set_by ? ` Set by ${rule.set_by.name}${rule.updated_at ? `, ${when(rule.updated_at)}` : ''}.` : ''}
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void save(fields, 'Pain rule saved. The plan follows it from the next session.')
        }}
      >
        <div class="rule-fields">
          {select('during_max', 'Pain during or right after, at most', range(0, 10), (n) => `${n} of 10`)}
          {select('morning_rise_max', 'Next morning, a rise of at most', range(0, 5), (n) => (n === 0 ? 'no rise' : `${n} point${n === 1 ? '' : 's'}`))}
          {select('regress_after', 'Step back a week after', range(1, 5), (n) => `${n} bad ${n === 1 ? 'response' : 'responses'}`)}
        </div>
        {problemShown && <WriteProblem error={problem} what="the pain rule" />}
        {canPrescribe ? (
          <div class="row">
            <button type="submit" class="primary" disabled={busy}>
              Save the pain rule
            </button>
            <button
              type="button"
              class="quiet"
              disabled={busy || isDefault}
              onClick={() => void save(DEFAULT_RULE, 'Pain rule reset to the default.')}
            >
              Reset to default
            </button>
          </div>
        ) : (
          <p class="small muted">The patient can let you change it from their Settings.</p>
        )}
        <p role="status" class="small">
          {done}
        </p>
      </form>
    </section>
  )
}

function pick(rule: PainRule): PainRuleFields {
  return { during_max: rule.during_max, morning_rise_max: rule.morning_rise_max, regress_after: rule.regress_after }
}

function SetAsideList({
  patientId,
  rows,
  canPrescribe,
  onChanged,
  done,
}: {
  patientId: number
  rows: Exclusion[]
  canPrescribe: boolean
  onChanged: (message: string) => void
  done: string
}) {
  const [problem, setProblem] = useState<{ slug: string; error: unknown }>()
  const bringBack = async (row: Exclusion) => {
    setProblem(undefined)
    try {
      await api.includeExercise(patientId, row.exercise)
      onChanged(`${row.exercise_title} is back in the patient's plan.`)
    } catch (error) {
      setProblem({ slug: row.exercise, error })
    }
  }
  return (
    <section class="card" aria-labelledby="set-aside-list-title">
      <h2 id="set-aside-list-title">Not for this patient</h2>
      {rows.length === 0 ? (
        <p class="small muted">
          Nothing set aside.{canPrescribe ? ' Use “Not for this patient” on an exercise of their plan.' : ''}
        </p>
      ) : (
        <ul class="plain">
          {rows.map((row) => (
            <li key={row.exercise} class="rx-row">
              <div>
                <p>
                  <b>{row.exercise_title}</b>
                </p>
                <p class="small muted">
                  Set aside by {row.by === 'patient' ? 'the patient' : row.by_name}, {row.created_at ? when(row.created_at) : ''}
                  {row.reason ? `: “${row.reason}”` : ''}
                </p>
              </div>
              {canPrescribe && row.by === 'clinician' && (
                <div class="plan-actions">
                  <button type="button" class="quiet" aria-label={`Bring back ${row.exercise_title}`} onClick={() => void bringBack(row)}>
                    Bring back
                  </button>
                </div>
              )}
              {problem?.slug === row.exercise && <WriteProblem error={problem.error} what="bringing it back" />}
            </li>
          ))}
        </ul>
      )}
      {rows.some((row) => row.by === 'patient') && (
        <p class="small muted">What the patient set aside, only they can bring back.</p>
      )}
      <p role="status" class="small">
        {done}
      </p>
    </section>
  )
}

// --- The whole area ----------------------------------------------------------------

let drafts = 0

/** Which card says that a change worked. */
type Where = 'plan' | 'rx' | 'rule' | 'aside'

/**
 * The patient's week and, with their permission, the prescription editor. `onChanged`
 * re-reads the patient page after a write that worked (history, lists).
 */
export function PlanAndPrescriptions({ patient, onChanged }: { patient: AdaptedPatientProfile; onChanged: () => void }) {
  const canPrescribe = patient.scopes.includes('prescribe')
  const [version, setVersion] = useState(0)
  const plan = useRemote(() => api.getPatientPlan(patient.id, 7), [patient.id, version])
  const [draft, setDraft] = useState<Draft>()
  const [settingAside, setSettingAside] = useState<PlanRow>()
  const [done, setDone] = useState<{ text: string; where: Where }>({ text: '', where: 'plan' })
  const prescriptions = patient.prescriptions ?? []
  const exclusions = patient.exclusions ?? []
  const excluded = new Set(exclusions.map((e) => e.exercise))
  const editorPlace = useRef<HTMLDivElement>(null)

  const changed = (text: string, where: Where) => {
    setDraft(undefined)
    setSettingAside(undefined)
    setDone({ text, where })
    setVersion((v) => v + 1)
    onChanged()
  }
  const open = (next: Omit<Draft, 'id'>) => {
    setDone({ text: '', where: 'plan' })
    setSettingAside(undefined)
    setDraft({ ...next, id: ++drafts })
    requestAnimationFrame(() => editorPlace.current?.scrollIntoView({ block: 'start', behavior: 'smooth' }))
  }
  const editRx = (rx: RxRow, exercise?: CatalogExercise['exercise']) =>
    open({
      mode: rx.replaces ? 'change' : 'edit',
      exercise: exercise ?? { slug: rx.exercise, name: rx.exercise_title, steps: [], cautions: [] },
      replaces: rx.replaces,
      rxId: rx.id,
      time_of_day: rx.time_of_day,
      weekdays: rx.weekdays,
      prescription: rx.prescription,
      note: rx.note,
    })
  // A prescription names its exercise by slug: its kind and pictures come from the catalog.
  const editWithCatalog = (rx: RxRow) =>
    loadCatalog().then(
      (catalog) => editRx(rx, catalog.find((entry) => entry.exercise.slug === rx.exercise)?.exercise),
      () => editRx(rx),
    )
  const change = async (row: PlanRow) => {
    if (row.rx) {
      editRx(row.rx, row.item.exercise)
      return
    }
    // The program's own days (a flare or a short window hides some of them in the week read).
    const [program, key] = (row.replaces ?? '').split(':')
    const detail = program ? await programDetail(program) : undefined
    const planned = detail?.schedule.flatMap((week) => week.items).find((i) => i.key === key)?.weekdays
    const fallback = [...new Set([...row.weekdays, ...flare.map(weekday)])]
    const days = planned ? (planned.length === 0 ? null : planned) : fallback.length === 7 ? null : fallback
    open({
      mode: 'change',
      exercise: row.item.exercise,
      replaces: row.replaces ?? null,
      time_of_day: row.item.time_of_day,
      weekdays: days,
      prescription: row.item.prescription,
      note: '',
    })
  }

  const days = plan.data?.days ?? []
  const rows = planRows(days, prescriptions)
  const flare = flareDays(days)
  const held = days.some((day) => day.safety_hold)
  return (
    <>
      <section class="card" aria-labelledby="plan-title">
        <h2 id="plan-title">Their plan, next 7 days</h2>
        <p class="small muted">
          As their phone shows it, from their today. Items marked “Set by” are prescribed; the rest come from their
          programs.
        </p>
        {held && (
          <p class="notice warn">
            <span class="badge badge-calm">Plan on hold</span> A safety hold pauses these exercises until it is released.
          </p>
        )}
        {flare.length > 0 && (
          <p class="notice">
            <span class="badge badge-calm">Flare-up</span> On {flare.map((d) => DAY_SHORT[weekday(d)]).join(', ')} they follow the short flare plan; the plan below is paused then.
          </p>
        )}
        {plan.error !== undefined && <Problem error={plan.error} what="their plan" />}
        {!plan.data && plan.loading && <p aria-busy="true">Loading their plan…</p>}
        {plan.data && rows.length === 0 && <p>Nothing planned in these days.</p>}
        {rows.length > 0 && (
          <ul class="plain plan-rows" aria-label="Planned exercises">
            {rows.map((row) => (
              <PlanRowView key={row.key} row={row} canPrescribe={canPrescribe} onChange={(r) => void change(r)} onSetAside={(r) => {
                  setDraft(undefined)
                  setDone({ text: '', where: 'plan' })
                  setSettingAside(r)
                }}
              />
            ))}
          </ul>
        )}
        {settingAside && (
          <SetAside
            key={settingAside.key}
            patientId={patient.id}
            row={settingAside}
            onDone={(text) => changed(text, 'plan')}
            onCancel={() => setSettingAside(undefined)}
          />
        )}
        <p role="status" class="small">
          {done.where === 'plan' ? done.text : ''}
        </p>
      </section>

      <section class="card" aria-labelledby="rx-title">
        <h2 id="rx-title">Prescriptions</h2>
        {canPrescribe ? (
          <>
            <Prescriptions patientId={patient.id} rows={prescriptions} onEdit={(rx) => void editWithCatalog(rx)} onChanged={(text) => changed(text, 'rx')} />
            <div ref={editorPlace} class="editor-place">
              {draft ? (
                <Editor key={draft.id} patientId={patient.id} draft={draft} excluded={excluded} onSaved={(text) => changed(text, 'rx')} onCancel={() => setDraft(undefined)} />
              ) : (
                <button
                  type="button"
                  class="primary"
                  onClick={() =>
                    open({ mode: 'add', replaces: null, time_of_day: 'morning', weekdays: null, prescription: {}, note: '' })
                  }
                >
                  Add an exercise
                </button>
              )}
            </div>
            <p role="status" class="small">
              {done.where === 'rx' ? done.text : ''}
            </p>
          </>
        ) : (
          <>
            <p>
              The patient has not allowed you to change their plan. They can allow it from their Settings, under “Share
              with a clinician”; you then add exercises, change doses and set the pain rule here.
            </p>
            {prescriptions.length > 0 && (
              <ul class="plain" aria-label="Prescribed before">
                {prescriptions.map((rx) => (
                  <li key={rx.id}>
                    <b>{rx.exercise_title}</b> <SetByBadge name={rx.set_by.name} />: {doseText(rx.prescription)} ·{' '}
                    {timeOfDayName(rx.time_of_day)} · {weekdaysText(rx.weekdays)}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </section>

      <PainRuleEditor
        key={`rule-${canPrescribe}`}
        patientId={patient.id}
        rule={patient.pain_rule}
        canPrescribe={canPrescribe}
        onSaved={() => changed('', 'rule')}
      />
      <SetAsideList
        patientId={patient.id}
        rows={exclusions}
        canPrescribe={canPrescribe}
        onChanged={(text) => changed(text, 'aside')}
        done={done.where === 'aside' ? done.text : ''}
      />
    </>
  )
}
