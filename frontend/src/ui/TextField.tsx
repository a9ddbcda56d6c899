import type { ComponentChildren, InputHTMLAttributes, Ref } from 'preact'
import { useState } from 'preact/hooks'

type Props = {
  id: string
  type: 'text' | 'email' | 'password' | 'date'
  required?: boolean
  autocomplete?: string
  inputMode?: 'numeric' | 'text'
  autocapitalize?: 'characters' | 'off'
  spellcheck?: boolean
  minLength?: number
  label: ComponentChildren
  value: string
  onValue: (value: string) => void
  /** The server's or the form's message for this field, shown under it. */
  error?: string
  hint?: ComponentChildren
  inputRef?: Ref<HTMLInputElement>
}

/** A labelled input whose hint and error are tied to it for screen readers. */
export function TextField({ id, label, value, onValue, error, hint, inputRef, ...plain }: Props) {
  // A password can be shown while typing it (a tired thumb on a small keyboard).
  const [shown, setShown] = useState(false)
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ')
  // preact types <input> as a union keyed by `type`; ours is one of a few known values.
  const attributes = {
    ...plain,
    type: plain.type === 'password' && shown ? 'text' : plain.type,
    id,
    value,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': describedBy || undefined,
    onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
  } as InputHTMLAttributes<HTMLInputElement>
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {plain.type === 'password' ? (
        <div class="password-row">
          <input {...attributes} ref={inputRef} />
          <button type="button" class="quiet show-password" aria-pressed={shown} aria-controls={id} onClick={() => setShown(!shown)}>
            {shown ? 'Hide' : 'Show'}
            <span class="visually-hidden"> password</span>
          </button>
        </div>
      ) : (
        <input {...attributes} ref={inputRef} />
      )}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  )
}
