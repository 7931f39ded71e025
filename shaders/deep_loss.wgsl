// deep_loss.wgsl — loss of the network outputs F against the targets, on the GPU:
//   kind 0 'mse':        ℓ_b = Σ_k (f_bk − y_bk)²,            ∂ℓ_b/∂f_bk = 2(f_bk − y_bk)
//   kind 1 'softmax-ce': ℓ_b = −Σ_k y_bk (f_bk − lse_b),       ∂ℓ_b/∂f_bk = (Σ_k y_bk)·softmax_bk − y_bk
//   (lse_b = m_b + log Σ_k exp(f_bk − m_b), m_b = max_k f_bk: stable).
// mode 0 (training step): G = ∂(mean_b ℓ_b)/∂F = ∂ℓ_b/∂f · batch.invB for b < B, 0 for the padding
//   rows B ≤ b < Bmax; acc[0] += mean_b ℓ_b, acc[1] += 1 (steps since takeLoss).
// mode 1 (evaluation chunk): acc[2] += Σ_b ℓ_b, acc[3] += correct rows (one output: f > 0 ↔ label 1;
//   else the first argmax = label); G is not written.
// Row b's target row is idx[b] (mode 0) or batch.base + b (mode 1).
// Shapes: F Bmax×K f32; Y n×K f32; labels n u32; idx ≥ B u32; G Bmax×K f32; acc 4 f32.
// Bindings (group 0): 0 params (uniform), 1 batch (uniform), 2 idx (read), 3 F (read), 4 Y (read),
//   5 labels (read), 6 G (read_write), 7 acc (read_write).
// Workgroup: ONE workgroup of 256 threads; thread li takes rows li, li + 256, …; per-thread sums
//   are combined by the prelude's fixed tree (deterministic), thread 0 adds them to acc.
struct Params { K: u32, Bmax: u32, kind: u32, mode: u32 }
struct Batch { B: u32, base: u32, invB: f32, _p: u32 }
@bindings(prm: uniform Params, batch: uniform Batch, idx: read u32, F: read, Y: read, labels: read u32, G: rw, acc: rw)

fn rowMax(fb: u32, K: u32) -> f32 {
  var m = F[fb];
  for (var k = 1u; k < K; k++) { m = max(m, F[fb + k]); }
  return m;
}

@compute @workgroup_size(WG_1D)
fn main(@builtin(local_invocation_index) li: u32) {
  let K = prm.K;
  let B = batch.B;
  let train = prm.mode == 0u;
  var lossSum = 0.0;
  var correct = 0.0;
  for (var b = li; b < prm.Bmax; b += WG_1D) {
    let fb = b * K;
    if (b >= B) {
      if (train) { for (var k = 0u; k < K; k++) { G[fb + k] = 0.0; } }
      continue;
    }
    var row = batch.base + b;
    if (train) { row = idx[b]; }
    let yb = row * K;
    var l = 0.0;
    if (prm.kind == 0u) {
      for (var k = 0u; k < K; k++) {
        let r = F[fb + k] - Y[yb + k];
        l += r * r;
        if (train) { G[fb + k] = 2.0 * r * batch.invB; }
      }
    } else {
      let m = rowMax(fb, K);
      var z = 0.0;
      var ysum = 0.0;
      for (var k = 0u; k < K; k++) {
        z += exp(F[fb + k] - m);
        ysum += Y[yb + k];
      }
      let lse = m + log(z);
      for (var k = 0u; k < K; k++) {
        let f = F[fb + k];
        let y = Y[yb + k];
        l -= y * (f - lse);
        if (train) { G[fb + k] = (ysum * exp(f - lse) - y) * batch.invB; }
      }
    }
    lossSum += l;
    if (!train) {
      var pred = 0u;
      if (K == 1u) {
        pred = select(0u, 1u, F[fb] > 0.0);
      } else {
        var best = F[fb];
        for (var k = 1u; k < K; k++) {
          if (F[fb + k] > best) { best = F[fb + k]; pred = k; }
        }
      }
      if (pred == labels[row]) { correct += 1.0; }
    }
  }
  let tot = tree_sum2(li, vec2<f32>(lossSum, correct));
  if (li == 0u) {
    if (train) {
      acc[0] += tot.x * batch.invB;
      acc[1] += 1.0;
    } else {
      acc[2] += tot.x;
      acc[3] += tot.y;
    }
  }
}
