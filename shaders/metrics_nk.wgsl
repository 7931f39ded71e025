// metrics_nk.wgsl — first level of the cone sums over the n×K slack matrices (spec §4.4):
//   q0 ‖Gu − s‖²   q1 ‖Gu‖²   q2 ‖s‖²   q3 max(0, max(−Gu)) (cone violation)   q4 max|XU|
// (gated: has_cone = 0, only q4 is non-zero). Partials go to partials[g·5 + q]; q3 and q4 are
// max-reduced by reduce_finalize.wgsl (max_mask).
// Bindings: 0 params (uniform), 1 GU, 2 S, 3 Z (= XU) (read), 4 partials (read_write).
// Workgroup: 256 threads, grid-stride, then prelude tree_sum4 / tree_max2; grid G.
struct Params { count: u32, has_cone: u32, G: u32, _p: u32 }
@bindings(prm: uniform Params, GU: read, S: read, Z: read, partials: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  // sums: q0, q1, q2; maxima: q3, q4 (both start at 0).
  var sums = vec4<f32>(0.0);
  var maxes = vec2<f32>(0.0);
  for (var e = wg.x * WG_1D + li; e < prm.count; e += prm.G * WG_1D) {
    if (prm.has_cone == 1u) {
      let g = GU[e];
      let sl = S[e];
      sums[0] += (g - sl) * (g - sl);
      sums[1] += g * g;
      sums[2] += sl * sl;
      maxes[0] = max(maxes[0], -g);
    }
    maxes[1] = max(maxes[1], abs(Z[e]));
  }
  let s = tree_sum4(li, sums);
  let m = tree_max2(li, maxes);
  if (li == 0u) {
    for (var q = 0u; q < 3u; q++) { partials[wg.x * 5u + q] = s[q]; }
    partials[wg.x * 5u + 3u] = m.x;
    partials[wg.x * 5u + 4u] = m.y;
  }
}
