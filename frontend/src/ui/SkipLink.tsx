import { focusMain } from './hooks'

/** The first thing a keyboard reaches: jumps to the screen's main content. */
export function SkipLink() {
  return (
    <a
      class="skip-link"
      href="#main"
      onClick={(e) => {
        // Hash routing: a plain #main link would change the screen.
        e.preventDefault()
        focusMain()
      }}
    >
      Skip to content
    </a>
  )
}
