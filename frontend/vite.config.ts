import { defineConfig, type Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

/**
 * Inlines the one small stylesheet into index.html: the first paint then needs a
 * single round trip, which matters on a weak phone signal. Runs before
 * vite-plugin-pwa reads the output, so the precached shell is the inlined one.
 */
function inlineStylesheet(): Plugin {
  return {
    name: 'backtrack-inline-stylesheet',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const html = bundle['index.html']
      if (!html || html.type !== 'asset') return
      for (const [name, asset] of Object.entries(bundle)) {
        if (asset.type !== 'asset' || !name.endsWith('.css')) continue
        const source = String(html.source)
        const tag = new RegExp(`<link rel="stylesheet"[^>]*href="/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`)
        if (!tag.test(source)) continue
        html.source = source.replace(tag, () => `<style>${String(asset.source).trim()}</style>`)
        delete bundle[name]
      }
    },
  }
}

// The PWA is served by Django (whitenoise) at "/" on the API's origin; `npm run dev`
// proxies the API to a local `make run` so cookies and CSRF behave the same.
const api = 'http://127.0.0.1:8000'

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    target: 'es2022',
    // The app's stylesheet is inlined into index.html (above); the clinician screens'
    // own CSS comes as a file with their chunk, so a patient's phone never loads it.
    cssCodeSplit: true,
  },
  server: {
    proxy: { '/api': api, '/_allauth': api },
  },
  plugins: [
    inlineStylesheet(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      // src/main.tsx registers the worker itself (after the first paint).
      injectRegister: false,
      manifestFilename: 'manifest.webmanifest',
      // globPatterns below already precaches every icon once.
      includeManifestIcons: false,
      manifest: {
        id: '/',
        name: 'Backtrack: calm back, steady practice',
        short_name: 'Backtrack',
        description:
          'Daily core strength, stretches, breathing and sleep habits for back pain that stress makes worse. Works offline.',
        lang: 'en',
        start_url: '/#/today',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#2f6b5f',
        background_color: '#f7f5f0',
        categories: ['health', 'medical', 'lifestyle'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // whitenoise serves the shell at "/" and redirects "/index.html" there; a
        // redirect must not be what the worker stores, so precache "/" itself.
        // The clinician screens (a dynamic import, with their CSS) are left out: a patient's phone
        // never downloads them, and they need the network for patient data anyway.
        manifestTransforms: [
          async (entries) => ({
            manifest: entries
              .filter((entry) => !/(^|\/)Clinician-[^/]*\.(js|css)$/.test(entry.url))
              .map((entry) => (entry.url === 'index.html' ? { ...entry, url: '/' } : entry)),
            warnings: [],
          }),
        ],
      },
    }),
  ],
})
