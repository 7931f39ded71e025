// dual_norms.wgsl — column norms for the dual lower bound (solver/residuals.ts, dualLowerBound):
//   out[col] = ‖W[:, col] + ρ·GtNu[:, col]‖   with W = Fᵀ(Fu − Y)   (gated: has_cone = 0, ‖W[:, col]‖)
// The CPU takes the max over the K columns after the status read-back.
// Shapes: W, GtNu d×K. Bindings: 0 params (uniform), 1 W, 2 GtNu (read), 3 out (read_write, K),
// 4 admm (uniform: ρ).
// Workgroup: 256 threads striding over the d rows of one column, tree reduction (prelude tree_sum1); grid K.
struct Params { d: u32, K: u32, has_cone: u32, _p: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> GtNu: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> admm: Admm;

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let col = wg.x;
  var acc = 0.0;
  for (var k = li; k < prm.d; k += WG_1D) {
    var w = W[k * prm.K + col];
    if (prm.has_cone == 1u) { w += admm.rho * GtNu[k * prm.K + col]; }
    acc += w * w;
  }
  let tot = tree_sum1(li, acc);
  if (li == 0u) { out[col] = sqrt(tot); }
}
