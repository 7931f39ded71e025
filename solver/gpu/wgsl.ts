/**
 * WGSL source preparation, pure text (no GPU): what `Kernel` compiles is the shared prelude
 * (shaders/prelude.wgsl) followed by the shader with its `@bindings` line and `@unroll` blocks
 * expanded.
 *
 * A shader declares its group-0 resources in one line, in the order `Kernel.bind` receives the
 * buffers, so a binding index is never numbered by hand (and cannot drift from the bind array):
 *
 *   @bindings(prm: uniform Params, x: read, idx: read u32, y: rw)
 *   →  @group(0) @binding(0) var<uniform> prm: Params;
 *      @group(0) @binding(1) var<storage, read> x: array<f32>;
 *      @group(0) @binding(2) var<storage, read> idx: array<u32>;
 *      @group(0) @binding(3) var<storage, read_write> y: array<f32>;
 *
 * `read` / `rw` are storage arrays (element type f32 unless named), `uniform` takes a struct.
 *
 * WGSL has no macros, and register-blocked kernels need their accumulators in named variables
 * (loops over arrays of accumulators spill to memory on some compilers). An unroll block writes
 * such a repeated statement once; the expansion is the same code one would type by hand:
 *
 *   // @unroll r 0..7
 *   var a{r} = vec4<f32>(0.0);          →  var a0 = …;  var a1 = …;  …  var a7 = …;
 *   // @end
 *
 * Inside a block, `{r}` is the counter and `{r+4}` / `{r-4}` an offset of it. Blocks do not nest.
 */
import preludeSrc from '../../shaders/prelude.wgsl?raw';

/** The shared WGSL declarations every solver shader is compiled with. */
export const WGSL_PRELUDE: string = preludeSrc;

const BEGIN = /^\s*\/\/\s*@unroll\s+([A-Za-z_]\w*)\s+(\d+)\.\.(\d+)\s*$/;
const END = /^\s*\/\/\s*@end\s*$/;

/** Expands the `@unroll` blocks of `source` (see the module comment); throws on malformed blocks. */
export function expandUnroll(source: string): string {
  const out: string[] = [];
  let block: { name: string; from: number; to: number; body: string[]; line: number } | null = null;
  const lines = source.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const begin = BEGIN.exec(line);
    if (begin) {
      if (block) throw new Error(`line ${index + 1}: @unroll blocks do not nest (open since line ${block.line})`);
      block = { name: begin[1]!, from: Number(begin[2]), to: Number(begin[3]), body: [], line: index + 1 };
      if (block.to < block.from) throw new Error(`line ${index + 1}: empty @unroll range ${block.from}..${block.to}`);
    } else if (END.test(line)) {
      if (!block) throw new Error(`line ${index + 1}: @end without @unroll`);
      for (let v = block.from; v <= block.to; v++) for (const l of block.body) out.push(substitute(l, block.name, v));
      block = null;
    } else if (block) {
      block.body.push(line);
    } else {
      out.push(line);
    }
  }
  if (block) throw new Error(`@unroll at line ${block.line} has no @end`);
  return out.join('\n');
}

const BINDINGS = /^@bindings\((.*)\)\s*$/;
const BINDING = /^([A-Za-z_]\w*):\s*(uniform|read|rw)(?:\s+(\S+))?$/;

/** Expands the `@bindings(…)` line of `source` (see the module comment); throws on malformed entries. */
export function expandBindings(source: string): string {
  return source
    .split('\n')
    .map((line, index) => {
      const m = BINDINGS.exec(line);
      return m ? m[1]!.split(',').map((entry, binding) => bindingDecl(entry.trim(), binding, index + 1)).join('\n') : line;
    })
    .join('\n');
}

/** One `@group(0) @binding(i)` declaration from a `@bindings` entry such as `x: read u32`. */
function bindingDecl(entry: string, binding: number, line: number): string {
  const m = BINDING.exec(entry);
  if (!m) throw new Error(`line ${line}: bad @bindings entry '${entry}' (want 'name: uniform Struct', 'name: read [type]' or 'name: rw [type]')`);
  const [, name, kind, type] = m;
  const head = `@group(0) @binding(${binding})`;
  if (kind === 'uniform') {
    if (!type) throw new Error(`line ${line}: uniform binding '${name}' needs its struct type`);
    return `${head} var<uniform> ${name}: ${type};`;
  }
  return `${head} var<storage, ${kind === 'read' ? 'read' : 'read_write'}> ${name}: array<${type ?? 'f32'}>;`;
}

/** `line` with `{name}`, `{name+k}` and `{name-k}` replaced by their values at name = v. */
function substitute(line: string, name: string, v: number): string {
  return line.replace(/\{([A-Za-z_]\w*)(?:([+-])(\d+))?\}/g, (whole, id: string, sign?: string, k?: string) => {
    if (id !== name) return whole;
    const off = k === undefined ? 0 : Number(k) * (sign === '-' ? -1 : 1);
    return String(v + off);
  });
}

/**
 * The module source compiled for a shader: the prelude, the shader's family includes (e.g.
 * gemm_common.wgsl for the two products) and the shader, with their `@bindings` line and
 * `@unroll` blocks expanded.
 */
export function compiledSource(source: string, includes: readonly string[] = []): string {
  return [WGSL_PRELUDE, ...includes, source].map((s) => expandUnroll(expandBindings(s))).join('\n');
}
