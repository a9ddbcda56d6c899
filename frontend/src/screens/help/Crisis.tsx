import { cachedMe } from '../../data'
import { emergencyCall, telHref } from '../../hold'
import type { Me } from '../../types'
import { CallButton, NOBODY_WATCHES } from '../../ui/Call'
import { useLive } from '../../ui/hooks'

function countryName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code
  } catch {
    return code
  }
}

/**
 * Who to talk to now: the emergency number and the crisis lines of the person's
 * country, from the cached profile, so this screen opens with no signal too.
 */
export function Crisis() {
  const me = useLive<Me | undefined>(cachedMe, ['cache:me'])
  const call = emergencyCall(null, me)
  const lines = me?.crisis_lines ?? []
  return (
    <main id="main" class="crisis">
      <h1>Need help now?</h1>
      <p class="lead">You do not have to manage this alone. Talking to someone can help, right now.</p>
      <section class="card urgent-card" aria-labelledby="danger-title">
        <h2 id="danger-title">If you are in danger or it feels like an emergency</h2>
        <p>
          If you might act on thoughts of harming yourself, if someone else is in danger, or if you have chest pain
          with breathlessness, call now.
        </p>
        <CallButton call={call} />
      </section>
      <section class="card" aria-labelledby="talk-title">
        <h2 id="talk-title">If things feel too much</h2>
        {lines.length > 0 ? (
          <>
            <p>These lines are free and confidential. The people there are used to calls like yours.</p>
            <ul class="plain lines">
              {lines.map((line) => (
                <li key={line.name}>
                  <p class="line-name">{line.name}</p>
                  <div class="row">
                    {line.phone && (
                      <a class="button primary" href={telHref(line.phone)}>
                        Call {line.phone}
                        <span class="visually-hidden"> ({line.name})</span>
                      </a>
                    )}
                    {line.url && (
                      <a class="button" href={line.url} target="_blank" rel="noopener noreferrer">
                        Website
                        <span class="visually-hidden"> of {line.name} (opens in a new tab)</span>
                      </a>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p>
            We do not have a helpline listed for your country yet. Your doctor can help, and so can the emergency
            number above if you are not safe.
          </p>
        )}
        <p class="small muted">Talking to someone you trust, a friend, family or your doctor, helps too.</p>
      </section>
      <p class="notice">{NOBODY_WATCHES}</p>
      {me ? (
        <p class="small muted">
          These numbers are for {me.country ? countryName(me.country) : 'where your time zone says you are'}.{' '}
          <a href="#/settings">Change your country</a>
        </p>
      ) : (
        <p class="small muted">
          112 works from any mobile phone in Europe and in many other countries. Once you log in, Backtrack shows
          the numbers for your country, with no signal too.
        </p>
      )}
    </main>
  )
}
