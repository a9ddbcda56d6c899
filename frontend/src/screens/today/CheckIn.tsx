import { Fragment } from 'preact'
import { useMemo, useState } from 'preact/hooks'
import { SupportOffer } from '../../ui/SupportOffer'
import { cachedMe, cachedRules } from '../../data'
import { emergencyCall, noteCheckin } from '../../hold'
import { findEntry } from '../../merge'
import { recordCheckin } from '../../outbox'
import { evaluate, levelAtLeast } from '../../safety'
import type { CheckinData, LocalEntry, Me, PainArea, SafetyRule } from '../../types'
import { CallButton } from '../../ui/Call'
import { useDraft, useLive } from '../../ui/hooks'
import { Slider } from '../../ui/Slider'
import { Sources } from '../../ui/Sources'
import { addOwn, cachedFactors, chipsFor, FACTORS_KEY, MAX_FACTORS, MAX_LABEL, toggle as toggleFactor, withFactors } from '../../factors'
import type { Factor } from '../../types'

/** "What weighed on today?": optional, one tap a chip, and the person's own words. */
function Factors({ chosen, onChange }: { chosen: string[]; onChange: (chosen: string[]) => void }) {
  const chips = useLive<Factor[]>(cachedFactors, [`cache:${FACTORS_KEY}`]) ?? []
  const [adding, setAdding] = useState(false)
  const [typed, setTyped] = useState('')
  const [error, setError] = useState('')
  const shown = chipsFor(chips, chosen)
  const isOn = (slug: string) => chosen.some((c) => c.toLowerCase() === slug.toLowerCase())
  const add = () => {
    const result = addOwn(chosen, typed, chips)
    if (result.error) return setError(result.error)
    onChange(result.chosen)
    setTyped('')
    setError('')
    setAdding(false)
  }
  return (
    <fieldset class="factors" data-testid="factors">
      <legend>What weighed on today?</legend>
      <p class="hint">Optional. Tap any that fit.</p>
      <div class="factor-chips">
        {shown.map((f) => (
          <button
            type="button"
            key={f.slug}
            class={`factor-chip${f.custom ? ' is-own' : ''}`}
            aria-pressed={isOn(f.slug)}
            data-factor={f.slug}
            disabled={!isOn(f.slug) && chosen.length >= MAX_FACTORS}
            onClick={() => onChange(toggleFactor(chosen, f.slug))}
          >
            {isOn(f.slug) && <span aria-hidden="true">✓ </span>}
            {f.label}
          </button>
        ))}
        {!adding && (
          <button type="button" class="factor-chip add" onClick={() => setAdding(true)}>
            + Add your own
          </button>
        )}
      </div>
      {adding && (
        <div class="factor-add">
          <label for="factor-own">In your own words</label>
          <div class="row">
            <input
              id="factor-own"
              type="text"
              maxLength={MAX_LABEL}
              value={typed}
              enterKeyHint="done"
              onInput={(e) => {
                setTyped((e.currentTarget as HTMLInputElement).value)
                setError('')
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault()
                  add()
                }
              }}
            />
            <button type="button" onClick={add}>
              Add
            </button>
          </div>
          {error && (
            <p class="field-error small" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
      {chosen.length >= MAX_FACTORS && <p class="hint">That is the most for one day ({MAX_FACTORS}).</p>}
    </fieldset>
  )
}

const AREAS: [PainArea, string][] = [
  ['neck_shoulders', 'Neck and shoulders'],
  ['upper_back', 'Upper back, between the shoulder blades'],
  ['lower_back', 'Lower back'],
  ['legs', 'Legs'],
]

const QUALITY = ['Very poor', 'Poor', 'Fair', 'Good', 'Very good']

/** Mood 1-5, in plain words (1 is "very low"). */
export const MOODS = ['Very low', 'Low', 'Okay', 'Good', 'Very good']

interface Draft {
  /** null: not answered (never sent as a score). */
  pain: number | null
  stress: number | null
  mood: number | null
  areas: PainArea[]
  sleepHours: string
  sleepQuality: number | null
  flags: string[]
  note: string
  factors?: string[]
}

function fromEntry(entry?: LocalEntry): Draft | undefined {
  if (!entry || entry.deleted) return undefined
  const d = entry.data as CheckinData
  return {
    pain: d.pain ?? null,
    stress: d.stress ?? null,
    mood: d.mood ?? null,
    areas: d.pain_areas ?? [],
    sleepHours: d.sleep_hours === undefined ? '' : String(d.sleep_hours),
    sleepQuality: d.sleep_quality ?? null,
    flags: d.red_flags ?? [],
    note: d.note ?? '',
    factors: d.factors ?? [],
  }
}

const EMPTY: Draft = { pain: null, stress: null, mood: null, areas: [], sleepHours: '', sleepQuality: null, flags: [], note: '', factors: [] }

/** The advice for the answers ticked, before saving: the most serious level's message only. */
export function SafetyMessage({ rules, flags, me }: { rules: SafetyRule[]; flags: string[]; me: Me | undefined }) {
  const outcome = evaluate(rules, flags)
  if (outcome.level === 'none') return null
  const hits = rules.filter((r) => flags.includes(r.id) && r.level === outcome.level)
  const why = hits.map((r) => r.why).find(Boolean)
  const sources = hits.flatMap((r) => r.sources ?? [])
  if (outcome.level === 'emergency') {
    return (
      <div class="emergency" role="alert" data-testid="safety-emergency">
        <strong>{outcome.title || 'Call your emergency number now'}</strong>
        {outcome.messages.map((m) => (
          <p key={m}>{m}</p>
        ))}
        <CallButton call={emergencyCall(null, me)} />
        <Sources why={why} sources={sources} />
      </div>
    )
  }
  return (
    <div class={`notice ${levelAtLeast(outcome.level, 'urgent') ? 'danger' : 'warn'}`} role="alert" data-testid="safety-advice">
      <p>
        <b>{outcome.title}</b>
      </p>
      {outcome.messages.map((m) => (
        <p key={m}>{m}</p>
      ))}
      <Sources why={why} sources={sources} />
    </div>
  )
}

/** The quick daily check-in: two sliders, a few taps, saved on the device first. */
export function CheckIn({ date, entries }: { date: string; entries: LocalEntry[] }) {
  const rules = useLive(cachedRules, ['cache:rules']) ?? []
  const me = useLive<Me | undefined>(cachedMe, ['cache:me'])
  const saved = useMemo(() => findEntry(entries, 'checkin', (d) => d.date === date), [entries, date])
  const { draft, update: keep, clear } = useDraft(`draft:checkin:${date}`, fromEntry(saved), EMPTY)
  const [message, setMessage] = useState('')

  if (!draft) return null
  // The most serious ticked rule, under which the advice is shown.
  const outcome = evaluate(rules, draft.flags)
  const savedFlags = saved && !saved.deleted ? ((saved.data as CheckinData).red_flags ?? []) : []
  const flagsSaved = savedFlags.length === draft.flags.length && draft.flags.every((f) => savedFlags.includes(f))
  // Once saved, an urgent or emergency answer is said at the top of Today (the hold, the
  // emergency screen): saying it here too would be a second message.
  const adviceHere = !(flagsSaved && levelAtLeast(outcome.level, 'urgent'))
  const adviceAfter = adviceHere ? rules.find((r) => draft.flags.includes(r.id) && r.level === outcome.level)?.id : undefined
  const update = (changes: Partial<Draft>) => {
    keep(changes)
    setMessage('')
  }
  const toggle = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value])

  const save = async (event: Event) => {
    event.preventDefault()
    // Unanswered scores are sent as null: the app never sends a value the person did not choose.
    const data: CheckinData = withFactors({
      date,
      pain: draft.pain,
      stress: draft.stress,
      mood: draft.mood,
      pain_areas: draft.areas,
      red_flags: draft.flags,
    }, draft.factors ?? [])
    const hours = Number.parseFloat(draft.sleepHours)
    if (draft.sleepHours !== '' && Number.isFinite(hours)) data.sleep_hours = Math.min(24, Math.max(0, hours))
    if (draft.sleepQuality) data.sleep_quality = draft.sleepQuality
    if (draft.note.trim()) data.note = draft.note.trim()
    const entry = await recordCheckin(data)
    // Held at once, with no signal (or released, when the answer that held is corrected):
    // the server does the same when this syncs.
    await noteCheckin(entry.client_id, outcome)
    await clear()
    setMessage(navigator.onLine ? 'Check-in saved.' : 'Check-in saved on this phone. It will be sent when you are back online.')
  }

  return (
    <section id="checkin" aria-labelledby="checkin-title" class="card">
      <h2 id="checkin-title">How are you today?</h2>
      <form onSubmit={save}>
        <Slider label="Pain" value={draft.pain} onChange={(pain) => update({ pain })} low="no pain" high="worst pain" />
        <Slider
          label="Stress"
          value={draft.stress}
          onChange={(stress) => update({ stress })}
          low="calm"
          high="extremely stressed"
        />
        <fieldset>
          <legend>How is your mood today?</legend>
          <div class="mood-choices">
            {MOODS.map((text, i) => (
              <label class="choice mood-choice" key={text}>
                <input
                  type="radio"
                  name="mood"
                  checked={draft.mood === i + 1}
                  onChange={() => update({ mood: i + 1 })}
                />
                {text}
              </label>
            ))}
          </div>
          {draft.mood === null ? (
            <p class="hint">Not answered. Leave it if you prefer.</p>
          ) : (
            <button type="button" class="linklike small" onClick={() => update({ mood: null })}>
              Clear mood<span class="visually-hidden"> (back to not answered)</span>
            </button>
          )}
          {draft.mood === 1 && <SupportOffer />}
        </fieldset>
        <Factors chosen={draft.factors ?? []} onChange={(factors) => update({ factors })} />
        <fieldset>
          <legend>Where does it hurt?</legend>
          {AREAS.map(([value, text]) => (
            <label class="choice" key={value}>
              <input
                type="checkbox"
                checked={draft.areas.includes(value)}
                onChange={() => update({ areas: toggle(draft.areas, value) })}
              />
              {text}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Last night's sleep</legend>
          <div class="field">
            <label for="sleep-hours">Hours slept</label>
            <input
              id="sleep-hours"
              type="number"
              inputMode="decimal"
              min={0}
              max={24}
              step={0.5}
              value={draft.sleepHours}
              onInput={(e) => update({ sleepHours: (e.currentTarget as HTMLInputElement).value })}
            />
          </div>
          <div role="radiogroup" aria-labelledby="sleep-quality-label">
            <p id="sleep-quality-label" class="small">
              <b>How well did you sleep?</b>
            </p>
            {QUALITY.map((text, i) => (
              <label class="choice" key={text}>
                <input
                  type="radio"
                  name="sleep-quality"
                  checked={draft.sleepQuality === i + 1}
                  onChange={() => update({ sleepQuality: i + 1 })}
                />
                {text}
              </label>
            ))}
          </div>
        </fieldset>
        {rules.length > 0 ? (
          <fieldset>
            <legend>Since yesterday, have you had any of these?</legend>
            {rules.map((rule) => (
              <Fragment key={rule.id}>
                <label class="choice">
                  <input
                    type="checkbox"
                    checked={draft.flags.includes(rule.id)}
                    onChange={() => update({ flags: toggle(draft.flags, rule.id) })}
                  />
                  {rule.question}
                </label>
                {/* The advice appears right under the answer that calls for it, where the eyes are. */}
                {rule.id === adviceAfter && <SafetyMessage rules={rules} flags={draft.flags} me={me} />}
              </Fragment>
            ))}
          </fieldset>
        ) : (
          <div class="small notice">
            <p>
              If you have chest pain, pressure or tightness with breathlessness, or chest, arm or jaw pain with
              sweating or nausea, call now.
            </p>
            <CallButton call={emergencyCall(null, me)} />
          </div>
        )}
        <div class="field">
          <label for="checkin-note">Anything else? (optional)</label>
          <textarea id="checkin-note" value={draft.note} onInput={(e) => update({ note: (e.currentTarget as HTMLTextAreaElement).value })} />
        </div>
        <button type="submit" class="primary">
          {saved && !saved.deleted ? 'Update check-in' : 'Save check-in'}
        </button>
        <p role="status" class="small">
          {message}
        </p>
      </form>
    </section>
  )
}
