import { useId } from 'preact/hooks'

interface Props {
  label: string
  value: number
  onChange: (value: number) => void
  min?: number
  max?: number
  low: string
  high: string
  hint?: string
}

/** A 0-10 scale whose value screen readers announce in words ("Pain: 4 out of 10"). */
export function Slider({ label, value, onChange, min = 0, max = 10, low, high, hint }: Props) {
  const id = useId()
  return (
    <div class="field">
      <div class="slider-head">
        <label for={id}>{label}</label>
        <output for={id} class="slider-value" aria-hidden="true">
          {value}
        </output>
      </div>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={1}
        value={value}
        aria-valuetext={`${value} out of ${max}: ${value <= min + 1 ? low : value >= max - 1 ? high : 'in between'}`}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onChange(Number((e.currentTarget as HTMLInputElement).value))}
      />
      <div class="scale-ends" aria-hidden="true">
        <span>
          {min} {low}
        </span>
        <span>
          {max} {high}
        </span>
      </div>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  )
}
