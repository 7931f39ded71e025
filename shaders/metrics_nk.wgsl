// metrics_nk.wgsl — first level of the cone sums over the n×K slack matrices (spec §4.4):
//   q0 ‖Gu − s‖²   q1 ‖Gu‖²   q2 ‖s‖²   q3 max(0, max(−Gu)) (cone violation)   q4 max|XU|
// (gated: has_cone = 0, only q4 is non-zero). Partials go to partials[g·5 + q]; q3 and q4 are
// max-reduced by reduce_finalize.wgsl (max_mask).
// Bindings: 0 params (uniform), 1 GU, 2 S, 3 Z (= XU) (read), 4 partials (read_write).
// Workgroup: 256 threads, grid-stride; grid G.
struct Params { count: u32, has_cone: u32, G: u32, _p: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> GU: array<f32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;
@group(0) @binding(3) var<storage, read> Z: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
var<workgroup> s: array<array<f32, 5>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  var acc = array<f32, 5>(0.0, 0.0, 0.0, 0.0, 0.0);
  for (var e = wg.x * 256u + li; e < prm.count; e += prm.G * 256u) {
    if (prm.has_cone == 1u) {
      let g = GU[e];
      let sl = S[e];
      acc[0] += (g - sl) * (g - sl);
      acc[1] += g * g;
      acc[2] += sl * sl;
      acc[3] = max(acc[3], -g);
    }
    acc[4] = max(acc[4], abs(Z[e]));
  }
  s[li] = acc;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (li < w) {
      for (var q = 0u; q < 3u; q++) { s[li][q] += s[li + w][q]; }
      s[li][3] = max(s[li][3], s[li + w][3]);
      s[li][4] = max(s[li][4], s[li + w][4]);
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    for (var q = 0u; q < 5u; q++) { partials[wg.x * 5u + q] = s[0][q]; }
  }
}
