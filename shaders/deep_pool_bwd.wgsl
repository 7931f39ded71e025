// deep_pool_bwd.wgsl — gradient of deep_pool_fwd: dx[b, y, x, c] = ¼ dy[b, ⌊y/2⌋, ⌊x/2⌋, c] inside
// the pooled area, 0 on a dropped last row/column of an odd-sized input.
// Shapes (NHWC f32): dy Bmax×⌊H/2⌋×⌊W/2⌋×C, dx Bmax×H×W×C.
// Bindings: 0 params (uniform), 1 dy (read), 2 dx (read_write).
// Workgroup: 256 threads, one input element each; grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, C: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let C = prm.C;
  let W = prm.W;
  let H = prm.H;
  if (e >= prm.B * H * W * C) { return; }
  let c = e % C;
  let x = (e / C) % W;
  let y = (e / (C * W)) % H;
  let b = e / (C * W * H);
  let Ho = H / 2u;
  let Wo = W / 2u;
  var v = 0.0;
  if (y / 2u < Ho && x / 2u < Wo) { v = 0.25 * dy[((b * Ho + y / 2u) * Wo + x / 2u) * C + c]; }
  dx[e] = v;
}
