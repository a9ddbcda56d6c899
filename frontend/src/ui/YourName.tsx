import { useEffect, useState } from 'preact/hooks'
import * as api from '../api'
import { saveMe } from '../data'
import type { Me } from '../types'

/**
 * "Your name" (display_name): what the other side of a care link sees instead of the
 * email ("Set by Dr Rao"). Shared by the patient's Settings and the clinician's screens.
 */
export function YourName({ me, hint }: { me: Me | undefined; hint: string }) {
  const [value, setValue] = useState(me?.display_name ?? '')
  const [message, setMessage] = useState('')
  const [error, setError] = useState('')
  useEffect(() => setValue(me?.display_name ?? ''), [me?.display_name])
  if (!me || me.display_name === undefined) return null
  const save = async (event: Event) => {
    event.preventDefault()
    setMessage('')
    setError('')
    try {
      await saveMe(await api.updateMe({ display_name: value.trim() }))
      setMessage(value.trim() ? 'Name saved.' : 'Name removed: your email is shown instead.')
    } catch (e) {
      setError(api.fieldError(e, 'display_name') ?? (e as Error).message)
    }
  }
  return (
    <form class="field your-name" onSubmit={save}>
      <label for="display-name">Your name</label>
      <div class="row">
        <input
          id="display-name"
          type="text"
          maxLength={80}
          autocomplete="name"
          value={value}
          aria-describedby="display-name-hint"
          aria-invalid={error ? true : undefined}
          onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" disabled={value.trim() === (me.display_name ?? '')}>
          Save name
        </button>
      </div>
      <p id="display-name-hint" class="hint">
        {hint}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p role="status" class="small">
        {message}
      </p>
    </form>
  )
}
