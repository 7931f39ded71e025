/**
 * WGSL source preparation (solver/gpu/wgsl.ts): the `@bindings` and `@unroll` expansions and the prelude, and
 * every shader in shaders/ compiling without errors on this adapter as the solver compiles it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../solver/gpu/context';
import { compiledSource, expandBindings, expandUnroll, WGSL_PRELUDE } from '../../../solver/gpu/wgsl';
import { gpuContext } from '../../support/helpers';
import { ROOT } from '../../support/paths';

const shaderDir = join(ROOT, 'shaders');
const shaders = readdirSync(shaderDir).filter((f) => f.endsWith('.wgsl') && f !== 'prelude.wgsl' && f !== 'gemm_common.wgsl');
/** Shared sources a shader is compiled with besides the prelude (as gemm.ts compiles them). */
const includesOf = (file: string): string[] =>
  file === 'xu.wgsl' || file === 'xtr.wgsl' ? [readFileSync(join(shaderDir, 'gemm_common.wgsl'), 'utf8')] : [];

describe('expandUnroll', () => {
  it('repeats a block with the counter and its offsets substituted', () => {
    const src = ['a', '  // @unroll r 2..4', '  x{r} = y[{r-2}] + {r+10} + {q};', '  // @end', 'b'].join('\n');
    expect(expandUnroll(src)).toBe(['a', '  x2 = y[0] + 12 + {q};', '  x3 = y[1] + 13 + {q};', '  x4 = y[2] + 14 + {q};', 'b'].join('\n'));
  });

  it('leaves sources without blocks unchanged', () => {
    const src = 'fn f() -> u32 {return 1u;}\n// @unrolled is not a directive\n';
    expect(expandUnroll(src)).toBe(src);
  });

  it('rejects unclosed, nested, stray and empty blocks', () => {
    expect(() => expandUnroll('// @unroll r 0..1\nx')).toThrow(/no @end/);
    expect(() => expandUnroll('// @unroll r 0..1\n// @unroll s 0..1\n// @end\n// @end')).toThrow(/do not nest/);
    expect(() => expandUnroll('x\n// @end')).toThrow(/without @unroll/);
    expect(() => expandUnroll('// @unroll r 3..1\n// @end')).toThrow(/empty/);
  });
});

describe('expandBindings', () => {
  it('numbers the declarations in order, f32 arrays unless a type is named', () => {
    const src = ['struct P { n: u32 }', '@bindings(prm: uniform P, x: read, idx: read u32, y: rw vec4<f32>)', 'fn f() {}'].join('\n');
    expect(expandBindings(src)).toBe(
      [
        'struct P { n: u32 }',
        '@group(0) @binding(0) var<uniform> prm: P;',
        '@group(0) @binding(1) var<storage, read> x: array<f32>;',
        '@group(0) @binding(2) var<storage, read> idx: array<u32>;',
        '@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;',
        'fn f() {}',
      ].join('\n'),
    );
  });

  it('leaves other lines alone and rejects malformed entries', () => {
    const src = '// @bindings(x: read) in a comment is not a directive\n';
    expect(expandBindings(src)).toBe(src);
    expect(() => expandBindings('x\n@bindings(prm: uniform)')).toThrow(/line 2: uniform binding 'prm' needs its struct type/);
    expect(() => expandBindings('@bindings(x: write)')).toThrow(/bad @bindings entry 'x: write'/);
    expect(() => expandBindings('@bindings(x read)')).toThrow(/bad @bindings entry/);
  });
});

describe('shader sources', () => {
  it.each(shaders)('%s: no directive or placeholder is left after expansion, no prelude copy', (file) => {
    const src = readFileSync(join(shaderDir, file), 'utf8');
    const out = expandUnroll(expandBindings(src));
    expect(out).not.toMatch(/^\s*\/\/\s*@(unroll|end)\b|^@bindings\b|\{[A-Za-z_]\w*([+-]\d+)?\}/m);
    // Declarations the prelude owns must not be repeated (WGSL rejects redeclarations).
    expect(src).not.toMatch(/struct Admm\b|const WG_1D\b|fn flat_index\b|fn tree_(sum|max)\d\b|var<workgroup> tree_[sm]\d\b/);
  });

  it('the register-blocked GEMMs expand to their 16 named accumulators', () => {
    const xu = expandUnroll(readFileSync(join(shaderDir, 'xu.wgsl'), 'utf8'));
    const xtr = expandUnroll(readFileSync(join(shaderDir, 'xtr.wgsl'), 'utf8'));
    for (let r = 0; r < 8; r++) {
      expect(xu).toContain(`var a${r} = vec4<f32>(0.0);`);
      expect(xu).toContain(`var b${r} = vec4<f32>(0.0);`);
      expect(xu).toContain(`store(row0 + ${r}u, cb, b${r});`);
      expect(xtr).toContain(`var a${r}a = vec4<f32>(0.0);`);
      expect(xtr).toContain(`partials[ob + ${r}u * K4 + 1u] = a${r}b;`);
    }
    expect(xtr).toContain('a7b += y[3] * m;');
  });

  it('compiled source = prelude + includes + expanded shader', () => {
    expect(compiledSource('x')).toBe(`${WGSL_PRELUDE}\nx`);
    expect(compiledSource('// @unroll r 0..1\nx{r}\n// @end', ['inc'])).toBe(`${WGSL_PRELUDE}\ninc\nx0\nx1`);
  });
});

describe('compilation on this adapter', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await gpuContext();
  });
  afterAll(() => ctx?.destroy());

  it.each(shaders)('%s compiles with the prelude', async (file) => {
    const code = compiledSource(readFileSync(join(shaderDir, file), 'utf8'), includesOf(file));
    const module = ctx.device.createShaderModule({ label: file, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
    expect(errors).toEqual([]);
  });
});
