import type { Illustration as Picture } from '../types'

// The files' own size (scripts/illustrations.py draws every one at 240 x 160), so
// the card keeps its height before a picture arrives.
const WIDTH = 240
const HEIGHT = 160

/** One drawn position: a same-origin SVG that follows the light or dark scheme itself. */
export function Illustration({ picture, extraClass }: { picture: Picture; extraClass?: string }) {
  return <img class={extraClass ? `illustration ${extraClass}` : 'illustration'} src={picture.url} alt={picture.alt} width={WIDTH} height={HEIGHT} loading="lazy" decoding="async" />
}

/** An exercise's pictures side by side: start then end for a movement, one for a habit. */
export function Illustrations({ pictures }: { pictures?: Picture[] }) {
  if (!pictures?.length) return null
  return (
    <div class={`illustrations${pictures.length === 1 ? ' single' : ''}`}>
      {pictures.map((picture) => (
        <Illustration key={picture.url} picture={picture} />
      ))}
    </div>
  )
}
