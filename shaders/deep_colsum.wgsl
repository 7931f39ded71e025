// deep_colsum.wgsl — column sums out[oc + j] = Σ_{i<R} M[i·C + j] of a row-major R×C matrix,
// as one level of a two-level split: thread (j, s) sums rows s, s + S, s + 2S, … so the first
// level writes S partial rows (out = an S×C scratch, oc = 0) and a second dispatch with S = 1
// sums those. Used for bias gradients (dY over the batch, or over batch·H·W for a conv) and to
// reduce the split-K partials of the conv weight gradient. Fixed order: deterministic.
// Shapes: M R×C f32; out: S×C (first level) or C values at oc (last level).
// Bindings (group 0): 0 params (uniform), 1 M (read), 2 out (read_write).
// Workgroup: 256 threads, one (j, s) pair each, flat index e = s·C + j; grid folded into 2-D.
struct Params { R: u32, C: u32, S: u32, oc: u32 }
@bindings(prm: uniform Params, M: read, out: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let C = prm.C;
  let S = prm.S;
  if (e >= C * S) { return; }
  let j = e % C;
  let s = e / C;
  var acc = 0.0;
  for (var i = s; i < prm.R; i += S) { acc += M[i * C + j]; }
  out[prm.oc + e] = acc;
}
