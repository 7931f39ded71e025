// deep_adam.wgsl — fused Adam / AdamW (optax form) over θ[0, n), t = count + 1:
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   θ ← θ − lr·( (m / bc1) / (sqrt(v / bc2) + ε) + wd·θ_old )     bc1 = 1 − β1^t, bc2 = 1 − β2^t
// (Adam: wd = 0). The bias corrections come per step in `step` (computed in float64 on the CPU
// and written with queue.writeBuffer); thread 0 counts the step (state[2] += 1).
// Shapes: g, θ ≥ n f32; mom: m at [0, P), v at [P, 2P) f32; state [d, r, count, _] f32.
// Bindings (group 0): 0 params (uniform; n rewritten by setTrainable), 1 step (uniform),
//   2 g (read), 3 theta (read_write), 4 mom (read_write), 5 state (read_write).
// Workgroup: 256 threads, 1 element each; grid folded into 2-D (sized for all of θ).
struct Params { n: u32, P: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, wd: f32, G: u32 }
struct Step { t: f32, bc1: f32, bc2: f32, dbc: f32 }
@bindings(prm: uniform Params, step: uniform Step, g: read, theta: rw, mom: rw, state: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e == 0u) { state[2] += 1.0; }
  if (e >= prm.n) { return; }
  let gi = g[e];
  let m = prm.beta1 * mom[e] + (1.0 - prm.beta1) * gi;
  let v = prm.beta2 * mom[prm.P + e] + (1.0 - prm.beta2) * gi * gi;
  mom[e] = m;
  mom[prm.P + e] = v;
  let th = theta[e];
  theta[e] = th - prm.lr * ((m / step.bc1) / (sqrt(v / step.bc2) + prm.eps) + prm.wd * th);
}
