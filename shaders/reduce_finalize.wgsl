// reduce_finalize.wgsl — second level of every reduction: out[dst + q] = Σ_g partials[g·Q + q]
// (or max_g when bit q of max_mask is set), summed by a fixed tree so results are deterministic
// and stay on the GPU (no read-back).
// Bindings: 0 params (uniform), 1 partials (read), 2 out (read_write).
// Workgroup: 256 threads; grid Q (one workgroup per quantity).
struct Params { G: u32, Q: u32, max_mask: u32, dst: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
var<workgroup> s: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let q = wg.x;
  let isMax = ((prm.max_mask >> q) & 1u) == 1u;
  var acc = 0.0;
  for (var g = li; g < prm.G; g += 256u) {
    let v = partials[g * prm.Q + q];
    if (isMax) { acc = max(acc, v); } else { acc += v; }
  }
  s[li] = acc;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (li < w) {
      if (isMax) { s[li] = max(s[li], s[li + w]); } else { s[li] += s[li + w]; }
    }
    workgroupBarrier();
  }
  if (li == 0u) { out[prm.dst + q] = s[0]; }
}
