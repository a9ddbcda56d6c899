import { setOnboardingStep } from '../onboarding/Onboarding'
import { useEffect, useRef, useState } from 'preact/hooks'
import * as api from '../../api'
import { go, useSubmit } from '../../ui/hooks'
import { TextField } from '../../ui/TextField'
import { detectedTimezone } from '../../ui/timezone'

function FormError({ error }: { error?: string }) {
  if (!error) return null
  return (
    <p class="error" role="alert">
      {error}
    </p>
  )
}

function Email({ value, onInput, error }: { value: string; onInput: (v: string) => void; error?: string }) {
  return (
    <TextField id="email" label="Email" type="email" autocomplete="email" required value={value} onValue={onInput} error={error} />
  )
}

function Password({
  value,
  onInput,
  error,
  isNew,
}: {
  value: string
  onInput: (v: string) => void
  error?: string
  isNew?: boolean
}) {
  return (
    <TextField
      id="password"
      label={isNew ? 'Choose a password' : 'Password'}
      type="password"
      autocomplete={isNew ? 'new-password' : 'current-password'}
      required
      minLength={isNew ? 8 : undefined}
      value={value}
      onValue={onInput}
      error={error}
      hint={isNew ? 'At least 8 characters; a few words you will remember work well.' : undefined}
    />
  )
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong. Please try again.'
}

/** The second step for accounts with an authenticator app (clinicians). */
function CodeStep({ onSignedIn, onCancel }: { onSignedIn: () => Promise<void>; onCancel: (why?: string) => void }) {
  const [code, setCode] = useState('')
  const input = useRef<HTMLInputElement>(null)
  // A new step, not a new screen: focus goes straight to the field.
  useEffect(() => input.current?.focus(), [])
  const { busy, error, submit } = useSubmit(async () => {
    try {
      await api.authenticateCode(code.trim())
      await onSignedIn()
    } catch (e) {
      // The pending login expired (allauth answers 401 with no pending step): start again.
      if (e instanceof api.ApiError && e.status === 401) {
        onCancel('This login took too long. Please enter your email and password again.')
        return
      }
      throw e
    }
  })
  const codeError = api.fieldError(error, 'code')
  return (
    <main id="main" class="auth">
      <h1>One more step</h1>
      <p class="muted">Enter the 6-digit code from your authenticator app.</p>
      <form onSubmit={submit}>
        <TextField
          id="code"
          label="6-digit code"
          type="text"
          inputMode="numeric"
          autocomplete="one-time-code"
          inputRef={input}
          required
          value={code}
          onValue={setCode}
          error={codeError}
          hint="No phone with you? One of your recovery codes works here too."
        />
        <FormError error={error && !codeError ? errorText(error) : undefined} />
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Continue'}
        </button>
      </form>
      <p>
        <button type="button" class="linklike" onClick={() => onCancel()}>
          Back to log in
        </button>
      </p>
    </main>
  )
}

export function Login({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [needsCode, setNeedsCode] = useState(false)
  const { busy, error, setError, submit } = useSubmit(async () => {
    const result = await api.login(email, password)
    if (result === 'verify-email') throw new Error('Please confirm your email address first: we sent you a link.')
    if (result === 'mfa') {
      setPassword('')
      setNeedsCode(true)
      return
    }
    await onSignedIn()
  })
  if (needsCode) {
    const cancel = (why?: string) => {
      setNeedsCode(false)
      if (why) setError(new Error(why))
    }
    return <CodeStep onSignedIn={onSignedIn} onCancel={cancel} />
  }
  return (
    <main id="main" class="auth">
      <h1>Welcome back</h1>
      <p class="muted">Log in to see today's gentle plan.</p>
      <form onSubmit={submit} noValidate={false}>
        <Email value={email} onInput={setEmail} error={api.fieldError(error, 'email')} />
        <Password value={password} onInput={setPassword} error={api.fieldError(error, 'password')} />
        <FormError error={error && !api.fieldError(error, 'email') && !api.fieldError(error, 'password') ? errorText(error) : undefined} />
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        <a href="#/reset-password">Forgot your password?</a>
      </p>
      <p>
        New here? <a href="#/signup">Create an account</a>
      </p>
    </main>
  )
}

export function Signup({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [verify, setVerify] = useState(false)
  const { busy, error, submit } = useSubmit(async () => {
    const ok = await api.signup(email, password, detectedTimezone())
    if (!ok) {
      setVerify(true)
      return
    }
    await onSignedIn()
    // Kept on the phone: closing the app during onboarding resumes it.
    await setOnboardingStep('screening')
    go('/onboarding')
  })
  if (verify) {
    return (
      <main id="main">
        <h1>Check your email</h1>
        <p>We sent a link to {email}. Open it on this phone to finish signing up.</p>
      </main>
    )
  }
  return (
    <main id="main" class="auth">
      <h1>Start gently</h1>
      <p class="muted">
        A few minutes a day of core strength, stretches, breathing and better sleep, for back pain that stress
        makes worse. Works with no signal.
      </p>
      <form onSubmit={submit}>
        <Email value={email} onInput={setEmail} error={api.fieldError(error, 'email')} />
        <Password value={password} onInput={setPassword} error={api.fieldError(error, 'password')} isNew />
        <FormError error={error && !api.fieldError(error, 'email') && !api.fieldError(error, 'password') ? errorText(error) : undefined} />
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
      <p class="small muted">
        Backtrack teaches and tracks; it does not diagnose. Your entries are yours: you can export or delete them
        at any time.
      </p>
      <p>
        Already have an account? <a href="#/login">Log in</a>
      </p>
    </main>
  )
}

export function ResetRequest() {
  const [email, setEmail] = useState('')
  const [sent, setSent] = useState(false)
  const [error, setError] = useState<unknown>()
  const submit = async (event: Event) => {
    event.preventDefault()
    setError(undefined)
    try {
      await api.requestPasswordReset(email)
      setSent(true)
    } catch (e) {
      setError(e)
    }
  }
  return (
    <main id="main">
      <h1>Reset your password</h1>
      {sent ? (
        <p role="status">If an account uses {email}, a link to choose a new password is on its way.</p>
      ) : (
        <form onSubmit={submit}>
          <Email value={email} onInput={setEmail} error={api.fieldError(error, 'email')} />
          <FormError error={error && !api.fieldError(error, 'email') ? errorText(error) : undefined} />
          <button class="primary" type="submit">
            Send me a link
          </button>
        </form>
      )}
      <p>
        <a href="#/login">Back to log in</a>
      </p>
    </main>
  )
}

export function ResetConfirm({ resetKey }: { resetKey: string }) {
  const [password, setPassword] = useState('')
  const [done, setDone] = useState(false)
  const [error, setError] = useState<unknown>()
  const submit = async (event: Event) => {
    event.preventDefault()
    setError(undefined)
    try {
      await api.resetPassword(resetKey, password)
      setDone(true)
    } catch (e) {
      setError(e)
    }
  }
  return (
    <main id="main">
      <h1>Choose a new password</h1>
      {done ? (
        <p role="status">
          Your password is changed. <a href="#/login">Log in</a>
        </p>
      ) : (
        <form onSubmit={submit}>
          <Password value={password} onInput={setPassword} error={api.fieldError(error, 'password')} isNew />
          <FormError error={error && !api.fieldError(error, 'password') ? errorText(error) : undefined} />
          <button class="primary" type="submit">
            Save password
          </button>
        </form>
      )}
    </main>
  )
}

export function VerifyEmail({ verifyKey, onSignedIn }: { verifyKey: string; onSignedIn: () => Promise<void> }) {
  const [state, setState] = useState<'idle' | 'done' | 'error'>('idle')
  const [error, setError] = useState<string>()
  const confirm = async () => {
    try {
      await api.verifyEmail(verifyKey)
      setState('done')
      await onSignedIn().catch(() => undefined)
    } catch (e) {
      setError(errorText(e))
      setState('error')
    }
  }
  return (
    <main id="main">
      <h1>Confirm your email</h1>
      {state === 'done' && <p role="status">Thank you, your address is confirmed.</p>}
      {state === 'error' && <FormError error={error} />}
      {state !== 'done' && (
        <button class="primary" type="button" onClick={() => void confirm()}>
          Confirm my address
        </button>
      )}
      <p>
        <a href="#/today">Go to today</a>
      </p>
    </main>
  )
}
