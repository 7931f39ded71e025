// anderson_decide.wgsl — the safeguard and the ring bookkeeping of one Anderson update (spec §4.5;
// the CPU's solver/admm/anderson.ts `next`), after ‖g‖² is in state[AA_GNORM2]:
//   the step started from an extrapolation and ‖g‖ > ‖g‖ of the last plain step → reject: the
//   memory is cleared and the next input is that plain step's f (still in mem, anderson_apply);
//   otherwise, when an earlier f, g are kept, the new difference goes to the ring's head slot.
// Shapes: state the Anderson state (prelude AA_*). Bindings: 0 params (uniform: m), 1 state (read_write).
// Workgroup: 1 thread; grid 1.
struct Params { m: u32, _p0: u32, _p1: u32, _p2: u32 }
@bindings(prm: uniform Params, state: rw)

@compute @workgroup_size(1)
fn main() {
  let gnorm = sqrt(state[AA_GNORM2]);
  let hasPrev = state[AA_HAS_PREV] == 1.0;
  state[AA_PUSHED] = 0.0;
  if (state[AA_EXTRAPOLATED] == 1.0 && hasPrev && gnorm > state[AA_SAFE_NORM]) {
    state[AA_REJECT] = 1.0;
    state[AA_REJECTED] += 1.0;
    state[AA_COUNT] = 0.0;
    state[AA_HEAD] = 0.0;
    state[AA_HAS_PREV] = 0.0;
    state[AA_EXTRAPOLATED] = 0.0;
    return;
  }
  state[AA_REJECT] = 0.0;
  if (hasPrev) {
    let head = u32(state[AA_HEAD]);
    state[AA_SLOT] = f32(head);
    state[AA_HEAD] = f32((head + 1u) % prm.m);
    state[AA_COUNT] = min(state[AA_COUNT] + 1.0, f32(prm.m));
    state[AA_PUSHED] = 1.0;
  }
  state[AA_HAS_PREV] = 1.0;
  state[AA_SAFE_NORM] = gnorm;
}
