// combine.wgsl — the pattern-mixing epilogue between the two GEMMs of the operators (spec §3).
// Z is n×K (= X·U, K = C·S·P, column (c·S+s)·P+i), D is n×P (0/1), f is n×C.
//   mode 0 (A-matvec): f_c = Σ_i D_i (Z_{c,0,i} − Z_{c,1,i})  (gated: Σ_i D_i Z_{c,0,i})
//                      R_{c,s,i} = [relu]·Z_{c,s,i} + sgn(s)·D_i·f_c/ρ     → R (n×K), so A·u = u + Xᵀ R
//   mode 1 (F):        f only (the convex model's output Fu), written to F (n×C)
//   mode 2 (predict):  f_c = Σ_i (Z_{c,0,i} − Z_{c,1,i}) without D (Z already has relu / gate masks)
//   mode 3 (A-matvec less Fᵀy/ρ): as mode 0 with f_c − y_c in place of f_c, y read from F (n×C), so
//                      u + XᵀR = A·u − Fᵀy/ρ: the warm-start residual's large terms cancel in the
//                      n-vector Fu − y (O(1) entries) instead of in two d×K vectors of size 1/ρ.
// Bindings: 0 params (uniform), 1 Z, 2 D, 3 R (out, modes 0 and 3), 4 F (out, modes 1–2; y in, mode 3),
//           5 admm (uniform ρ).
// Workgroup: 256 threads, one (row j, class c) pair each; grid folded into 2-D.
struct Params { n: u32, C: u32, S: u32, P: u32, mode: u32, _p0: u32, _p1: u32, _p2: u32 }
@bindings(prm: uniform Params, Z: read, D: read, R: rw, F: rw, admm: uniform Admm)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let t = flat_index(wg, nwg, li);
  if (t >= prm.n * prm.C) { return; }
  let j = t / prm.C;
  let c = t % prm.C;
  let K = prm.C * prm.S * prm.P;
  let zrow = j * K + c * prm.S * prm.P;
  let drow = j * prm.P;
  var f = 0.0;
  for (var i = 0u; i < prm.P; i++) {
    var z = Z[zrow + i];
    if (prm.S == 2u) { z = z - Z[zrow + prm.P + i]; }
    if (prm.mode == 2u) { f += z; } else { f += D[drow + i] * z; }
  }
  if (prm.mode == 3u) {
    f = f - F[t];
  } else if (prm.mode != 0u) {
    F[t] = f;
    return;
  }
  let g = f / admm.rho;
  for (var i = 0u; i < prm.P; i++) {
    let dg = D[drow + i] * g;
    if (prm.S == 2u) {
      R[zrow + i] = Z[zrow + i] + dg;
      R[zrow + prm.P + i] = Z[zrow + prm.P + i] - dg;
    } else {
      R[zrow + i] = dg;
    }
  }
}
