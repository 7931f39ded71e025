// group_prox.wgsl — v-update and λ-update of spec §4.2, fused, one column (neuron) per workgroup:
//   z = u + λ;  v = (1 − t/max(t, ‖z‖)) z  with t = β/ρ;  λ ← z − v  (= λ + u − v_new)
// It also writes the column norms the objective needs: colnorm[2·col] = ‖u_col‖,
// colnorm[2·col+1] = ‖v_col‖ (= max(‖z‖ − t, 0), exact).
// Shapes: U, V, Lam d×K. Bindings: 0 params (uniform), 1 U (read), 2 V, 3 Lam (read_write),
// 4 colnorm (read_write, 2K), 5 admm (uniform: prox_t).
// Workgroup: 256 threads striding over the d rows of one column; grid K.
struct Params { d: u32, K: u32, _p0: u32, _p1: u32 }
struct Admm { rho: f32, prox_t: f32, pcg_tol: f32, _p: f32 }
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> U: array<f32>;
@group(0) @binding(2) var<storage, read_write> V: array<f32>;
@group(0) @binding(3) var<storage, read_write> Lam: array<f32>;
@group(0) @binding(4) var<storage, read_write> colnorm: array<f32>;
@group(0) @binding(5) var<uniform> admm: Admm;
var<workgroup> szz: array<f32, 256>;
var<workgroup> suu: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let col = wg.x;
  var zz = 0.0;
  var uu = 0.0;
  for (var k = li; k < prm.d; k += 256u) {
    let u = U[k * prm.K + col];
    let z = u + Lam[k * prm.K + col];
    zz += z * z;
    uu += u * u;
  }
  szz[li] = zz;
  suu[li] = uu;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (li < w) {
      szz[li] += szz[li + w];
      suu[li] += suu[li + w];
    }
    workgroupBarrier();
  }
  let norm = sqrt(szz[0]);
  let t = admm.prox_t;
  let scale = 1.0 - t / max(t, norm);
  for (var k = li; k < prm.d; k += 256u) {
    let e = k * prm.K + col;
    let z = U[e] + Lam[e];
    let v = scale * z;
    V[e] = v;
    Lam[e] = z - v;
  }
  if (li == 0u) {
    colnorm[2u * col] = sqrt(suu[0]);
    colnorm[2u * col + 1u] = scale * norm;
  }
}
