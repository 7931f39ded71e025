// deep_dadapt.wgsl — fused DAdapt-AdamW element update (spec §7.4, optax contrib) over θ[0, n),
// plus the first level of its two global sums. With d the OLD estimate (state[0]) and
// dlr = d · lr · dbc (dbc = sqrt(1 − β2^t)/(1 − β1^t), per step in `step`):
//   num_i = g_i · s_i / (sqrt(v_i) + ε)            (OLD s and v)
//   m ← β1 m + (1−β1)·dlr·g;  v ← β2 v + (1−β2)·g²;  s ← sb2 s + (1−sb2)·dlr·g   (sb2 = sqrt β2)
//   θ ← θ − m/(sqrt(v) + ε) − wd·dlr·θ
// part[2w] = Σ num_i and part[2w+1] = Σ |s_i| (NEW s) over the elements of workgroup w;
// deep_dadapt_scalars.wgsl sums them and updates r, d, count. Nothing here reads what that writes.
// Shapes: g, θ ≥ n f32; mom: m [0, P), v [P, 2P), s [2P, 3P) f32; state [d, r, count, _]; part 2·G.
// Bindings (group 0): 0 params (uniform; n rewritten by setTrainable), 1 step (uniform), 2 g (read),
//   3 theta (read_write), 4 mom (read_write), 5 state (read), 6 part (read_write).
// Workgroup: 256 threads; a fixed 1-D grid of G workgroups, grid-stride over [0, n), then the
//   prelude's fixed tree (deterministic partial sums).
struct Params { n: u32, P: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, wd: f32, G: u32 }
struct Step { t: f32, bc1: f32, bc2: f32, dbc: f32 }
@bindings(prm: uniform Params, step: uniform Step, g: read, theta: rw, mom: rw, state: read, part: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let n = prm.n;
  let P = prm.P;
  let b1 = prm.beta1;
  let b2 = prm.beta2;
  let sb2 = sqrt(b2);
  let eps = prm.eps;
  let dlr = state[0] * prm.lr * step.dbc;
  let stride = nwg.x * WG_1D;
  var num = 0.0;
  var s1 = 0.0;
  for (var e = wg.x * WG_1D + li; e < n; e += stride) {
    let gi = g[e];
    let vOld = mom[P + e];
    let sOld = mom[2u * P + e];
    num += gi * sOld / (sqrt(vOld) + eps);
    let m = b1 * mom[e] + (1.0 - b1) * dlr * gi;
    let v = b2 * vOld + (1.0 - b2) * gi * gi;
    let s = sb2 * sOld + (1.0 - sb2) * dlr * gi;
    mom[e] = m;
    mom[P + e] = v;
    mom[2u * P + e] = s;
    s1 += abs(s);
    let th = theta[e];
    theta[e] = th - m / (sqrt(v) + eps) - prm.wd * dlr * th;
  }
  let tot = tree_sum2(li, vec2<f32>(num, s1));
  if (li == 0u) {
    part[2u * wg.x] = tot.x;
    part[2u * wg.x + 1u] = tot.y;
  }
}
