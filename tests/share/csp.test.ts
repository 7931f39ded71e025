/**
 * The Content-Security-Policy constant, directive by directive; and a static guard that the
 * share and export modules contain no HTML or code-evaluation sinks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES, CSP_META_TAG } from '../../app/share/csp';
import { ROOT } from '../support/paths';

function parsePolicy(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(out.has(name)).toBe(false);
    out.set(name, sources);
  }
  return out;
}

describe('Content-Security-Policy', () => {
  const p = parsePolicy(CONTENT_SECURITY_POLICY);

  it('has exactly the intended directives', () => {
    expect(Object.fromEntries(p)).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'worker-src': ["'self'", 'blob:'],
      'connect-src': ["'self'", 'https:', 'http:'],
      'img-src': ["'self'", 'data:', 'blob:'],
      'style-src': ["'self'", "'unsafe-inline'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
    });
    expect(Object.keys(CSP_DIRECTIVES)).toEqual([...p.keys()]);
  });

  it('never allows inline or evaluated script, wildcards, or data:/blob: scripts', () => {
    for (const [name, sources] of p) {
      expect(sources, name).not.toContain('*');
      expect(sources, name).not.toContain("'unsafe-eval'");
      expect(sources, name).not.toContain("'wasm-unsafe-eval'");
      if (name !== 'style-src') expect(sources, name).not.toContain("'unsafe-inline'");
    }
    expect(p.get('script-src')).not.toContain('data:');
    expect(p.get('script-src')).not.toContain('blob:');
    expect(p.get('default-src')).toEqual(["'self'"]);
  });

  it('omits directives a <meta> policy ignores', () => {
    for (const name of ['frame-ancestors', 'report-uri', 'report-to', 'sandbox']) expect(p.has(name)).toBe(false);
  });

  it('the meta tag carries the policy verbatim and is safe as an attribute', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/["<>&]/);
    expect(CSP_META_TAG).toBe(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`);
  });

  it('index.html, once it has a policy, has this one', () => {
    const html = readFileSync(join(ROOT, 'index.html'), 'utf8');
    const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
    if (m) expect(m[1]).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('no HTML or code-evaluation sinks in the share and export modules', () => {
  const dirs = [join(ROOT, 'app', 'share'), join(ROOT, 'solver', 'export')];
  const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)));

  it.each(files)('%s', (file) => {
    // Comments are dropped so that documentation may name the sinks it avoids.
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write|\beval\s*\(|new\s+Function\b|\bFunction\s*\(|setTimeout\s*\(\s*['"`]/);
  });
});
