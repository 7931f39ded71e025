// deep_im2col.wgsl — the patch matrix of a 3×3 'same' convolution, so the convolution becomes one
// GEMM (deep_gemm.wgsl): patches · K (forward), patchesᵀ · dY (kernel gradient):
//   patches[q·9·Cin + (ky·3 + kx)·Cin + ci] = x[b, py+ky−1, px+kx−1, ci] (0 outside the image),
//   q = (b·H + py)·W + px; the column order (ky, kx, ci) is the row order of the HWIO kernel.
// Used by bench/deep-bench.ts to compare with the direct kernels (the backend uses the direct
// ones, see solver/deep/gpu/kernels.ts); tested in tests/solver/gpu/deep-kernels.test.ts.
// Shapes (f32): x Bmax×H×W×Cin (NHWC); patches (Bmax·H·W)×(9·Cin).
// Bindings (group 0): 0 params (uniform), 1 x (read), 2 patches (read_write).
// Workgroup: 256 threads, one patch element each; grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, Cin: u32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> patches: array<f32>;

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let H = prm.H;
  let W = prm.W;
  let Cin = prm.Cin;
  let cols = 9u * Cin;
  if (e >= prm.B * H * W * cols) { return; }
  let col = e % cols;
  let q = e / cols;
  let ci = col % Cin;
  let kk = col / Cin;
  let px = q % W;
  let py = (q / W) % H;
  let b = q / (W * H);
  let iy = i32(py) + i32(kk / 3u) - 1;
  let ix = i32(px) + i32(kk % 3u) - 1;
  var v = 0.0;
  if (iy >= 0 && iy < i32(H) && ix >= 0 && ix < i32(W)) { v = x[((b * H + u32(iy)) * W + u32(ix)) * Cin + ci]; }
  patches[e] = v;
}
