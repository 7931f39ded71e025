// deep_gemm.wgsl — general strided product C = A·B (+ bias), the three GEMMs of a dense layer:
//   forward   Y  = X·W + b   A = X (B×in, sai = in, sak = 1),   B = W (in×out, sbk = out, sbj = 1)
//   backward  dX = dY·Wᵀ     A = dY (B×out),                     B(k, j) = W[j, k] (sbk = 1, sbj = out)
//   backward  dW = Xᵀ·dY     A(i, k) = X[k, i] (sai = 1, sak = in), B = dY (B×out)
// Shapes (f32, element offsets and strides in the params, so operands may sit anywhere in θ):
//   A(i, k) = A[oa + i·sai + k·sak], i < M, k < K;   B(k, j) = Bm[ob + k·sbk + j·sbj], j < N
//   C       = out[oc + kc·part + i·N + j] (row-major M×N);  bias[obias + j] added when has_bias == 1
//   Split-K: the inner dimension is cut into ceil(K / kchunk) chunks kc; chunk kc sums
//   k ∈ [kc·kchunk, (kc + 1)·kchunk) and writes its own M×N partial at kc·part (part = M·N; a
//   deep_colsum pass then adds the partials in a fixed order). Only chunk 0 adds the bias. With
//   one chunk (kchunk ≥ K, part = 0) the product is written directly.
// Bindings (group 0): 0 params (uniform), 1 A (read), 2 Bm (read), 3 bias (read; any buffer when
//   has_bias == 0), 4 out (read_write).
// Workgroup layout: 64 threads as 8×8; each thread holds a 4×4 register block (four vec4
//   accumulators), so a workgroup computes a 32×32 tile of C for one K chunk. Per 16-step slab of
//   the inner dimension the 64 threads stage a 32×16 tile of A and a 16×32 tile of B in workgroup
//   memory as vec4s of 4 rows (A) or 4 columns (B), zero-filled past the edges; the staging order
//   follows whichever index is contiguous in memory (k when sak == 1 or sbk == 1), so neighbouring
//   threads read neighbouring floats. Each thread then does 16 rank-1 updates of its block, one
//   vec4 of A and one of B per update. Workgroups are numbered column-tile fastest, then row
//   tile, then K chunk, folded into a 2-D grid: flat = wid.x + wid.y·grid_x.
struct Params {
  M: u32, N: u32, K: u32, oa: u32,
  sai: u32, sak: u32, ob: u32, sbk: u32,
  sbj: u32, oc: u32, obias: u32, has_bias: u32,
  grid_x: u32, tiles_n: u32, num_tiles: u32, kchunk: u32,
  part: u32, chunks: u32, _p0: u32, _p1: u32,
}
@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> Bm: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

const TS: u32 = 32u;
const TK: u32 = 16u;
// As[k·8 + g] = A(tile rows 4g … 4g+3, slab k); Bs[k·8 + g] = B(slab k, tile columns 4g … 4g+3).
var<workgroup> As: array<vec4<f32>, 128>;
var<workgroup> Bs: array<vec4<f32>, 128>;

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  // The workgroup index depends only on the workgroup id and uniforms: the early return is uniform.
  let flat = wid.x + wid.y * prm.grid_x;
  if (flat >= prm.num_tiles * prm.chunks) { return; }
  let tile = flat % prm.num_tiles;
  let kc = flat / prm.num_tiles;
  let M = prm.M;
  let N = prm.N;
  let kBegin = kc * prm.kchunk;
  let kEnd = min(prm.K, kBegin + prm.kchunk);
  let oa = prm.oa; let sai = prm.sai; let sak = prm.sak;
  let ob = prm.ob; let sbk = prm.sbk; let sbj = prm.sbj;
  let aKFast = sak == 1u;
  let bKFast = sbk == 1u && sbj != 1u;
  let tm = tile / prm.tiles_n;
  let tn = tile % prm.tiles_n;
  let tx = li % 8u;
  let ty = li / 8u;
  let i0 = tm * TS;
  let j0 = tn * TS;
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  for (var k0 = kBegin; k0 < kEnd; k0 += TK) {
    for (var e = 0u; e < 8u; e++) {
      let idx = li + 64u * e;
      // (slab step, tile row or column) of this load, k fastest when k is contiguous in memory.
      let ka = select(idx / TS, idx % TK, aKFast);
      let ra = select(idx % TS, idx / TK, aKFast);
      let gka = k0 + ka;
      let gi = i0 + ra;
      var a = 0.0;
      if (gi < M && gka < kEnd) { a = A[oa + gi * sai + gka * sak]; }
      As[ka * 8u + ra / 4u][ra % 4u] = a;
      let kb = select(idx / TS, idx % TK, bKFast);
      let rb = select(idx % TS, idx / TK, bKFast);
      let gkb = k0 + kb;
      let gj = j0 + rb;
      var b = 0.0;
      if (gj < N && gkb < kEnd) { b = Bm[ob + gkb * sbk + gj * sbj]; }
      Bs[kb * 8u + rb / 4u][rb % 4u] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let av = As[kk * 8u + ty];
      let bv = Bs[kk * 8u + tx];
      c0 += av.x * bv;
      c1 += av.y * bv;
      c2 += av.z * bv;
      c3 += av.w * bv;
    }
    workgroupBarrier();
  }
  let row = i0 + ty * 4u;
  let col = j0 + tx * 4u;
  var bv = vec4<f32>(0.0);
  if (prm.has_bias == 1u && kc == 0u) {
    for (var j = 0u; j < 4u; j++) {
      if (col + j < N) { bv[j] = bias[prm.obias + col + j]; }
    }
  }
  let oc = prm.oc + kc * prm.part;
  var acc = array<vec4<f32>, 4>(c0 + bv, c1 + bv, c2 + bv, c3 + bv);
  for (var r = 0u; r < 4u; r++) {
    if (row + r < M) {
      for (var j = 0u; j < 4u; j++) {
        if (col + j < N) { out[oc + (row + r) * N + col + j] = acc[r][j]; }
      }
    }
  }
}
