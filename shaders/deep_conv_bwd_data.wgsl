// deep_conv_bwd_data.wgsl — input gradient of deep_conv_fwd (a 'same' convolution of dy with the
// spatially flipped, transposed kernel):
//   dx[b, py, px, ci] = Σ_{ky,kx<3} Σ_{co<Cout} dy[b, py−ky+1, px−kx+1, co] · K[ky, kx, ci, co]
// Shapes (f32): dy Bmax×H×W×Cout; K in θ at ok (HWIO); dx Bmax×H×W×Cin.
// Bindings (group 0): 0 params (uniform), 1 dy (read), 2 theta (read), 3 dx (read_write).
// Workgroup: 256 threads; thread e computes one input pixel × 4 consecutive input channels (vec4
//   accumulator), e = pixel·⌈Cin/4⌉ + group. Grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, Cin: u32, Cout: u32, ok: u32, _a: u32, _b: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> theta: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let H = prm.H;
  let W = prm.W;
  let Cin = prm.Cin;
  let Cout = prm.Cout;
  let G = (Cin + 3u) / 4u;
  if (e >= prm.B * H * W * G) { return; }
  let ci = 4u * (e % G);
  let pix = e / G;
  let px = pix % W;
  let py = (pix / W) % H;
  let b = pix / (W * H);
  // Kernel rows of input channels past Cin are clamped into range and never stored.
  let r0 = ci * Cout;
  let r1 = min(ci + 1u, Cin - 1u) * Cout;
  let r2 = min(ci + 2u, Cin - 1u) * Cout;
  let r3 = min(ci + 3u, Cin - 1u) * Cout;
  var acc = vec4<f32>(0.0);
  for (var ky = 0u; ky < 3u; ky++) {
    let oy = i32(py) - i32(ky) + 1;
    if (oy < 0 || oy >= i32(H)) { continue; }
    for (var kx = 0u; kx < 3u; kx++) {
      let ox = i32(px) - i32(kx) + 1;
      if (ox < 0 || ox >= i32(W)) { continue; }
      let db = ((b * H + u32(oy)) * W + u32(ox)) * Cout;
      let kb = prm.ok + (ky * 3u + kx) * Cin * Cout;
      for (var co = 0u; co < Cout; co++) {
        let g = dy[db + co];
        acc += g * vec4<f32>(theta[kb + r0 + co], theta[kb + r1 + co], theta[kb + r2 + co], theta[kb + r3 + co]);
      }
    }
  }
  let xb = pix * Cin + ci;
  for (var j = 0u; j < 4u; j++) {
    if (ci + j < Cin) { dx[xb + j] = acc[j]; }
  }
}
