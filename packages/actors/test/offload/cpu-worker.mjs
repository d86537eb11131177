// Worker functions for the offload tests: a busy loop for a given time, and a throwing one.
export function spin({ ms }) {
  const end = Date.now() + ms;
  let n = 0;
  while (Date.now() < end) n++;
  return n;
}

export function fail() {
  throw new TypeError('worker failed on purpose');
}

export default function square(x) {
  return x * x;
}
