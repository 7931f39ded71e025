// group_prox.wgsl — v-update and λ-update of spec §4.2 with over-relaxation (§4.5), fused, one
// column (neuron) per workgroup:
//   h = αu + (1 − α)v_old;  z = h + λ;  v = (1 − t/max(t, ‖z‖)) z  with t = β/ρ;  λ ← z − v
// (α = 1: z = u + λ, plain ADMM). Each thread reads v_old of its own elements before writing them.
// It also writes the column norms the objective needs: colnorm[2·col] = ‖u_col‖,
// colnorm[2·col+1] = ‖v_col‖ (= max(‖z‖ − t, 0), exact).
// Shapes: U, V, Lam d×K. Bindings: 0 params (uniform), 1 U (read), 2 V, 3 Lam (read_write),
// 4 colnorm (read_write, 2K), 5 admm (uniform: prox_t, alpha).
// Workgroup: 256 threads striding over the d rows of one column, tree reduction
// (prelude tree_sum2); grid K.
struct Params { d: u32, K: u32, _p0: u32, _p1: u32 }
@bindings(prm: uniform Params, U: read, V: rw, Lam: rw, colnorm: rw, admm: uniform Admm)

// h = αu + (1 − α)v_old, exactly u when α = 1.
fn relaxed(u: f32, v_old: f32) -> f32 {
  if (admm.alpha == 1.0) { return u; }
  return admm.alpha * u + (1.0 - admm.alpha) * v_old;
}

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let col = wg.x;
  var zz = 0.0;
  var uu = 0.0;
  for (var k = li; k < prm.d; k += WG_1D) {
    let u = U[k * prm.K + col];
    let z = relaxed(u, V[k * prm.K + col]) + Lam[k * prm.K + col];
    zz += z * z;
    uu += u * u;
  }
  let tot = tree_sum2(li, vec2<f32>(zz, uu));
  let norm = sqrt(tot.x);
  let t = admm.prox_t;
  let scale = 1.0 - t / max(t, norm);
  for (var k = li; k < prm.d; k += WG_1D) {
    let e = k * prm.K + col;
    let z = relaxed(U[e], V[e]) + Lam[e];
    let v = scale * z;
    V[e] = v;
    Lam[e] = z - v;
  }
  if (li == 0u) {
    colnorm[2u * col] = sqrt(tot.y);
    colnorm[2u * col + 1u] = scale * norm;
  }
}
