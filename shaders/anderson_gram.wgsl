// anderson_gram.wgsl — the small products of Anderson's least squares (spec §4.5), kept up to date
// instead of recomputed: a new difference changes only its own row and column of the Gram ΔGᵀΔG,
// and every step changes ΔGᵀg. Workgroup w < m: ⟨ΔG_slot, ΔG_w⟩ into Gram[slot][w] and [w][slot]
// (only when a difference was pushed); w = m + j: ⟨ΔG_j, g⟩ into the right-hand side. Columns
// beyond the count are computed but never read (anderson_solve uses the first AA_COUNT).
// Shapes: mem (3 + 2m)·N (anderson_vectors.wgsl), state the Anderson state (prelude AA_*).
// Bindings: 0 params (uniform), 1 mem (read), 2 state (read_write).
// Workgroup: 256 threads striding over N, prelude tree_sum1; grid 2m.
struct Params { N: u32, m: u32, _p0: u32, _p1: u32 }
@bindings(prm: uniform Params, mem: read, state: rw)

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let N = prm.N;
  let m = prm.m;
  let gram = wg.x < m;
  let j = select(wg.x - m, wg.x, gram);
  // Left factor: the new difference (Gram row) or g (right-hand side); the slot only addresses memory.
  let left = select(2u * N, (3u + m + u32(state[AA_SLOT])) * N, gram);
  let right = (3u + m + j) * N;
  var acc = 0.0;
  for (var e = li; e < N; e += WG_1D) { acc += mem[left + e] * mem[right + e]; }
  let tot = tree_sum1(li, acc);
  if (li != 0u) { return; }
  if (!gram) {
    state[AA_GAMMA + m + j] = tot;
  } else if (state[AA_PUSHED] == 1.0) {
    let slot = u32(state[AA_SLOT]);
    let G0 = AA_GAMMA + 2u * m;
    state[G0 + slot * m + j] = tot;
    state[G0 + j * m + slot] = tot;
  }
}
