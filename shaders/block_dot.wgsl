// block_dot.wgsl — first level of the per-class dot products a·b (and optionally c·e) over the
// class blocks of d×K matrices (class c owns columns [c·SP, (c+1)·SP)). Grid-stride loop per
// thread, then a workgroup tree (prelude tree_sum2); reduce_finalize.wgsl sums the partials in a fixed order.
// Output: partials[g·Q + q·C + c], Q = pairs·C, g = workgroup x index.
// Bindings: 0 params (uniform), 1 a, 2 b, 3 c2, 4 e2 (read), 5 partials (read_write).
// Workgroup: 256 threads; grid (G, C).
struct Params { rows: u32, K: u32, SP: u32, C: u32, pairs: u32, G: u32, _p0: u32, _p1: u32 }
@bindings(prm: uniform Params, a: read, b: read, c2: read, e2: read, partials: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let g = wg.x;
  let cls = wg.y;
  let len = prm.rows * prm.SP;
  var acc0 = 0.0;
  var acc1 = 0.0;
  for (var e = g * WG_1D + li; e < len; e += prm.G * WG_1D) {
    let idx = (e / prm.SP) * prm.K + cls * prm.SP + (e % prm.SP);
    acc0 += a[idx] * b[idx];
    if (prm.pairs == 2u) { acc1 += c2[idx] * e2[idx]; }
  }
  let tot = tree_sum2(li, vec2<f32>(acc0, acc1));
  if (li == 0u) {
    let Q = prm.pairs * prm.C;
    partials[g * Q + cls] = tot.x;
    if (prm.pairs == 2u) { partials[g * Q + prm.C + cls] = tot.y; }
  }
}
