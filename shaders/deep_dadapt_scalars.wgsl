// deep_dadapt_scalars.wgsl — the scalar half of a DAdapt-AdamW step (spec §7.4), on the GPU so a
// step needs no read-back: num = Σ part[2w], ‖s‖₁ = Σ part[2w+1] (fixed tree), then with the OLD d
//   dlr = d · lr · dbc;  r ← sb2·r + (1 − sb2)·dlr·num;  d ← max(d, r / ((1 − sb2)·‖s‖₁))
// where ‖s‖₁ = 0 (e.g. nothing trainable, or g = 0 so far) leaves d unchanged; count += 1.
// Shapes: part 2·G f32; state [d, r, count, _] f32.
// Bindings (group 0): 0 params (uniform), 1 step (uniform), 2 part (read), 3 state (read_write).
// Workgroup: ONE workgroup of 256 threads (prelude tree_sum2); thread 0 writes the scalars.
struct Params { n: u32, P: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, wd: f32, G: u32 }
struct Step { t: f32, bc1: f32, bc2: f32, dbc: f32 }
@bindings(prm: uniform Params, step: uniform Step, part: read, state: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(local_invocation_index) li: u32) {
  var acc = vec2<f32>(0.0);
  for (var w = li; w < prm.G; w += WG_1D) { acc += vec2<f32>(part[2u * w], part[2u * w + 1u]); }
  let tot = tree_sum2(li, acc);
  if (li == 0u) {
    let sb2 = sqrt(prm.beta2);
    let d = state[0];
    let dlr = d * prm.lr * step.dbc;
    let r = sb2 * state[1] + (1.0 - sb2) * dlr * tot.x;
    state[1] = r;
    if (tot.y > 0.0) { state[0] = max(d, r / ((1.0 - sb2) * tot.y)); }
    state[2] += 1.0;
  }
}
