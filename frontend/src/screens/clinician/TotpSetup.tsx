import { useContext, useEffect, useRef, useState } from 'preact/hooks'
import * as api from '../../api'
import { QrCode } from './Qr'
import { Actions } from './remote'
import { useSubmit } from '../../ui/hooks'
import { TextField } from '../../ui/TextField'

/** "ABCD EFGH IJKL ..." is easier to type into an app than 32 letters in a row. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ')
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const file = `Backtrack recovery codes. Each works once, instead of a code from your authenticator app.\n\n${codes.join('\n')}\n`
  return (
    <main id="main" class="auth">
      <h1>Keep your recovery codes</h1>
      <p role="status" class="notice ok">
        Two-step sign-in is on.
      </p>
      <p>
        If you lose your phone, each of these codes lets you log in once instead of a 6-digit code. Save them now,
        somewhere safe away from your phone: a password manager, or printed and filed.
      </p>
      <ol class="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="row">
        <a class="button" href={`data:text/plain;charset=utf-8,${encodeURIComponent(file)}`} download="backtrack-recovery-codes.txt">
          Download as a text file
        </a>
        <button type="button" class="primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </main>
  )
}

/**
 * Turning on TOTP: the secret as a QR code and as text, then the password (allauth
 * asks for it again before adding an authenticator) and a first code from the app.
 */
export function TotpSetup({ onDone }: { onDone: () => void }) {
  const { signOut } = useContext(Actions)
  const [offer, setOffer] = useState<Extract<api.TotpOffer, { active: false }>>()
  const [loadError, setLoadError] = useState<unknown>()
  const [password, setPassword] = useState('')
  const [code, setCode] = useState('')
  const [codes, setCodes] = useState<string[]>()
  const asked = useRef(false)

  const load = () => {
    setLoadError(undefined)
    api.offerTotp().then(
      (answer) => (answer.active ? onDone() : setOffer(answer)),
      (e: unknown) => setLoadError(e),
    )
  }
  useEffect(() => {
    // Each GET makes a new secret and the code is checked against the latest: ask once.
    if (asked.current) return
    asked.current = true
    load()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  const { busy, error, submit } = useSubmit(async () => {
    await api.reauthenticate(password)
    await api.activateTotp(code.replace(/\s+/g, ''))
    setPassword('')
    // allauth makes recovery codes with the first authenticator; show them once here.
    const recovery = await api.recoveryCodes().catch(() => [])
    if (recovery.length > 0) setCodes(recovery)
    else onDone()
  })

  if (codes) return <RecoveryCodes codes={codes} onDone={onDone} />

  const passwordError = api.fieldError(error, 'password')
  const codeError = api.fieldError(error, 'code')
  const otherError =
    error && !passwordError && !codeError
      ? error instanceof api.OfflineError
        ? 'You are offline. Turning on two-step sign-in needs a connection.'
        : (error as Error).message
      : undefined
  return (
    <main id="main" class="auth">
      <h1>Set up two-step sign-in</h1>
      <p>
        Patient data is protected by a second step when you log in: a 6-digit code from an authenticator app on your
        phone, such as Aegis, FreeOTP, Google Authenticator or Microsoft Authenticator. It takes a minute, once.
      </p>
      {loadError !== undefined && (
        <div class="notice warn" role="alert">
          <p>
            {loadError instanceof api.OfflineError
              ? 'You are offline. Setting up two-step sign-in needs a connection.'
              : (loadError as Error).message}
          </p>
          <button type="button" onClick={load}>
            Try again
          </button>
        </div>
      )}
      {!offer && loadError === undefined && <p aria-busy="true">Preparing your key…</p>}
      {offer && (
        <>
          <ol class="steps setup-steps">
            <li>
              In your authenticator app, add an account and scan this code.
              <QrCode text={offer.url} label="QR code with your Backtrack key, for your authenticator app" />
            </li>
            <li>
              Can't scan? Type this key into the app instead:
              <code class="secret" data-testid="totp-secret">
                {grouped(offer.secret)}
              </code>
            </li>
            <li>Enter your password and the 6-digit code the app now shows.</li>
          </ol>
          <form onSubmit={submit}>
            <TextField
              id="totp-password"
              label="Your password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onValue={setPassword}
              error={passwordError}
            />
            <TextField
              id="totp-code"
              label="6-digit code"
              type="text"
              inputMode="numeric"
              autocomplete="one-time-code"
              required
              value={code}
              onValue={setCode}
              error={codeError}
              hint="A new code appears every 30 seconds; any current one works."
            />
            {otherError && (
              <p class="error" role="alert">
                {otherError}
              </p>
            )}
            <button class="primary" type="submit" disabled={busy}>
              {busy ? 'Turning on…' : 'Turn on two-step sign-in'}
            </button>
          </form>
        </>
      )}
      <p>
        <button type="button" class="linklike" onClick={() => void signOut()}>
          Log out
        </button>
      </p>
    </main>
  )
}
