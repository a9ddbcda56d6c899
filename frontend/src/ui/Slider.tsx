import { useId } from 'preact/hooks'

interface Props {
  label: string
  /** null: not answered. The app never sends a score the person did not choose. */
  value: number | null
  onChange: (value: number | null) => void
  min?: number
  max?: number
  low: string
  high: string
  hint?: string
}

/**
 * A 0-10 scale whose value screen readers announce in words ("Pain: 4 out of 10").
 * Until it is touched it says "Not answered" and shows no thumb, so no position is
 * implied; a tap anywhere on the track answers it, and "Clear" makes it unanswered again.
 */
export function Slider({ label, value, onChange, min = 0, max = 10, low, high, hint }: Props) {
  const id = useId()
  const unanswered = value === null
  const words = (v: number) => `${v} out of ${max}: ${v <= min + 1 ? low : v >= max - 1 ? high : 'in between'}`
  const take = (e: Event) => onChange(Number((e.currentTarget as HTMLInputElement).value))
  const describedBy = [hint ? `${id}-hint` : '', unanswered ? `${id}-tap` : ''].filter(Boolean).join(' ') || undefined
  return (
    <div class={`field slider${unanswered ? ' unanswered' : ''}`}>
      <div class="slider-head">
        <label for={id}>{label}</label>
        <output for={id} class="slider-value" aria-hidden="true">
          {unanswered ? 'Not answered' : value}
        </output>
      </div>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={1}
        // Unanswered, the input still needs a value; it is hidden (no thumb) and never saved.
        value={unanswered ? Math.round((min + max) / 2) : value}
        aria-valuetext={unanswered ? 'Not answered' : words(value)}
        aria-describedby={describedBy}
        onInput={take}
        // A tap exactly where the hidden value sits moves nothing, so fires no input event.
        onClick={(e) => unanswered && take(e)}
      />
      <div class="scale-ends" aria-hidden="true">
        <span>
          {min} {low}
        </span>
        <span>
          {max} {high}
        </span>
      </div>
      {unanswered ? (
        <p class="hint" id={`${id}-tap`}>
          Tap the line to answer, or leave it.
        </p>
      ) : (
        <button type="button" class="linklike small" onClick={() => onChange(null)}>
          Clear {label.toLowerCase()}
          <span class="visually-hidden"> (back to not answered)</span>
        </button>
      )}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  )
}
