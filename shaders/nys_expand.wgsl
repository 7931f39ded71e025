// nys_expand.wgsl — second half of the Nyström apply (spec §5.2, cancellation-friendly form):
//   z = x + Unys (coef ∘ t_c),   coef_j = (λ̂_r + μ)/(λ̂_j + μ) − 1  (computed in float64 on the CPU)
// Shapes: x, z d×K (batched layout), Unys N×r, coef r, t r×C (from nys_project.wgsl).
// Bindings: 0 params (uniform), 1 Unys, 2 coef, 3 t, 4 x (read), 5 z (read_write).
// Workgroup: 256 threads, one element of z each; grid folded into 2-D.
struct Params { d: u32, P: u32, S: u32, C: u32, r: u32, _p0: u32, _p1: u32, _p2: u32 }
@bindings(prm: uniform Params, Unys: read, coef: read, t: read, x: read, z: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let SP = prm.S * prm.P;
  let K = prm.C * SP;
  if (e >= prm.d * K) { return; }
  let k = e / K;
  let col = e % K;
  let c = col / SP;
  let sgn = (col % SP) / prm.P;
  let i = col % prm.P;
  let flat = sgn * prm.d * prm.P + k * prm.P + i;
  var acc = 0.0;
  for (var j = 0u; j < prm.r; j++) {
    acc += Unys[flat * prm.r + j] * coef[j] * t[j * prm.C + c];
  }
  z[e] = x[e] + acc;
}
