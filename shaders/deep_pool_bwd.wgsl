// deep_pool_bwd.wgsl — gradient of deep_pool_fwd: dx[b, y, x, c] = ¼ dy[b, ⌊y/2⌋, ⌊x/2⌋, c] inside
// the pooled area, 0 on a dropped last row/column of an odd-sized input.
// Shapes (NHWC f32): dy Bmax×⌊H/2⌋×⌊W/2⌋×C, dx Bmax×H×W×C.
// Bindings: 0 params (uniform), 1 dy (read), 2 dx (read_write).
// Workgroup: 256 threads, one input element each; grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, C: u32 }
@bindings(prm: uniform Params, dy: read, dx: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let C = prm.C;
  if (e >= prm.B * prm.H * prm.W * C) { return; }
  let p = pixel_of(e / C, prm.H, prm.W);
  let Ho = prm.H / 2u;
  let Wo = prm.W / 2u;
  var v = 0.0;
  if (p.y / 2u < Ho && p.z / 2u < Wo) { v = 0.25 * dy[((p.x * Ho + p.y / 2u) * Wo + p.z / 2u) * C + e % C]; }
  dx[e] = v;
}
