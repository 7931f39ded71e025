// pcg_step.wgsl — one PCG scalar step fused with the vector update it feeds (spec §4.3), so a
// PCG iteration needs two dispatches fewer than with separate scalar and update kernels.
// Every thread derives its class's α or β itself from the dot products and the state; thread
// e < C also writes the state of class e. The dots come as block_dot.wgsl's first-level
// partials (partials[g·Q + q], Q = pairs·C, q = pair·C + c) and every thread sums them in the
// same fixed order (8 interleaved partial sums, then those in order), which replaces the
// second-level reduce_finalize dispatch: every reader and the writer get the same value.
//   mode 1 (α, after w = A p, dots = p·w):
//     ok = active ∧ pAp > 0;  α = ok ? rz/pAp : 0;  x += α p;  r −= α w
//     state: rzPrev = rz, α, active &= ok, iters += ok
//   mode 2 (β, after z = M r, dots = (r·z, r·r)):
//     active' = active ∧ √rr > tol;  β = rz'/rzPrev;  p = z + β p where active'
//     state (active classes): rz = rz', rr, res = √rr, β, active'
// Races are benign by construction: within a dispatch the writers change only `active` (which
// readers combine idempotently: active' = active ∧ cond gives the same for the old and the new
// value) and slots the readers of that mode do not read (mode 1 reads rz, mode 2 reads rzPrev).
// State per class c (8 f32 at pcg[8c…]): rz, rzPrev, rr, alpha, beta, active, iters, res.
// Shapes: x, r, p, w, z are d×K (count = d·K ≥ C), column col belongs to class c = col / (S·P).
// Bindings: 0 params (uniform: G partial groups, Q = pairs·C), 1 partials (read), 2 pcg state
//           (read_write), 3 x, 4 r, 5 p,
//           6 w (read), 7 z (read), 8 admm (uniform: pcg_tol).
// Workgroup: 256 threads, one element each; grid folded into 2-D.
struct Params { count: u32, K: u32, SP: u32, C: u32, mode: u32, G: u32, Q: u32, _p0: u32 }
@bindings(prm: uniform Params, partials: read, pcg: rw, x: rw, r: rw, p: rw, w: read, z: read, admm: uniform Admm)

// Σ_g partials[g·Q + q] in a fixed order: 8 interleaved running sums (g mod 8), then their sum.
fn dot_of(q: u32) -> f32 {
  var s = array<f32, 8>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  for (var g = 0u; g < prm.G; g++) { s[g % 8u] += partials[g * prm.Q + q]; }
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// α of class c and whether its step is taken (pAp ≤ 0 only through float32 breakdown: freeze).
fn alpha_of(c: u32) -> vec2f {
  let pAp = dot_of(c);
  let ok = pcg[8u * c + 5u] > 0.5 && pAp > 0.0;
  return vec2f(select(0.0, pcg[8u * c] / pAp, ok), select(0.0, 1.0, ok));
}

// β of class c and whether it stays active after this step.
fn beta_of(c: u32) -> vec2f {
  let res = sqrt(max(dot_of(prm.C + c), 0.0));
  let stays = pcg[8u * c + 5u] > 0.5 && res > admm.pcg_tol;
  let rzPrev = pcg[8u * c + 1u];
  return vec2f(select(0.0, dot_of(c) / rzPrev, rzPrev != 0.0), select(0.0, 1.0, stays));
}

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e >= prm.count) { return; }
  let c = (e % prm.K) / prm.SP;
  if (prm.mode == 1u) {
    let a = alpha_of(c).x;
    x[e] = x[e] + a * p[e];
    r[e] = r[e] - a * w[e];
  } else {
    let bt = beta_of(c);
    if (bt.y > 0.5) { p[e] = z[e] + bt.x * p[e]; }
  }
  if (e >= prm.C) { return; }
  // The writer of class e's state (computed from the same inputs as every reader above).
  let b = 8u * e;
  if (prm.mode == 1u) {
    let a = alpha_of(e);
    pcg[b + 1u] = pcg[b];
    pcg[b + 3u] = a.x;
    if (a.y < 0.5) { pcg[b + 5u] = 0.0; }
    pcg[b + 6u] = pcg[b + 6u] + a.y;
  } else {
    if (pcg[b + 5u] < 0.5) { pcg[b + 4u] = 0.0; return; }
    let bt = beta_of(e);
    let rr = max(dot_of(prm.C + e), 0.0);
    pcg[b + 4u] = bt.x;
    pcg[b + 0u] = dot_of(e);
    pcg[b + 2u] = rr;
    pcg[b + 7u] = sqrt(rr);
    pcg[b + 5u] = bt.y;
  }
}
