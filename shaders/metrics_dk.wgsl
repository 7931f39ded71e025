// metrics_dk.wgsl — first level of the ADMM residual sums over the d×K variables (spec §4.4):
//   q0 ‖u − v‖²   q1 ‖u‖²   q2 ‖v‖²   q3 ‖(v − v_prev) + (Gᵀs − Gᵀs_prev)‖²   q4 ‖λ + Gᵀν‖²
// (gated: has_cone = 0 and the Gᵀ terms are dropped). Partials go to partials[g·5 + q].
// Bindings: 0 params (uniform), 1 U, 2 V, 3 Vprev, 4 Lam, 5 GtS, 6 GtSprev, 7 GtNu (read),
//           8 partials (read_write).
// Workgroup: 256 threads, grid-stride, then prelude tree_sum4 (q0–q3) and tree_sum1 (q4); grid G.
struct Params { count: u32, has_cone: u32, G: u32, _p: u32 }
@bindings(prm: uniform Params, U: read, V: read, Vprev: read, Lam: read, GtS: read, GtSprev: read, GtNu: read, partials: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  var acc = vec4<f32>(0.0);
  var acc4 = 0.0;
  for (var e = wg.x * WG_1D + li; e < prm.count; e += prm.G * WG_1D) {
    let u = U[e];
    let v = V[e];
    var dv = v - Vprev[e];
    var lg = Lam[e];
    if (prm.has_cone == 1u) {
      dv += GtS[e] - GtSprev[e];
      lg += GtNu[e];
    }
    acc[0] += (u - v) * (u - v);
    acc[1] += u * u;
    acc[2] += v * v;
    acc[3] += dv * dv;
    acc4 += lg * lg;
  }
  let q03 = tree_sum4(li, acc);
  let q4 = tree_sum1(li, acc4);
  if (li == 0u) {
    for (var q = 0u; q < 4u; q++) { partials[wg.x * 5u + q] = q03[q]; }
    partials[wg.x * 5u + 4u] = q4;
  }
}
