// deep_conv_fwd.wgsl — 3×3 convolution, stride 1, 'same' zero padding (direct):
//   y[b, py, px, co] = bias[co] + Σ_{ky,kx<3} Σ_{ci<Cin} x[b, py+ky−1, px+kx−1, ci] · K[ky, kx, ci, co]
// Shapes (f32): x Bmax×H×W×Cin (NHWC); K in θ at ok, HWIO ((ky·3+kx)·Cin+ci)·Cout+co; bias in θ
//   at obias (when has_bias == 1); y Bmax×H×W×Cout.
// Bindings (group 0): 0 params (uniform), 1 x (read), 2 theta (read), 3 y (read_write).
// Workgroup: 256 threads; thread e computes one output pixel (b, py, px) × 4 consecutive output
//   channels (a vec4 accumulator; channels past Cout are skipped), e = pixel·⌈Cout/4⌉ + group, so
//   neighbouring threads share the pixel's input values and read consecutive kernel entries.
//   Grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, Cin: u32, Cout: u32, ok: u32, obias: u32, has_bias: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> theta: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let H = prm.H;
  let W = prm.W;
  let Cin = prm.Cin;
  let Cout = prm.Cout;
  let G = (Cout + 3u) / 4u;
  if (e >= prm.B * H * W * G) { return; }
  let co = 4u * (e % G);
  let pix = e / G;
  let px = pix % W;
  let py = (pix / W) % H;
  let b = pix / (W * H);
  let ok = prm.ok;
  // Channels past Cout read a clamped (valid) kernel column and are never stored.
  let c1 = min(co + 1u, Cout - 1u);
  let c2 = min(co + 2u, Cout - 1u);
  let c3 = min(co + 3u, Cout - 1u);
  var acc = vec4<f32>(0.0);
  for (var ky = 0u; ky < 3u; ky++) {
    let iy = i32(py) + i32(ky) - 1;
    if (iy < 0 || iy >= i32(H)) { continue; }
    for (var kx = 0u; kx < 3u; kx++) {
      let ix = i32(px) + i32(kx) - 1;
      if (ix < 0 || ix >= i32(W)) { continue; }
      let xb = ((b * H + u32(iy)) * W + u32(ix)) * Cin;
      let kb = ok + (ky * 3u + kx) * Cin * Cout;
      for (var ci = 0u; ci < Cin; ci++) {
        let xv = x[xb + ci];
        let r = kb + ci * Cout;
        acc += xv * vec4<f32>(theta[r + co], theta[r + c1], theta[r + c2], theta[r + c3]);
      }
    }
  }
  if (prm.has_bias == 1u) {
    acc += vec4<f32>(theta[prm.obias + co], theta[prm.obias + c1], theta[prm.obias + c2], theta[prm.obias + c3]);
  }
  let yb = pix * Cout + co;
  for (var j = 0u; j < 4u; j++) {
    if (co + j < Cout) { y[yb + j] = acc[j]; }
  }
}
