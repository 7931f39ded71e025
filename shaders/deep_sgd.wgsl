// deep_sgd.wgsl — fused SGD with heavy-ball momentum (PyTorch/optax form) over θ[0, n):
//   m ← μ·m + g;  θ ← θ − lr·m.   Thread 0 also counts the step (state[2] += 1).
// Shapes: g, θ: ≥ n f32; mom: m at [0, n) f32; state [d, r, count, _] f32.
// Bindings (group 0): 0 params (uniform; n rewritten by setTrainable), 1 g (read),
//   2 theta (read_write), 3 mom (read_write), 4 state (read_write).
// Workgroup: 256 threads, 1 element each; grid folded into 2-D (sized for all of θ).
struct Params { n: u32, P: u32, lr: f32, mu: f32 }
@bindings(prm: uniform Params, g: read, theta: rw, mom: rw, state: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = flat_index(wg, nwg, li);
  if (e == 0u) { state[2] += 1.0; }
  if (e >= prm.n) { return; }
  let m = prm.mu * mom[e] + g[e];
  mom[e] = m;
  theta[e] -= prm.lr * m;
}
