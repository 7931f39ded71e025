// xtr_reduce.wgsl — second pass of the split-K transposed product: out = α · Σ_z partials[z] + base.
// Sums the chunks in increasing z for every element, so results are bit-reproducible (no atomics).
//
// Shapes: partials numChunks × dPad × K4 vec4 (see xtr.wgsl), base d×K, out d×K (row-major f32).
// params.baseMode: 0 no base (adds 0), 1 base from binding 1, 2 base is `out` itself (in-place update;
// WebGPU forbids binding one buffer both read-only and writable in a dispatch).
// Bindings (group 0):
//   0 partials array<vec4<f32>> read
//   1 base     array<f32>       read        (a dummy unless baseMode == 1)
//   2 out      array<f32>       read_write
//   3 params   uniform Params
// Workgroup layout: WG_SIZE threads, one vec4 (4 consecutive columns of one output row) per thread;
// workgroups folded into a 2-D grid: wid.x + wid.y · gridX.

override WG_SIZE: u32 = 256u;

struct Params {
  d: u32,
  K: u32,
  numChunks: u32,
  chunkStride: u32,
  baseMode: u32,
  gridX: u32,
  alpha: f32,
  _pad: u32,
}

@bindings(partials: read vec4<f32>, base: read, outT: rw, params: uniform Params)

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let K = params.K;
  let K4 = (K + 3u) / 4u;
  let e = (wid.x + wid.y * params.gridX) * WG_SIZE + t;
  if (e >= params.d * K4) {
    return;
  }
  var s = vec4<f32>(0.0);
  for (var z = 0u; z < params.numChunks; z++) {
    s += partials[z * params.chunkStride + e];
  }
  s *= params.alpha;
  let a = e / K4;
  let col0 = (e % K4) * 4u;
  let ob = a * K + col0;
  for (var j = 0u; j < 4u; j++) {
    if (col0 + j < K) {
      var v = s[j];
      if (params.baseMode == 1u) {
        v += base[ob + j];
      } else if (params.baseMode == 2u) {
        v += outT[ob + j];
      }
      outT[ob + j] = v;
    }
  }
}
