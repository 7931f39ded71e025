// anderson_apply.wgsl — the next input of Anderson acceleration (spec §4.5) and the state it
// defines (the CPU's writeFixedPoint): out = f − Σ_{j < AA_USED} γ_j ΔF_j (= f when it does not
// extrapolate, = the plain step's f after a rejection), x ← out, and when AA_WRITE
//   part 0 (one workgroup per column of the d×K block): v = prox_{β/ρ}(out_u), λ = out_u − v
//   part 1 (one thread per n×K element, ReLU):          s = max(out_s, 0),  ν = out_s − s
// (Gᵀs and Gᵀν follow from s and ν by the ordinary transposed products).
// Shapes: mem (3 + 2m)·N (anderson_vectors.wgsl), N = d·K + nK; V, Lam d×K; S, Nu n×K (gated:
// two distinct placeholders, part 1 is not dispatched); state the Anderson state (prelude AA_*).
// Bindings: 0 params (uniform), 1 mem (read_write), 2 state (read), 3 V, 4 Lam, 5 S, 6 Nu
// (read_write), 7 admm (uniform: prox_t).
// Workgroup: 256 threads; part 0 strides over the d rows of one column with prelude tree_sum1
// (grid K), part 1 one element each on a grid folded into 2-D.
struct Params { d: u32, K: u32, nK: u32, part: u32, m: u32, _p0: u32, _p1: u32, _p2: u32 }
@bindings(prm: uniform Params, mem: rw, state: read, V: rw, Lam: rw, S: rw, Nu: rw, admm: uniform Admm)

// out at element e of ζ, also stored as the next input x.
fn next_input(e: u32) -> f32 {
  let N = prm.d * prm.K + prm.nK;
  var o = mem[N + e];
  let used = u32(state[AA_USED]);
  for (var j = 0u; j < used; j++) { o -= state[AA_GAMMA + j] * mem[(3u + j) * N + e]; }
  mem[e] = o;
  return o;
}

fn columns(col: u32, li: u32) {
  var zz = 0.0;
  for (var k = li; k < prm.d; k += WG_1D) {
    let o = next_input(k * prm.K + col);
    zz += o * o;
  }
  let norm = sqrt(tree_sum1(li, zz));
  if (state[AA_WRITE] != 1.0) { return; }
  let t = admm.prox_t;
  let scale = 1.0 - t / max(t, norm);
  // Each thread re-reads the elements it wrote itself.
  for (var k = li; k < prm.d; k += WG_1D) {
    let e = k * prm.K + col;
    let v = scale * mem[e];
    V[e] = v;
    Lam[e] = mem[e] - v;
  }
}

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  if (prm.part == 0u) {
    columns(wg.x, li);
    return;
  }
  let e = flat_index(wg, nwg, li);
  if (e >= prm.nK) { return; }
  let o = next_input(prm.d * prm.K + e);
  if (state[AA_WRITE] != 1.0) { return; }
  let s = max(o, 0.0);
  S[e] = s;
  Nu[e] = o - s;
}
