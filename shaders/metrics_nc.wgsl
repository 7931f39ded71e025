// metrics_nc.wgsl — first level of the fit metrics over predictions F (n×C) and ±1 targets Y:
//   q0 ‖F − Y‖²   q1 number of correct rows (C = 1: sign(F) = y, sign(0) counts as wrong;
//   C > 1: argmax_c F = argmax_c Y)   q2 ⟨F − Y, Y⟩ (for the dual bound).
// Partials go to partials[g·3 + q].
// Bindings: 0 params (uniform), 1 F, 2 Y (read), 3 partials (read_write).
// Workgroup: 256 threads, grid-stride over rows, then prelude tree_sum4; grid G.
struct Params { n: u32, C: u32, G: u32, _p: u32 }
@bindings(prm: uniform Params, F: read, Y: read, partials: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  var sq = 0.0;
  var ok = 0.0;
  var ry = 0.0;
  for (var j = wg.x * WG_1D + li; j < prm.n; j += prm.G * WG_1D) {
    var best = 0u;
    var label = 0u;
    for (var c = 0u; c < prm.C; c++) {
      let f = F[j * prm.C + c];
      let y = Y[j * prm.C + c];
      sq += (f - y) * (f - y);
      ry += (f - y) * y;
      if (f > F[j * prm.C + best]) { best = c; }
      if (y > 0.0) { label = c; }
    }
    if (prm.C == 1u) {
      let f = F[j];
      let y = Y[j];
      if ((f > 0.0 && y > 0.0) || (f < 0.0 && y < 0.0)) { ok += 1.0; }
    } else if (best == label) {
      ok += 1.0;
    }
  }
  let tot = tree_sum4(li, vec4<f32>(sq, ok, ry, 0.0));
  if (li == 0u) {
    partials[wg.x * 3u] = tot.x;
    partials[wg.x * 3u + 1u] = tot.y;
    partials[wg.x * 3u + 2u] = tot.z;
  }
}
