// anderson_vectors.wgsl — the length-N passes of Anderson acceleration on the GPU (spec §4.5),
// over ζ = (v + λ | s + ν) read from the state (the point the step's prox and projection were
// applied to) and the Anderson memory `mem` = [x | f | g | ΔF₀ … ΔF_{m−1} | ΔG₀ … ΔG_{m−1}]
// (each N floats, x the input of the step just done, f and g of the last accepted step):
//   mode 0  x ← ζ                                           (after a reset: ζ is the next input)
//   mode 1  partials[wg] = Σ (ζ − x)²                        (first level of ‖g‖², g = T(x) − x)
//   mode 2  unless AA_REJECT: ΔF_slot ← ζ − f, ΔG_slot ← (ζ − x) − g when AA_PUSHED; f ← ζ, g ← ζ − x
// Shapes: V, Lam d×K (dK floats); S, Nu n×K (nK; gated: nK = 0 and placeholders); N = dK + nK;
// mem (3 + 2m)·N; state the Anderson state (prelude AA_*); partials G floats.
// Bindings: 0 params (uniform), 1 V, 2 Lam, 3 S, 4 Nu (read), 5 mem (read_write), 6 state (read),
// 7 partials (read_write).
// Workgroup: 256 threads; modes 0 and 2 one element each on a grid folded into 2-D, mode 1
// grid-stride over G workgroups then prelude tree_sum1.
struct Params { dK: u32, nK: u32, mode: u32, G: u32, m: u32, _p0: u32, _p1: u32, _p2: u32 }
@bindings(prm: uniform Params, V: read, Lam: read, S: read, Nu: read, mem: rw, state: read, partials: rw)

fn zeta(e: u32) -> f32 {
  if (e < prm.dK) { return V[e] + Lam[e]; }
  return S[e - prm.dK] + Nu[e - prm.dK];
}

@compute @workgroup_size(WG_1D)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let N = prm.dK + prm.nK;
  if (prm.mode == 1u) {
    var acc = 0.0;
    for (var e = wg.x * WG_1D + li; e < N; e += prm.G * WG_1D) {
      let g = zeta(e) - mem[e];
      acc += g * g;
    }
    let tot = tree_sum1(li, acc);
    if (li == 0u) { partials[wg.x] = tot; }
    return;
  }
  let e = flat_index(wg, nwg, li);
  if (e >= N) { return; }
  let z = zeta(e);
  if (prm.mode == 0u) {
    mem[e] = z;
    return;
  }
  if (state[AA_REJECT] == 1.0) { return; }
  let g = z - mem[e];
  if (state[AA_PUSHED] == 1.0) {
    let slot = u32(state[AA_SLOT]);
    mem[(3u + slot) * N + e] = z - mem[N + e];
    mem[(3u + prm.m + slot) * N + e] = g - mem[2u * N + e];
  }
  mem[N + e] = z;
  mem[2u * N + e] = g;
}
