import { telHref } from '../hold'
import type { Call } from '../types'

/** Said before sharing, in the emergency message and on the crisis screen. */
export const NOBODY_WATCHES =
  'Nobody watches Backtrack live, not even a clinician you share with. What you enter here is not seen straight away, so in an emergency, call.'

/** A large tap-to-call button: `tel:` opens the phone's dialler with the number. */
export function CallButton({ call, quiet = false }: { call: Call; quiet?: boolean }) {
  return (
    <a class={`button call${quiet ? '' : ' primary'}`} href={telHref(call.number)}>
      {call.label}
    </a>
  )
}
