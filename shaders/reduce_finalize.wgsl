// reduce_finalize.wgsl — second level of every reduction: out[dst + q] = Σ_g partials[g·Q + q]
// (or max_g when bit q of max_mask is set), summed by a fixed tree so results are deterministic
// and stay on the GPU (no read-back).
// Bindings: 0 params (uniform), 1 partials (read), 2 out (read_write).
// Workgroup: 256 threads, prelude tree_sum1 / tree_max1; grid Q (one workgroup per quantity).
struct Params { G: u32, Q: u32, max_mask: u32, dst: u32 }
@bindings(prm: uniform Params, partials: read, out: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let q = wg.x;
  let isMax = ((prm.max_mask >> q) & 1u) == 1u;
  var acc = 0.0;
  for (var g = li; g < prm.G; g += WG_1D) {
    let v = partials[g * prm.Q + q];
    if (isMax) { acc = max(acc, v); } else { acc += v; }
  }
  // isMax depends only on the uniform params and the workgroup id, so both calls stay uniform.
  var tot: f32;
  if (isMax) {
    tot = tree_max1(li, acc);
  } else {
    tot = tree_sum1(li, acc);
  }
  if (li == 0u) { out[prm.dst + q] = tot; }
}
