/**
 * The support offer (issue 10's crisis path): the check-in shows it for a very low
 * mood, a questionnaire for a positive mood screen. It leads to the crisis lines.
 */
export function SupportOffer() {
  return (
    <div class="notice support" role="status" data-testid="crisis-offer">
      <p>Thank you for telling us. Days like this are hard, and you do not have to carry it alone.</p>
      <a class="button primary" href="#/help">
        Talk to someone now
      </a>
    </div>
  )
}
