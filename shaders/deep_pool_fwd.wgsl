// deep_pool_fwd.wgsl — 2×2 average pooling, stride 2, VALID (odd H or W: the last row/column is
// dropped, Flax's avg_pool default): y[b, yo, xo, c] = ¼ Σ_{dy,dx<2} x[b, 2yo+dy, 2xo+dx, c].
// Shapes (NHWC f32): x Bmax×H×W×C, y Bmax×⌊H/2⌋×⌊W/2⌋×C.
// Bindings: 0 params (uniform), 1 x (read), 2 y (read_write).
// Workgroup: 256 threads, one output element each; grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, C: u32 }
@bindings(prm: uniform Params, x: read, y: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let C = prm.C;
  let W = prm.W;
  let Ho = prm.H / 2u;
  let Wo = W / 2u;
  if (e >= prm.B * Ho * Wo * C) { return; }
  let o = pixel_of(e / C, Ho, Wo);
  let base = ((o.x * prm.H + 2u * o.y) * W + 2u * o.z) * C + e % C;
  y[e] = 0.25 * (x[base] + x[base + C] + x[base + W * C] + x[base + W * C + C]);
}
