// deep_conv_bwd_weights.wgsl — kernel gradient of deep_conv_direct, first level of a split-K sum
// over the Q = Bmax·H·W output pixels:
//   part[s, ((ky·3+kx)·Cin+ci)·Cout+co] = Σ_{q in chunk s} x[q shifted by (ky−1, kx−1), ci] · dy[q, co]
// (out-of-image taps contribute 0). deep_colsum then sums the S partial rows into θ's gradient.
// Shapes (f32): x Bmax×H×W×Cin; dy Bmax×H×W×Cout; part S×(9·Cin·Cout).
// Bindings (group 0): 0 params (uniform), 1 x (read), 2 dy (read), 3 part (read_write).
// Workgroup: 256 threads; thread e = s·(9·Cin·⌈Cout/4⌉) + w handles split s and 4 consecutive
//   output channels of one tap (ky, kx, ci); pixels q = s·chunk … min((s+1)·chunk, Q) − 1.
//   Grid folded into 2-D.
struct Params { B: u32, H: u32, W: u32, Cin: u32, Cout: u32, S: u32, chunk: u32, _a: u32 }
@bindings(prm: uniform Params, x: read, dy: read, part: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  let Cin = prm.Cin;
  let Cout = prm.Cout;
  let G = (Cout + 3u) / 4u;
  let taps = 9u * Cin * G;
  if (e >= prm.S * taps) { return; }
  let s = e / taps;
  let w = e % taps;
  let co = 4u * (w % G);
  let tap = w / G;
  let ci = tap % Cin;
  let kk = tap / Cin;
  let c = lanes4(co, Cout);
  let q0 = s * prm.chunk;
  let q1 = min(q0 + prm.chunk, prm.B * prm.H * prm.W);
  var acc = vec4<f32>(0.0);
  for (var q = q0; q < q1; q++) {
    let src = shifted_pixel(pixel_of(q, prm.H, prm.W), i32(kk / 3u) - 1, i32(kk % 3u) - 1, prm.H, prm.W);
    if (src < 0) { continue; }
    let db = q * Cout;
    acc += x[u32(src) * Cin + ci] * vec4<f32>(dy[db + c.x], dy[db + c.y], dy[db + c.z], dy[db + c.w]);
  }
  let ob = s * 9u * Cin * Cout + tap * Cout + co;
  for (var j = 0u; j < 4u; j++) {
    if (co + j < Cout) { part[ob + j] = acc[j]; }
  }
}
