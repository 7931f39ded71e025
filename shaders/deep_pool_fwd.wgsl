// deep_pool_fwd.wgsl — 2×2 average pooling, stride 2, VALID (odd H or W: the last row/column is
// dropped, Flax's avg_pool default): y[b, yo, xo, c] = ¼ Σ_{dy,dx<2} x[b, 2yo+dy, 2xo+dx, c].
// Shapes (NHWC f32): x Bmax×H×W×C, y Bmax×⌊H/2⌋×⌊W/2⌋×C.
// Bindings: 0 params (uniform), 1 x (read), 2 y (read_write).
// Workgroup: 256 threads, one output element each; grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, C: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let C = prm.C;
  let W = prm.W;
  let Ho = prm.H / 2u;
  let Wo = W / 2u;
  if (e >= prm.B * Ho * Wo * C) { return; }
  let c = e % C;
  let xo = (e / C) % Wo;
  let yo = (e / (C * Wo)) % Ho;
  let b = e / (C * Wo * Ho);
  let base = ((b * prm.H + 2u * yo) * W + 2u * xo) * C + c;
  y[e] = 0.25 * (x[base] + x[base + C] + x[base + W * C] + x[base + W * C + C]);
}
