/**
 * `std::sort` as libstdc++ implements it (introsort: median-of-three quicksort down to runs of 16,
 * heapsort past the depth limit, then a final insertion sort). llvm-nm sorts with it, and it is
 * not stable: symbols that compare equal (a stab and the symbol it describes, both with the same
 * name and address) come out in the order this exact algorithm leaves them. Reproducing it makes
 * `nm -a` output identical to llvm-nm's, ties included.
 */

const THRESHOLD = 16;

/** Sorts `a` in place with strict-weak-order `less`, exactly as libstdc++'s std::sort would. */
export function stdSort<T>(a: T[], less: (x: T, y: T) => boolean): void {
  const n = a.length;
  if (n < 2) return;
  introsortLoop(a, 0, n, 2 * Math.floor(Math.log2(n)), less);
  finalInsertionSort(a, 0, n, less);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i] as T;
  a[i] = a[j] as T;
  a[j] = t;
}

function introsortLoop<T>(a: T[], first: number, last: number, depth: number, less: (x: T, y: T) => boolean): void {
  // The recursion is on the right part only and its depth is bounded by `depth` (2·log2 n).
  while (last - first > THRESHOLD) {
    if (depth === 0) {
      heapSort(a, first, last, less);
      return;
    }
    depth--;
    const cut = partitionPivot(a, first, last, less);
    introsortLoop(a, cut, last, depth, less);
    last = cut;
  }
}

function partitionPivot<T>(a: T[], first: number, last: number, less: (x: T, y: T) => boolean): number {
  const mid = first + ((last - first) >> 1);
  moveMedianToFirst(a, first, first + 1, mid, last - 1, less);
  let lo = first + 1;
  let hi = last;
  const pivot = first;
  for (;;) {
    while (less(a[lo] as T, a[pivot] as T)) lo++;
    hi--;
    while (less(a[pivot] as T, a[hi] as T)) hi--;
    if (!(lo < hi)) return lo;
    swap(a, lo, hi);
    lo++;
  }
}

function moveMedianToFirst<T>(a: T[], result: number, x: number, y: number, z: number, less: (p: T, q: T) => boolean): void {
  const A = a[x] as T;
  const B = a[y] as T;
  const C = a[z] as T;
  if (less(A, B)) {
    if (less(B, C)) swap(a, result, y);
    else if (less(A, C)) swap(a, result, z);
    else swap(a, result, x);
  } else if (less(A, C)) swap(a, result, x);
  else if (less(B, C)) swap(a, result, z);
  else swap(a, result, y);
}

function unguardedLinearInsert<T>(a: T[], last: number, less: (x: T, y: T) => boolean): void {
  const val = a[last] as T;
  let next = last - 1;
  while (less(val, a[next] as T)) {
    a[last] = a[next] as T;
    last = next;
    next--;
  }
  a[last] = val;
}

function insertionSort<T>(a: T[], first: number, last: number, less: (x: T, y: T) => boolean): void {
  for (let i = first + 1; i < last; i++) {
    if (less(a[i] as T, a[first] as T)) {
      const val = a[i] as T;
      for (let k = i; k > first; k--) a[k] = a[k - 1] as T;
      a[first] = val;
    } else unguardedLinearInsert(a, i, less);
  }
}

function finalInsertionSort<T>(a: T[], first: number, last: number, less: (x: T, y: T) => boolean): void {
  if (last - first > THRESHOLD) {
    insertionSort(a, first, first + THRESHOLD, less);
    for (let i = first + THRESHOLD; i < last; i++) unguardedLinearInsert(a, i, less);
  } else insertionSort(a, first, last, less);
}

function adjustHeap<T>(a: T[], base: number, hole: number, len: number, value: T, less: (x: T, y: T) => boolean): void {
  const top = hole;
  let child = hole;
  while (child < Math.floor((len - 1) / 2)) {
    child = 2 * (child + 1);
    if (less(a[base + child] as T, a[base + child - 1] as T)) child--;
    a[base + hole] = a[base + child] as T;
    hole = child;
  }
  if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
    child = 2 * (child + 1);
    a[base + hole] = a[base + child - 1] as T;
    hole = child - 1;
  }
  let parent = Math.floor((hole - 1) / 2);
  while (hole > top && less(a[base + parent] as T, value)) {
    a[base + hole] = a[base + parent] as T;
    hole = parent;
    parent = Math.floor((hole - 1) / 2);
  }
  a[base + hole] = value;
}

function heapSort<T>(a: T[], first: number, last: number, less: (x: T, y: T) => boolean): void {
  const len = last - first;
  if (len >= 2) {
    for (let parent = Math.floor((len - 2) / 2); ; parent--) {
      adjustHeap(a, first, parent, len, a[first + parent] as T, less);
      if (parent === 0) break;
    }
  }
  for (let end = last; end - first > 1;) {
    end--;
    const value = a[end] as T;
    a[end] = a[first] as T;
    adjustHeap(a, first, 0, end - first, value, less);
  }
}

/**
 * The same result as {@link stdSort}, faster: without ties the sorted order is unique, so the
 * engine's native sort gives it; only when equal keys exist is the exact algorithm replayed.
 */
export function stdSortFast<T>(a: T[], less: (x: T, y: T) => boolean): void {
  const original = a.slice();
  a.sort((x, y) => (less(x, y) ? -1 : less(y, x) ? 1 : 0));
  for (let i = 1; i < a.length; i++) {
    if (!less(a[i - 1] as T, a[i] as T)) {
      for (let k = 0; k < original.length; k++) a[k] = original[k] as T;
      stdSort(a, less);
      return;
    }
  }
}
