// deep_gemm.wgsl — general strided product C = A·B (+ bias), the three GEMMs of a dense layer
// and the conv kernel gradient:
//   forward   Y  = X·W + b   A = X (B×in, sai = in, sak = 1),   B = W (in×out, sbk = out, sbj = 1)
//   backward  dX = dY·Wᵀ     A = dY (B×out),                     B(k, j) = W[j, k] (sbk = 1, sbj = out)
//   backward  dW = Xᵀ·dY     A(i, k) = X[k, i] (sai = 1, sak = in), B = dY (B×out)
// Shapes (f32, element offsets and strides in the params, so operands may sit anywhere in θ):
//   A(i, k) = A[oa + i·sai + k·sak], i < M, k < K;   B(k, j) = Bm[ob + k·sbk + j·sbj], j < N
//   C       = out[oc + kc·part + i·N + j] (row-major M×N);  bias[obias + j] added when has_bias == 1
//   Split-K: the inner dimension is cut into `chunks` chunks kc of `kchunk`; chunk kc sums
//   k ∈ [kc·kchunk, (kc + 1)·kchunk) and writes its own M×N partial at kc·part (part = M·N; a
//   deep_colsum pass then adds the partials in a fixed order). Only chunk 0 adds the bias. With
//   one chunk (kchunk ≥ K, part = 0) the product is written directly.
// Bindings (group 0): 0 params (uniform), 1 A (read), 2 Bm (read), 3 bias (read; any buffer when
//   has_bias == 0), 4 out (read_write).
// Workgroup layout: 64 threads as 8×8; each thread holds an 8×8 register block (sixteen named vec4
//   accumulators: arrays of accumulators spill on some compilers), so a workgroup computes a 64×64
//   tile of C for one K chunk. Per 16-step slab of the inner dimension the 64 threads stage a
//   64×16 tile of A and a 16×64 tile of B in workgroup memory as vec4s of 4 rows (A) or 4 columns
//   (B), zero-filled past the edges; the staging order follows whichever index is contiguous in
//   memory (k when sak == 1 or sbk == 1), so neighbouring threads read neighbouring floats. Each
//   thread then does 16 rank-1 updates of its block: two vec4 of A and two of B for 64 FMAs.
//   Workgroups are numbered column-tile fastest, then row tile, then K chunk, folded into a 2-D
//   grid: flat = wid.x + wid.y·grid_x.
struct Params {
  M: u32, N: u32, K: u32, oa: u32,
  sai: u32, sak: u32, ob: u32, sbk: u32,
  sbj: u32, oc: u32, obias: u32, has_bias: u32,
  grid_x: u32, tiles_n: u32, num_tiles: u32, kchunk: u32,
  part: u32, chunks: u32, _p0: u32, _p1: u32,
}
@bindings(prm: uniform Params, A: read, Bm: read, bias: read, out: rw)

const TS: u32 = 64u;
const TK: u32 = 16u;
// As[k·16 + g] = A(tile rows 4g … 4g+3, slab k); Bs[k·16 + g] = B(slab k, tile columns 4g … 4g+3).
var<workgroup> As: array<vec4<f32>, 256>;
var<workgroup> Bs: array<vec4<f32>, 256>;

/** Stores the 8 columns col … col+7 of one output row (skipping what lies past M or N). */
fn store_row(oc: u32, r: u32, col: u32, lo: vec4<f32>, hi: vec4<f32>) {
  if (r >= prm.M) { return; }
  let N = prm.N;
  for (var j = 0u; j < 4u; j++) {
    if (col + j < N) { out[oc + r * N + col + j] = lo[j]; }
    if (col + 4u + j < N) { out[oc + r * N + col + 4u + j] = hi[j]; }
  }
}

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
  var c00 = vec4<f32>(0.0);
  var c01 = vec4<f32>(0.0);
  var c10 = vec4<f32>(0.0);
  var c11 = vec4<f32>(0.0);
  var c20 = vec4<f32>(0.0);
  var c21 = vec4<f32>(0.0);
  var c30 = vec4<f32>(0.0);
  var c31 = vec4<f32>(0.0);
  var c40 = vec4<f32>(0.0);
  var c41 = vec4<f32>(0.0);
  var c50 = vec4<f32>(0.0);
  var c51 = vec4<f32>(0.0);
  var c60 = vec4<f32>(0.0);
  var c61 = vec4<f32>(0.0);
  var c70 = vec4<f32>(0.0);
  var c71 = vec4<f32>(0.0);
  for (var k0 = kBegin; k0 < kEnd; k0 += TK) {
    for (var e = 0u; e < 16u; e++) {
      let idx = li + 64u * e;
      // (slab step, tile row or column) of this load, k fastest when k is contiguous in memory.
      let ka = select(idx / TS, idx % TK, aKFast);
      let ra = select(idx % TS, idx / TK, aKFast);
      let gka = k0 + ka;
      let gi = i0 + ra;
      var a = 0.0;
      if (gi < M && gka < kEnd) { a = A[oa + gi * sai + gka * sak]; }
      As[ka * 16u + ra / 4u][ra % 4u] = a;
      let kb = select(idx / TS, idx % TK, bKFast);
      let rb = select(idx % TS, idx / TK, bKFast);
      let gkb = k0 + kb;
      let gj = j0 + rb;
      var b = 0.0;
      if (gj < N && gkb < kEnd) { b = Bm[ob + gkb * sbk + gj * sbj]; }
      Bs[kb * 16u + rb / 4u][rb % 4u] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a0 = As[kk * 16u + 2u * ty];
      let a1 = As[kk * 16u + 2u * ty + 1u];
      let b0 = Bs[kk * 16u + 2u * tx];
      let b1 = Bs[kk * 16u + 2u * tx + 1u];
      c00 += a0.x * b0;
      c01 += a0.x * b1;
      c10 += a0.y * b0;
      c11 += a0.y * b1;
      c20 += a0.z * b0;
      c21 += a0.z * b1;
      c30 += a0.w * b0;
      c31 += a0.w * b1;
      c40 += a1.x * b0;
      c41 += a1.x * b1;
      c50 += a1.y * b0;
      c51 += a1.y * b1;
      c60 += a1.z * b0;
      c61 += a1.z * b1;
      c70 += a1.w * b0;
      c71 += a1.w * b1;
    }
    workgroupBarrier();
  }
  let row = i0 + ty * 8u;
  let col = j0 + tx * 8u;
  var bv0 = vec4<f32>(0.0);
  var bv1 = vec4<f32>(0.0);
  if (prm.has_bias == 1u && kc == 0u) {
    for (var j = 0u; j < 4u; j++) {
      if (col + j < N) { bv0[j] = bias[prm.obias + col + j]; }
      if (col + 4u + j < N) { bv1[j] = bias[prm.obias + col + 4u + j]; }
    }
  }
  let oc = prm.oc + kc * prm.part;
  store_row(oc, row + 0u, col, c00 + bv0, c01 + bv1);
  store_row(oc, row + 1u, col, c10 + bv0, c11 + bv1);
  store_row(oc, row + 2u, col, c20 + bv0, c21 + bv1);
  store_row(oc, row + 3u, col, c30 + bv0, c31 + bv1);
  store_row(oc, row + 4u, col, c40 + bv0, c41 + bv1);
  store_row(oc, row + 5u, col, c50 + bv0, c51 + bv1);
  store_row(oc, row + 6u, col, c60 + bv0, c61 + bv1);
  store_row(oc, row + 7u, col, c70 + bv0, c71 + bv1);
}
