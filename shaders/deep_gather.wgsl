// deep_gather.wgsl — the minibatch (or one evaluation chunk) of a split's rows into the first
// activation: out[b·D + k] = X[src(b)·D + k] for b < batch.B, and 0 for batch.B ≤ b < Bmax, so a
// partial batch runs through the full-size buffers with zero rows that contribute nothing to any
// gradient (every backward product is linear in the loss gradient, which is 0 there).
// src(b) = idx[b] (mode 0: training step, only the index list is uploaded per step) or
// batch.base + b (mode 1: contiguous evaluation chunk).
// The split's X is resident in up to 4 row blocks of `rows_per_block` rows each (so a split larger
// than maxStorageBufferBindingSize still gathers from one kernel); unused blocks bind block 0.
// Shapes: X0..X3 rows_per_block×D f32 (the last block may be shorter); idx ≥ B u32; out Bmax×D f32.
// Bindings (group 0): 0 params (uniform), 1 batch (uniform, written per step / per chunk),
//   2 idx (read), 3 out (read_write), 4..7 X0..X3 (read).
// Workgroup: 256 threads, one output element each; grid folded into 2-D.
struct Params { D: u32, Bmax: u32, mode: u32, rows_per_block: u32 }
struct Batch { B: u32, base: u32, invB: f32, _p: u32 }
@bindings(prm: uniform Params, batch: uniform Batch, idx: read u32, out: rw, X0: read, X1: read, X2: read, X3: read)

// Element k of split row `row` from its block (WGSL cannot index an array of bindings).
fn loadX(row: u32, k: u32, D: u32) -> f32 {
  let blk = row / prm.rows_per_block;
  let i = (row - blk * prm.rows_per_block) * D + k;
  if (blk == 0u) { return X0[i]; }
  if (blk == 1u) { return X1[i]; }
  if (blk == 2u) { return X2[i]; }
  return X3[i];
}

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let D = prm.D;
  if (e >= prm.Bmax * D) { return; }
  let b = e / D;
  let k = e % D;
  var v = 0.0;
  if (b < batch.B) {
    var src = batch.base + b;
    if (prm.mode == 0u) { src = idx[b]; }
    v = loadX(src, k, D);
  }
  out[e] = v;
}
