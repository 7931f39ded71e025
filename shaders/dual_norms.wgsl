// dual_norms.wgsl — column norms for the dual lower bound (solver/residuals.ts, dualLowerBound):
//   out[col] = min_{c ≥ 0} ‖a + c·b‖  with a = W[:, col], W = Fᵀ(Fu − Y), b = ρ·GtNu[:, col]
//   c = max(0, −⟨a, b⟩/‖b‖²)  (residuals.ts coneMultiplierScale; gated: has_cone = 0, ‖a‖)
// The norm is summed again at that c, not taken as ‖a‖² − ⟨a, b⟩²/‖b‖², which cancels in float32
// near the optimum. The CPU takes the max over the K columns after the status read-back.
// Shapes: W, GtNu d×K. Bindings: 0 params (uniform), 1 W, 2 GtNu (read), 3 out (read_write, K),
// 4 admm (uniform: ρ).
// Workgroup: 256 threads striding over the d rows of one column, two tree reductions (prelude
// tree_sum2 for ⟨a, b⟩ and ‖b‖², tree_sum1 for the norm); grid K.
struct Params { d: u32, K: u32, has_cone: u32, _p: u32 }
@bindings(prm: uniform Params, W: read, GtNu: read, out: rw, admm: uniform Admm)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let col = wg.x;
  var acc = vec2<f32>(0.0);
  if (prm.has_cone == 1u) {
    for (var k = li; k < prm.d; k += WG_1D) {
      let b = admm.rho * GtNu[k * prm.K + col];
      acc += vec2<f32>(W[k * prm.K + col] * b, b * b);
    }
  }
  let ab_bb = tree_sum2(li, acc);
  var c = 0.0;
  if (ab_bb.y > 0.0 && ab_bb.x < 0.0) { c = -ab_bb.x / ab_bb.y; }
  var sq = 0.0;
  for (var k = li; k < prm.d; k += WG_1D) {
    var w = W[k * prm.K + col];
    if (prm.has_cone == 1u) { w += c * admm.rho * GtNu[k * prm.K + col]; }
    sq += w * w;
  }
  let tot = tree_sum1(li, sq);
  if (li == 0u) { out[col] = sqrt(tot); }
}
