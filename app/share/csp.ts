/**
 * The page's Content-Security-Policy, for `<meta http-equiv="Content-Security-Policy">` in
 * index.html (a static host has no header configuration to rely on). Its job: even if some
 * text from a link or a file ever reached the DOM as markup, no script of an attacker could run
 * and no data could be sent anywhere the page does not already talk to.
 *
 * A meta CSP cannot set `frame-ancestors`, `report-uri` or `sandbox`; a host that can send
 * headers should add `frame-ancestors 'none'` there.
 */

/** Each directive with its sources, in the order written. */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  // Fallback for every fetch directive not listed (fonts, media, manifests, frames): same origin.
  'default-src': ["'self'"],
  // Only the bundled scripts: no inline script, no eval, no third-party script.
  'script-src': ["'self'"],
  // The solver Worker is a same-origin module script; blob: covers workers created from Blob
  // URLs (Vite's `?worker&inline` imports).
  'worker-src': ["'self'", 'blob:'],
  // fetch/XHR: own files, plus any http(s) host because a share link may name a remote CSV
  // (remote.ts sends no credentials). 'self' also covers the Vite dev server's websocket.
  'connect-src': ["'self'", 'https:', 'http:'],
  // Images the page makes itself: plot exports and weight pictures as data: or blob: URLs.
  'img-src': ["'self'", 'data:', 'blob:'],
  // plotly.js injects <style> elements and style attributes at run time.
  'style-src': ["'self'", "'unsafe-inline'"],
  // No plugins (Flash, Java, PDF embeds).
  'object-src': ["'none'"],
  // No <base> element: relative URLs always resolve against the page itself.
  'base-uri': ["'none'"],
  // The page posts no forms; an injected form could not send data anywhere.
  'form-action': ["'none'"],
};

/** The policy string, directives separated by "; ". */
export const CONTENT_SECURITY_POLICY: string = Object.entries(CSP_DIRECTIVES)
  .map(([name, sources]) => `${name} ${sources.join(' ')}`)
  .join('; ');

/** The tag to put first in index.html's <head> (before any script or stylesheet). */
export const CSP_META_TAG = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`;
