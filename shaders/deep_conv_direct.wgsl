// deep_conv_direct.wgsl — 3×3 convolution, stride 1, 'same' zero padding, computed directly; one
// source for the forward pass and the input (data) gradient, which is the same loop over the
// spatially flipped, transposed kernel:
//   forward   (DATA_GRAD = false): y[b, py, px, co] = bias[co]
//                + Σ_{ky,kx<3} Σ_{ci<Cin} x[b, py+ky−1, px+kx−1, ci] · K[ky, kx, ci, co]
//   gradient  (DATA_GRAD = true):  dx[b, py, px, ci]
//                = Σ_{ky,kx<3} Σ_{co<Cout} dy[b, py−ky+1, px−kx+1, co] · K[ky, kx, ci, co]
// In both, `src` has nin channels (summed over) and `dst` nout channels (produced); K's entry for
// (summed channel i, produced channel o) of tap t is θ[ok + t·Cin·Cout + i·s_in + o·s_out]
// (HWIO: forward s_in = Cout, s_out = 1; gradient s_in = 1, s_out = Cout).
// Shapes (f32): src Bmax×H×W×nin (NHWC); K in θ at ok, HWIO ((ky·3+kx)·Cin+ci)·Cout+co; bias in θ
//   at obias (forward only, when has_bias == 1); dst Bmax×H×W×nout.
// Bindings (group 0): 0 params (uniform), 1 src (read: x or dy), 2 theta (read), 3 dst
//   (read_write: y or dx).
// Workgroup: 256 threads; thread e computes one pixel (b, py, px) × 4 consecutive produced
//   channels (a vec4 accumulator; lanes past nout are skipped), e = pixel·⌈nout/4⌉ + group, so
//   neighbouring threads share the pixel's source values. Grid folded into 2-D.
override DATA_GRAD: bool = false;
struct Params { B: u32, H: u32, W: u32, nin: u32, nout: u32, ok: u32, s_in: u32, s_out: u32, obias: u32, has_bias: u32, _a: u32, _b: u32 }
@bindings(prm: uniform Params, src: read, theta: read, dst: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let nin = prm.nin;
  let nout = prm.nout;
  let G = (nout + 3u) / 4u;
  if (e >= prm.B * prm.H * prm.W * G) { return; }
  let o0 = 4u * (e % G);
  let pix = e / G;
  let p = pixel_of(pix, prm.H, prm.W);
  // Produced channels past nout read a clamped (valid) kernel entry and are never stored.
  let ko = lanes4(o0, nout) * prm.s_out;
  // The forward pass reads the source at (py+ky−1, px+kx−1), the gradient at (py−ky+1, px−kx+1).
  let sgn = select(1, -1, DATA_GRAD);
  var acc = vec4<f32>(0.0);
  for (var ky = 0u; ky < 3u; ky++) {
    for (var kx = 0u; kx < 3u; kx++) {
      let q = shifted_pixel(p, sgn * (i32(ky) - 1), sgn * (i32(kx) - 1), prm.H, prm.W);
      if (q < 0) { continue; }
      let sb = u32(q) * nin;
      let kb = prm.ok + (ky * 3u + kx) * nin * nout;
      for (var i = 0u; i < nin; i++) {
        let k = kb + i * prm.s_in;
        acc += src[sb + i] * vec4<f32>(theta[k + ko.x], theta[k + ko.y], theta[k + ko.z], theta[k + ko.w]);
      }
    }
  }
  if (prm.has_bias == 1u) {
    let c = prm.obias + lanes4(o0, nout);
    acc += vec4<f32>(theta[c.x], theta[c.y], theta[c.z], theta[c.w]);
  }
  let db = pix * nout + o0;
  for (var j = 0u; j < 4u; j++) {
    if (o0 + j < nout) { dst[db + j] = acc[j]; }
  }
}
