// deep_im2col.wgsl — the patch matrix of a 3×3 'same' convolution, so the convolution becomes one
// GEMM (deep_gemm.wgsl): patches · K (forward), patchesᵀ · dY (kernel gradient):
//   patches[q·9·Cin + (ky·3 + kx)·Cin + ci] = x[b, py+ky−1, px+kx−1, ci] (0 outside the image),
//   q = (b·H + py)·W + px; the column order (ky, kx, ci) is the row order of the HWIO kernel.
// The backend's conv kernel gradient (patchesᵀ·dY, split-K) where the patches fit a binding;
// bench/deep-bench.ts also compares the im2col forms with the direct kernels (solver/deep/gpu/kernels.ts).
// Tested in tests/solver/gpu/deep-kernels.test.ts and through the backend's CNN trajectories.
// Shapes (f32): x Bmax×H×W×Cin (NHWC); patches (Bmax·H·W)×(9·Cin).
// Bindings (group 0): 0 params (uniform), 1 x (read), 2 patches (read_write).
// Workgroup: 256 threads, one patch element each; grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, Cin: u32 }
@bindings(prm: uniform Params, x: read, patches: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let Cin = prm.Cin;
  let cols = 9u * Cin;
  if (e >= prm.B * prm.H * prm.W * cols) { return; }
  let col = e % cols;
  let kk = col / Cin;
  let src = shifted_pixel(pixel_of(e / cols, prm.H, prm.W), i32(kk / 3u) - 1, i32(kk % 3u) - 1, prm.H, prm.W);
  var v = 0.0;
  if (src >= 0) { v = x[u32(src) * Cin + col % Cin]; }
  patches[e] = v;
}
